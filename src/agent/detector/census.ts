import type { Session } from 'node:inspector/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import v8 from 'node:v8';
import type { ClassSummaryEntry } from '../analysis-types.ts';
import type { Constructor } from './counted-classes.ts';
import { remoteObjectId } from './main-context.ts';

/**
 * How a census counts, and what it costs the host. Both pauses grow with the heap; each census
 * records its own longest pause in `pauseMs`.
 * - `queryObjects`: the inspector's `Runtime.queryObjects` for each constructor registered (option
 *   `classes`) or discovered (the constructor of each object given to `track()`) — the same count as
 *   `v8.queryObjects(ctor, { format: 'count' })`, without the `ExperimentalWarning` that Node would
 *   print on the host's stderr. No file, no worker. Each constructor costs V8 a full GC plus a heap
 *   walk: one pause per constructor, with the host running in between. Measured on Node 24, 2 vCPUs:
 *   ~45 ms per constructor on a 10 MB heap (idle machine), ~0.7 s on a 45 MB heap of 1 M small objects
 *   (loaded machine). A count includes instances of subclasses (and their prototype objects): V8
 *   matches the prototype chain.
 * - `heapSnapshot`: one heap snapshot (the pause: ~0.2 s at 10 MB idle, ~3 s at 45 MB loaded, same
 *   machine) analysed by the heap engine in a worker thread while the host runs: every class, with
 *   self and retained sizes.
 */
export type CensusMethod = 'queryObjects' | 'heapSnapshot';

/** Live objects of one class. */
export interface ClassCount {
  /** Constructor name (`Session`), or the heap engine's class name (`(string)`, `{id, user}`…). */
  readonly name: string;
  readonly count: number;
  /** Bytes of the objects themselves (`heapSnapshot` censuses only). */
  readonly selfSize?: number;
  /** Bytes the objects keep alive (`heapSnapshot` censuses only). */
  readonly retainedSize?: number;
}

/** Memory figures read right after the census' forced GC. Bytes. */
export interface MemoryFigures {
  readonly rss: number;
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
  /** The JS heap's limit (`v8.getHeapStatistics().heap_size_limit`). */
  readonly heapLimit: number;
  readonly nativeContexts: number;
  /** Contexts (iframes, `vm` contexts) that should have been collected: a leak sign when it grows. */
  readonly detachedContexts: number;
}

/** One census: what `LeakDetector.snapshot(label)` records. */
export interface Census {
  readonly label: string;
  /** When it was taken, ms since the epoch. */
  readonly time: number;
  readonly method: CensusMethod;
  readonly memory: MemoryFigures;
  /** Largest count first. `queryObjects`: every counted constructor, zeros included. */
  readonly classes: readonly ClassCount[];
  /**
   * Whether a class missing from `classes` had no live objects. False for `queryObjects` (only the
   * counted constructors are known) and for a `heapSnapshot` census cut at `maxClasses`.
   */
  readonly complete: boolean;
  /** Longest stall of the host's event loop during the census, ms (upper bound, ±1 ms). */
  readonly pauseMs: number;
  /** Wall time of the whole census, ms (for `heapSnapshot`, the analysis in the worker included). */
  readonly durationMs: number;
  /** The snapshot file, when `keepSnapshots` is set. */
  readonly snapshotFile?: string;
}

export function readMemoryFigures(): MemoryFigures {
  const usage = process.memoryUsage();
  const heap = v8.getHeapStatistics();
  return {
    rss: usage.rss,
    heapTotal: usage.heapTotal,
    heapUsed: usage.heapUsed,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
    heapLimit: heap.heap_size_limit,
    nativeContexts: heap.number_of_native_contexts,
    detachedContexts: heap.number_of_detached_contexts,
  };
}

/**
 * Counts live instances of each constructor. Yields to the event loop between constructors so that
 * the host sees several short pauses rather than one long one.
 */
export async function countInstances(
  session: Session,
  constructors: readonly { name: string; ctor: () => Constructor | undefined }[],
): Promise<ClassCount[]> {
  const counts: ClassCount[] = [];
  for (const { name, ctor } of constructors) {
    // Before each count, not after: the forced GC before the census (a V8 task) and the first count
    // would otherwise make one pause.
    await nextTurn();
    const counted = ctor();
    if (counted === undefined) continue;
    counts.push({ name, count: await countByPrototype(session, counted.prototype) });
  }
  return sortByCount(counts);
}

const objectGroup = 'memwatcher-census';

/** Objects whose prototype chain includes `prototype`, counted by the inspector. */
async function countByPrototype(session: Session, prototype: unknown): Promise<number> {
  try {
    const prototypeId = await remoteObjectId(session, prototype, objectGroup);
    if (prototypeId === undefined) return 0;
    // @types/node types these two replies as void; their shapes are the protocol's.
    const instances = (await session.post('Runtime.queryObjects', {
      prototypeObjectId: prototypeId,
      objectGroup,
    })) as unknown as { objects: { objectId?: string } };
    const arrayId = instances.objects.objectId;
    if (arrayId === undefined) return 0;
    const length = (await session.post('Runtime.callFunctionOn', {
      objectId: arrayId,
      functionDeclaration: 'function () { return this.length; }',
      returnByValue: true,
    })) as unknown as { result: { value?: unknown } };
    return typeof length.result.value === 'number' ? length.result.value : 0;
  } finally {
    // The array of instances would keep every one of them alive: release it at once.
    await session.post('Runtime.releaseObjectGroup', { objectGroup }).catch(() => {});
  }
}

/** The engine's class summary as census entries; classes the engine names alike are merged. */
export function classesFromSummary(summary: readonly ClassSummaryEntry[]): ClassCount[] {
  const byName = new Map<string, { count: number; selfSize: number; retainedSize: number }>();
  for (const entry of summary) {
    const known = byName.get(entry.name);
    if (known === undefined) {
      byName.set(entry.name, {
        count: entry.count,
        selfSize: entry.selfSize,
        retainedSize: entry.retainedSize,
      });
    } else {
      known.count += entry.count;
      known.selfSize += entry.selfSize;
      known.retainedSize += entry.retainedSize;
    }
  }
  return sortByCount([...byName].map(([name, sizes]) => ({ name, ...sizes })));
}

function sortByCount(counts: ClassCount[]): ClassCount[] {
  return counts.sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
