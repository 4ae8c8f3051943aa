/**
 * What memwatcher leaves in an attached process while it samples it, as source text evaluated there:
 * one object, referenced only by memwatcher's inspector session (a remote object handle) — nothing on
 * `globalThis`, no binding, no console output. It holds a `PerformanceObserver('gc')` that sums GC
 * pauses, keeps the major GCs one by one and reads the heap floor after each (as the agent's GC
 * observer does); each sample reads memory figures and takes (and resets) what the observer gathered.
 *
 * If memwatcher dies without detaching, the session's handle goes away with it; the observer, which
 * nothing else references, then disconnects itself at the first GC after `staleMs` without a sample
 * and becomes garbage.
 */

/** GC figures gathered in the target since the previous sample. */
export interface GcGathered {
  /** Collections of every kind, and their summed pause (ms). */
  readonly count: number;
  readonly pauseMs: number;
  /**
   * Major GCs one by one (at most `MAX_MAJOR_EVENTS` per sample), as [start ms since epoch, pause ms]:
   * for a pause histogram once the collector takes GC events from outside sources (it does not yet).
   */
  readonly majors: readonly (readonly [number, number])[];
  /** Heap floor after the latest major GC of the period, or `null` if none ran. */
  readonly floor: {
    readonly time: number;
    readonly heapFloor: number;
    readonly externalFloor: number;
  } | null;
}

/** One reading, as the relay's `sample()` returns it. */
export interface RelaySample {
  readonly time: number;
  readonly rss: number;
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
  readonly heapLimit: number;
  readonly detachedContexts: number;
  readonly gc: GcGathered;
}

const MAX_MAJOR_EVENTS = 200;

/**
 * Evaluates to the relay object (keep its remote object id). Built-ins load through
 * `process.getBuiltinModule` (ES modules and CommonJS alike), or the command-line API's `require` on
 * Node before 20.16. GC kind 4 is V8's mark-compact: a major GC.
 */
export function installRelayExpression(staleMs: number): string {
  return `(() => {
  const load = typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule : require;
  const { PerformanceObserver, performance } = load('node:perf_hooks');
  const v8 = load('node:v8');
  let lastSeen = Date.now();
  let count = 0;
  let pauseMs = 0;
  let majors = [];
  let floor = null;
  const observer = new PerformanceObserver((list) => {
    if (Date.now() - lastSeen > ${Math.round(staleMs)}) {
      observer.disconnect();
      return;
    }
    let major;
    for (const entry of list.getEntries()) {
      count += 1;
      pauseMs += entry.duration;
      if ((entry.detail?.kind ?? 0) === 4) {
        major = entry;
        if (majors.length < ${MAX_MAJOR_EVENTS}) majors.push([performance.timeOrigin + entry.startTime, entry.duration]);
      }
    }
    if (major !== undefined) {
      let heapFloor = 0;
      for (const space of v8.getHeapSpaceStatistics()) {
        if (space.space_name !== 'new_space' && space.space_name !== 'new_large_object_space') heapFloor += space.space_used_size;
      }
      floor = { time: performance.timeOrigin + major.startTime + major.duration, heapFloor, externalFloor: v8.getHeapStatistics().external_memory ?? 0 };
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    sample() {
      lastSeen = Date.now();
      const usage = process.memoryUsage();
      const heap = v8.getHeapStatistics();
      const gc = { count, pauseMs, majors, floor };
      count = 0;
      pauseMs = 0;
      majors = [];
      floor = null;
      return {
        time: Date.now(),
        rss: usage.rss,
        heapTotal: usage.heapTotal,
        heapUsed: usage.heapUsed,
        external: usage.external,
        arrayBuffers: usage.arrayBuffers ?? 0,
        heapLimit: heap.heap_size_limit,
        detachedContexts: heap.number_of_detached_contexts ?? 0,
        gc,
      };
    },
    stop() {
      observer.disconnect();
      return true;
    },
  };
})()`;
}

/** Called on the relay (`Runtime.callFunctionOn`): one reading. */
export const SAMPLE_FUNCTION = 'function () { return this.sample(); }';

/** Called on the relay: disconnects its observer. */
export const STOP_FUNCTION = 'function () { return this.stop(); }';
