import { setTimeout as sleep } from 'node:timers/promises';
import type { RetainerPathStep } from '../agent/analysis-types.ts';
import { LeakDetector } from '../agent/detector/leak-detector.ts';
import { checkNumber } from '../agent/option-checks.ts';
import { InvalidOptionError, LeakAssertionError } from '../errors.ts';
import { formatRetainerPath } from '../report/analysis-text.ts';

/**
 * An object handed to `trackForCollection`: held only through a `WeakRef`, so keeping the handle
 * does not keep the object alive.
 */
export class TrackedForCollection {
  /** The name errors use: the one given, or the object's class. */
  readonly name: string;
  /** The tracker's own key (unique, even when two objects share a name). */
  readonly key: string;

  constructor(name: string, key: string) {
    this.name = name;
    this.key = key;
  }
}

export interface ExpectCollectedOptions {
  /** Milliseconds to wait for the objects to become unreachable (close callbacks, timers). Default 2000. */
  timeout?: number;
}

// One detector for every test in this module instance: it holds only WeakRefs (at most maxTracked)
// and takes the inspector session only while it works.
let detector: LeakDetector | undefined;
let tracked = 0;

/**
 * Starts watching `obj` (through a `WeakRef`: it is not kept alive) so that `expectCollected` can
 * later check it was garbage collected. Track the object while you still have it, drop your
 * references (close the server, dispose the component), then `await expectCollected(handle)`.
 *
 * @example
 * import { expectCollected, trackForCollection } from 'memwatcher/testing';
 * let server = http.createServer();
 * const tracked = trackForCollection(server, 'server');
 * await new Promise((done) => server.close(done));
 * server = undefined;
 * await expectCollected(tracked);
 */
export function trackForCollection(obj: object, name?: string): TrackedForCollection {
  if ((typeof obj !== 'object' && typeof obj !== 'function') || obj === null) {
    throw new InvalidOptionError(
      'obj',
      `trackForCollection watches objects and functions, got ${obj === null ? 'null' : typeof obj}.`,
    );
  }
  if (name !== undefined && (typeof name !== 'string' || name === '')) {
    throw new InvalidOptionError('name', 'must be a non-empty string when given.');
  }
  const label = name ?? className(obj);
  tracked += 1;
  const key = `${label} #${tracked}`;
  detector ??= new LeakDetector({ maxTracked: 10_000 });
  detector.track(obj, key);
  return new TrackedForCollection(label, key);
}

/**
 * Resolves once every given object is garbage collected (full GCs are forced through the inspector,
 * no `--expose-gc` needed); rejects with `LeakAssertionError` (`ERR_NOT_COLLECTED`) when one is still
 * reachable after `timeout`, with the path from a GC root that keeps it alive.
 *
 * Pass the handles `trackForCollection` returned. A plain object is accepted too, but only works when
 * nothing else holds it — not even a variable of the calling test (`await expectCollected(makeAndClose())`).
 *
 * @example
 * const tracked = trackForCollection(component);
 * component.dispose();
 * component = undefined;
 * await expectCollected(tracked); // ERR_NOT_COLLECTED: … (GC roots) → … → listeners → Component
 */
export function expectCollected(
  targets: TrackedForCollection | readonly TrackedForCollection[] | object,
  options: ExpectCollectedOptions = {},
): Promise<void> {
  // Not an async function: its suspended frame would keep the argument (a plain object) alive.
  let handles: TrackedForCollection[];
  let timeoutMs: number;
  try {
    handles = toHandles(targets);
    timeoutMs = checkNumber('timeout', options.timeout, { min: 0, unit: 'ms' }) ?? 2000;
  } catch (error) {
    return Promise.reject(error);
  }
  return waitForCollection(handles, timeoutMs);
}

async function waitForCollection(handles: readonly TrackedForCollection[], timeoutMs: number): Promise<void> {
  const watcher = detector;
  if (handles.length === 0 || watcher === undefined) return;
  const deadline = Date.now() + timeoutMs;
  let gcs = 0;
  let waitMs = 0;
  let alive = handles;
  for (;;) {
    await watcher.collectGarbage();
    gcs += 1;
    const living = new Set(
      watcher
        .tracked()
        .filter((status) => status.alive)
        .map((status) => status.name),
    );
    alive = alive.filter((handle) => living.has(handle.key));
    if (alive.length === 0) return;
    if (Date.now() >= deadline && gcs >= 2) break;
    // Let close callbacks, timers and pending I/O run: what they release is collected next time.
    waitMs = Math.min(Math.max(waitMs * 2, 5), 200, Math.max(0, deadline - Date.now()));
    await sleep(waitMs);
  }
  throw await notCollectedError(watcher, alive, gcs, timeoutMs);
}

async function notCollectedError(
  watcher: LeakDetector,
  alive: readonly TrackedForCollection[],
  gcs: number,
  timeoutMs: number,
): Promise<LeakAssertionError> {
  const first = alive[0]!;
  let path: RetainerPathStep[] | null = null;
  let problem = '';
  try {
    path = await watcher.retainerPath(first.key);
  } catch (error) {
    problem = error instanceof Error ? error.message : String(error);
  }
  const names = alive.map((handle) => handle.name).join(', ');
  const lines = [
    `expectCollected: ${alive.length === 1 ? `${names} is` : `${alive.length} objects are`} still reachable ` +
      `after ${gcs} full garbage collections in ${timeoutMs} ms${alive.length === 1 ? '' : ` (${names})`}.`,
  ];
  if (path !== null) {
    lines.push(`What keeps ${first.name} alive (GC root → object):`, formatRetainerPath(path, 110, '  '));
  } else if (problem !== '') {
    lines.push(`Its retainer path could not be found: ${problem}`);
  } else {
    lines.push(
      'No retainer path was found: the object was collected meanwhile (retry with a longer timeout), or its ' +
        'heap snapshot id could not be looked up (known under Jest, whose tests run in a separate vm context).',
    );
  }
  return new LeakAssertionError('ERR_NOT_COLLECTED', lines.join('\n'), {
    ...(path === null ? {} : { retainerPath: path }),
  });
}

function toHandles(targets: unknown): TrackedForCollection[] {
  const list: unknown[] = Array.isArray(targets) ? targets : [targets];
  return list.map((target) => {
    if (target instanceof TrackedForCollection) return target;
    if ((typeof target === 'object' || typeof target === 'function') && target !== null) {
      return trackForCollection(target);
    }
    throw new InvalidOptionError(
      'targets',
      `give what trackForCollection returned (a handle or an array of them), or objects; got ${
        target === null ? 'null' : typeof target
      }.`,
    );
  });
}

function className(obj: object): string {
  const ctor = (Object.getPrototypeOf(obj) as { constructor?: unknown } | null)?.constructor;
  if (typeof obj === 'function') return obj.name === '' ? 'function' : `${obj.name}()`;
  return typeof ctor === 'function' && ctor.name !== '' ? ctor.name : 'object';
}
