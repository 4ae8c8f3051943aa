import { unlink } from 'node:fs/promises';
import type { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { InvalidOptionError, InvalidStateError } from '../../errors.ts';
import type { RetainerPathStep } from '../analysis-types.ts';
import { runHeapAnalysis } from '../analysis-worker.ts';
import { captureHeapSnapshot } from '../capture.ts';
import {
  acquireInspectorSession,
  collectGarbage,
  type InspectorLease,
  inspectorCall,
} from '../inspector-session.ts';
import { type AllocationSite, allocationSitesFrom } from './allocation-sites.ts';
import type { Census, CensusMethod, ClassCount } from './census.ts';
import {
  type CensusComparison,
  compareCensuses,
  findGrowingClasses,
  type LeakingClass,
} from './comparison.ts';
import { type Constructor, CountedClasses } from './counted-classes.ts';
import { snapshotObjectId } from './object-id.ts';
import { formatDetectorReport } from './report.ts';
import { heapSnapshotCensus, queryObjectsCensus } from './take-census.ts';
import { type TrackedObjectStatus, TrackedObjects } from './tracking.ts';

export interface LeakDetectorOptions {
  /** Constructors counted in every census, as `v8.queryObjects` counts them (at most `maxCountedClasses`). */
  readonly classes?: readonly Constructor[];
  /**
   * How `snapshot()` counts (see `CensusMethod`). Default: `queryObjects` when `classes` are given,
   * otherwise `heapSnapshot` (every class, analysed in a worker thread).
   */
  readonly census?: CensusMethod;
  /** Where heap snapshots for censuses and retainer paths are written (mode 0600). Default: the OS temp dir. */
  readonly snapshotDir?: string;
  /** Keep those snapshot files instead of deleting them once analysed. Default false. */
  readonly keepSnapshots?: boolean;
  /** Censuses kept; the oldest is dropped beyond it. Default 20. */
  readonly maxCensuses?: number;
  /** Classes kept per `heapSnapshot` census, largest retained size first. Default 300. */
  readonly maxClasses?: number;
  /** Constructors counted by a `queryObjects` census (each costs one full GC per census). Default 32. */
  readonly maxCountedClasses?: number;
  /** Objects `track()` watches; beyond it the oldest collected (else oldest) entry is dropped. Default 1000. */
  readonly maxTracked?: number;
}

export interface CensusOptions {
  /** Overrides the detector's `census` method for this census. */
  readonly census?: CensusMethod;
  /** Aborts a `heapSnapshot` census (the snapshot itself cannot be interrupted, its analysis can). */
  readonly signal?: AbortSignal;
}

const censusMethods: readonly CensusMethod[] = ['queryObjects', 'heapSnapshot'];

/**
 * Counts live objects by class over time, watches chosen objects until they are collected, says who
 * retains one that should have gone, and where live memory was allocated. It runs in the process it
 * examines, as a guest: no background work (it acts only when called), no timers left running,
 * bounded memory (`maxCensuses`, `maxClasses`, `maxCountedClasses`, `maxTracked`), and `dispose()`
 * disconnects its inspector session. Bad arguments throw or reject with coded `MemwatcherError`s.
 *
 * Counting: `queryObjects` (a few registered classes, one full GC and heap walk per class) or
 * `heapSnapshot` (every class, one snapshot pause, analysed off the main thread); see `CensusMethod`
 * for what each costs. Each census records the longest pause it caused in `pauseMs`.
 *
 * @example
 * import { LeakDetector } from 'memwatcher';
 * const detector = new LeakDetector({ classes: [Session] });
 * await detector.snapshot('before');
 * await handleRequests();
 * await detector.snapshot('after');
 * console.log(detector.findLeaks({ threshold: 100 })); // [{ name: 'Session', countDelta: 5000, … }]
 * detector.track(lastSession, 'last session');
 * console.log(await detector.retainerPath('last session')); // GC root → … → sessions → Session
 * console.log(await detector.report());
 * await detector.dispose();
 */
export class LeakDetector {
  readonly #method: CensusMethod;
  readonly #snapshotDir: string;
  readonly #keepSnapshots: boolean;
  readonly #maxCensuses: number;
  readonly #maxClasses: number;
  readonly #counted: CountedClasses;
  readonly #tracked: TrackedObjects;
  #censuses: Census[] = [];
  /** Held for one operation: between operations the session may disconnect (see `#exclusive`). */
  #operationLease: InspectorLease | undefined;
  /** Held while sampling: the sampling heap profiler stops when its session disconnects. */
  #samplingLease: InspectorLease | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #samplingSince: number | undefined;
  #disposed = false;

  constructor(options: LeakDetectorOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidOptionError('options', 'must be an object of LeakDetector options.');
    }
    const classes = options.classes ?? [];
    if (!Array.isArray(classes) || classes.some((ctor) => typeof ctor !== 'function')) {
      throw new InvalidOptionError('classes', 'must be an array of constructors (classes or functions).');
    }
    if (options.census !== undefined && !censusMethods.includes(options.census)) {
      throw new InvalidOptionError(
        'census',
        `must be 'queryObjects' or 'heapSnapshot', got ${String(options.census)}.`,
      );
    }
    if (
      options.snapshotDir !== undefined &&
      (typeof options.snapshotDir !== 'string' || options.snapshotDir === '')
    ) {
      throw new InvalidOptionError('snapshotDir', 'must be the path of a directory.');
    }
    this.#maxCensuses = positiveInteger('maxCensuses', options.maxCensuses, 20);
    this.#maxClasses = positiveInteger('maxClasses', options.maxClasses, 300);
    const maxCounted = positiveInteger('maxCountedClasses', options.maxCountedClasses, 32);
    if (classes.length > maxCounted) {
      throw new InvalidOptionError(
        'classes',
        `at most ${maxCounted} constructors (maxCountedClasses), got ${classes.length}.`,
      );
    }
    this.#counted = new CountedClasses(maxCounted);
    for (const ctor of classes) this.#counted.add(ctor, 'registered');
    this.#tracked = new TrackedObjects(positiveInteger('maxTracked', options.maxTracked, 1000));
    this.#method = options.census ?? (classes.length > 0 ? 'queryObjects' : 'heapSnapshot');
    this.#snapshotDir = options.snapshotDir ?? tmpdir();
    this.#keepSnapshots = options.keepSnapshots === true;
  }

  /**
   * Forces a full GC, reads the memory figures and counts live objects by class; the census is stored
   * (the oldest dropped beyond `maxCensuses`) and returned.
   *
   * @example
   * const census = await detector.snapshot('after warm-up');
   * console.log(census.classes[0], census.memory.heapUsed, census.pauseMs);
   */
  snapshot(label?: string, options: CensusOptions = {}): Promise<Census> {
    if (label !== undefined && typeof label !== 'string') {
      return Promise.reject(new InvalidOptionError('label', `must be a string, got ${typeof label}.`));
    }
    const method = options.census ?? this.#method;
    if (!censusMethods.includes(method)) {
      return Promise.reject(new InvalidOptionError('census', `must be 'queryObjects' or 'heapSnapshot'.`));
    }
    return this.#exclusive(async () => {
      const name = label ?? `census ${this.#censuses.length + 1}`;
      const session = await this.#session();
      const census =
        method === 'queryObjects'
          ? await queryObjectsCensus(session, name, this.#counted.list())
          : await heapSnapshotCensus(session, name, {
              dir: this.#snapshotDir,
              keepSnapshots: this.#keepSnapshots,
              maxClasses: this.#maxClasses,
              signal: options.signal,
            });
      this.#censuses.push(census);
      if (this.#censuses.length > this.#maxCensuses) this.#censuses.shift();
      return census;
    });
  }

  /** The stored censuses, oldest first. */
  censuses(): readonly Census[] {
    return [...this.#censuses];
  }

  /**
   * How each class and the memory figures changed from census `a` to census `b` (censuses or labels;
   * a label names the latest census with it).
   *
   * @example
   * const { classes } = detector.compare('before', 'after');
   * console.log(classes[0]); // { name: 'Session', before: 10, after: 5010, countDelta: 5000 }
   */
  compare(a: Census | string, b: Census | string): CensusComparison {
    return compareCensuses(this.#resolve(a, 'a'), this.#resolve(b, 'b'));
  }

  /**
   * Classes that gained more than `threshold` live objects from the first stored census to the last,
   * largest growth first, with the count in every census between and whether the climb was steady.
   *
   * @example
   * for (const leak of detector.findLeaks({ threshold: 100 })) console.log(leak.name, leak.countDelta, leak.steady);
   */
  findLeaks(options: { threshold?: number } = {}): LeakingClass[] {
    const threshold = options.threshold ?? 0;
    if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold < 0) {
      throw new InvalidOptionError(
        'threshold',
        `must be a number of objects, 0 or more; got ${String(threshold)}.`,
      );
    }
    return findGrowingClasses(this.#censuses, threshold);
  }

  /**
   * The `n` classes with the most live objects in the latest census.
   *
   * @example
   * console.table(detector.topTypes(5));
   */
  topTypes(n = 10): ClassCount[] {
    if (!Number.isInteger(n) || n < 1)
      throw new InvalidOptionError('n', `must be a positive integer, got ${n}.`);
    return (this.#censuses.at(-1)?.classes ?? []).slice(0, n);
  }

  /**
   * For `new MemoryWatcher({ census: detector })`: alerts name the classes growing across the stored
   * censuses. Answers from stored censuses; takes none.
   */
  topGrowingClasses(limit: number): LeakingClass[] {
    return findGrowingClasses(this.#censuses, 0).slice(0, Math.max(0, limit));
  }

  /**
   * Counts `ctor`'s instances in every later `queryObjects` census. False when it is already counted,
   * cannot be (`Object`, `Function`, arrow functions) or `maxCountedClasses` is reached.
   */
  countClass(ctor: Constructor): boolean {
    this.#checkLive();
    if (typeof ctor !== 'function') throw new InvalidOptionError('ctor', 'must be a constructor.');
    return this.#counted.add(ctor, 'registered');
  }

  /**
   * Watches `obj` under `name` through a `WeakRef` (it does not keep it alive): `tracked()` says whether
   * it is alive or collected and its age; `retainerPath(name)` says who holds it. Its constructor is
   * counted in later `queryObjects` censuses too (without keeping the class alive). Tracking a name
   * again replaces the earlier entry.
   *
   * @example
   * detector.track(request, `request ${request.id}`);
   */
  track(obj: object, name: string): void {
    this.#checkLive();
    if ((typeof obj !== 'object' && typeof obj !== 'function') || obj === null) {
      throw new InvalidOptionError(
        'obj',
        `track() watches objects and functions, got ${obj === null ? 'null' : typeof obj}.`,
      );
    }
    if (typeof name !== 'string' || name === '')
      throw new InvalidOptionError('name', 'give the object a non-empty name.');
    this.#tracked.add(obj, name);
    const ctor = (Object.getPrototypeOf(obj) as { constructor?: unknown } | null)?.constructor;
    if (typeof ctor === 'function') this.#counted.add(ctor, 'discovered');
  }

  /** Every tracked object: alive or collected, and its age. */
  tracked(): TrackedObjectStatus[] {
    return this.#tracked.statuses();
  }

  /**
   * Who keeps the tracked object `name` alive: the path from a GC root to it, as the heap engine finds
   * it in a fresh heap snapshot (analysed in a worker thread). `null` when the object has been
   * collected or is not reachable. The snapshot pauses the host like a `heapSnapshot` census.
   *
   * @example
   * const path = await detector.retainerPath('last session');
   * console.log(path?.map((step) => step.edge || step.node).join(' → '));
   */
  retainerPath(name: string, options: { signal?: AbortSignal } = {}): Promise<RetainerPathStep[] | null> {
    if (typeof name !== 'string' || !this.#tracked.has(name)) {
      return Promise.reject(
        new InvalidOptionError('name', `no tracked object is named ${JSON.stringify(name)}.`),
      );
    }
    return this.#exclusive(async () => {
      // Decided without dereferencing the WeakRef: a deref keeps the object alive for the current job.
      if (this.#tracked.isKnownCollected(name)) return null;
      const session = await this.#session();
      const { file } = await captureHeapSnapshot({
        dir: this.#snapshotDir,
        label: 'retainers',
        signal: options.signal,
      });
      try {
        const target = this.#tracked.target(name);
        if (target === undefined) return null;
        const nodeId = await snapshotObjectId(session, target);
        if (nodeId === undefined) return null;
        // The caller awaits this answer: keep the process alive for it (a script's top-level await).
        return await runHeapAnalysis(
          { kind: 'retainerPath', file, nodeId },
          { signal: options.signal, keepAlive: true },
        );
      } finally {
        await this.#discard(file);
      }
    });
  }

  /** A full, precise GC through the inspector (no `--expose-gc` needed). */
  collectGarbage(): Promise<void> {
    return this.#exclusive(async () => collectGarbage(await this.#session()));
  }

  /**
   * Starts V8's sampling heap profiler: from now on, allocations are sampled about once every
   * `samplingInterval` bytes (default 32768) with their stack, and samples of collected objects are
   * dropped, so `allocationSites()` reports live memory. Overhead is small but not nil; stop it when done.
   */
  startAllocationSampling(options: { samplingInterval?: number } = {}): Promise<void> {
    const samplingInterval = options.samplingInterval ?? 32_768;
    if (!Number.isInteger(samplingInterval) || samplingInterval < 1) {
      return Promise.reject(
        new InvalidOptionError('samplingInterval', `must be a positive number of bytes.`),
      );
    }
    return this.#exclusive(async () => {
      if (this.#samplingSince !== undefined) return;
      const lease = await acquireInspectorSession();
      try {
        await inspectorCall('HeapProfiler.startSampling', () =>
          lease.session.post('HeapProfiler.startSampling', { samplingInterval }),
        );
      } catch (error) {
        lease.release();
        throw error;
      }
      this.#samplingLease = lease;
      this.#samplingSince = Date.now();
    });
  }

  /**
   * The `top` allocation sites by live bytes (after a forced GC), each with its function,
   * url:line:column and heaviest stack. Needs `startAllocationSampling()` first.
   *
   * @example
   * await detector.startAllocationSampling();
   * await runWorkload();
   * const [site] = await detector.allocationSites(5);
   * console.log(site.liveBytes, site.functionName, `${site.url}:${site.line}:${site.column}`);
   */
  allocationSites(top = 10): Promise<AllocationSite[]> {
    if (!Number.isInteger(top) || top < 1) {
      return Promise.reject(new InvalidOptionError('top', `must be a positive integer, got ${top}.`));
    }
    return this.#exclusive(async () => {
      if (this.#samplingSince === undefined) {
        throw new InvalidStateError(
          'Allocation sites need allocation sampling: call startAllocationSampling() first.',
        );
      }
      const session = await this.#session();
      await collectGarbage(session);
      const { profile } = await inspectorCall('HeapProfiler.getSamplingProfile', () =>
        session.post('HeapProfiler.getSamplingProfile'),
      );
      return allocationSitesFrom(profile, top);
    });
  }

  /** Stops allocation sampling (and drops its samples). */
  stopAllocationSampling(): Promise<void> {
    return this.#exclusive(() => this.#stopSampling());
  }

  /**
   * A plain-text report: memory figures, top types, growing classes, tracked objects and, while
   * sampling, the top allocation sites. Takes no census.
   *
   * @example
   * process.stdout.write(await detector.report({ top: 5 }));
   */
  async report(options: { top?: number; threshold?: number } = {}): Promise<string> {
    const top = options.top ?? 10;
    if (!Number.isInteger(top) || top < 1)
      throw new InvalidOptionError('top', `must be a positive integer, got ${top}.`);
    const threshold = options.threshold ?? 0;
    const leaks = this.findLeaks({ threshold });
    const since = this.#samplingSince;
    const sites = since === undefined ? undefined : await this.allocationSites(top);
    return formatDetectorReport({
      censuses: this.#censuses,
      leaks,
      threshold,
      tracked: this.#tracked.statuses(),
      trackedDropped: this.#tracked.dropped,
      ...(since === undefined || sites === undefined ? {} : { allocations: { since, sites } }),
      top,
    });
  }

  /**
   * Stops sampling, releases the inspector session, forgets censuses and tracked objects. Waits for
   * work already asked for. Idempotent; afterwards every method throws `InvalidStateError`.
   */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#queue.catch(() => {});
    await this.#stopSampling().catch(() => {});
    this.#tracked.clear();
    this.#censuses = [];
  }

  async #stopSampling(): Promise<void> {
    const lease = this.#samplingLease;
    if (lease === undefined) return;
    this.#samplingLease = undefined;
    this.#samplingSince = undefined;
    try {
      await inspectorCall('HeapProfiler.stopSampling', () => lease.session.post('HeapProfiler.stopSampling'));
    } finally {
      lease.release();
    }
  }

  async #discard(file: string): Promise<void> {
    if (!this.#keepSnapshots) await unlink(file).catch(() => {});
  }

  async #session(): Promise<Session> {
    this.#operationLease ??= await acquireInspectorSession();
    return this.#operationLease.session;
  }

  /**
   * One inspector operation at a time (two GCs, snapshots or samplings at once would interfere), each
   * releasing its session lease when done. Not holding the session between operations is deliberate:
   * once a snapshot was taken, V8 tracks object moves at every GC (to keep snapshot ids) until the
   * session disconnects, which slowed allocation-heavy code by roughly a third in our measurements.
   * The detector needs ids to hold only within one `retainerPath()` call.
   */
  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.#disposed) return Promise.reject(disposedError());
    const run = this.#queue.then(work, work).finally(() => {
      this.#operationLease?.release();
      this.#operationLease = undefined;
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  #checkLive(): void {
    if (this.#disposed) throw disposedError();
  }

  #resolve(census: Census | string, argument: string): Census {
    if (typeof census === 'string') {
      const found = this.#censuses.findLast((entry) => entry.label === census);
      if (found === undefined) {
        throw new InvalidOptionError(argument, `no stored census is labelled ${JSON.stringify(census)}.`);
      }
      return found;
    }
    if (typeof census !== 'object' || census === null || !Array.isArray(census.classes)) {
      throw new InvalidOptionError(argument, 'give a census returned by snapshot(), or its label.');
    }
    return census;
  }
}

function disposedError(): InvalidStateError {
  return new InvalidStateError('This LeakDetector was disposed; create a new one.');
}

function positiveInteger(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidOptionError(option, `must be a positive integer, got ${String(value)}.`);
  }
  return value;
}
