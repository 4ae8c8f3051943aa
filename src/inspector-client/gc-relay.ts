/**
 * What memwatcher leaves in an attached process while it samples it, as source text evaluated there:
 * one object, referenced only by memwatcher's inspector session (a remote object handle) — nothing on
 * `globalThis`, no binding, no console output. It holds a `PerformanceObserver('gc')` that sums GC
 * pauses and reads the heap floor after the latest major GC (as the agent's GC observer does); each sample reads memory figures and takes (and resets) what the observer gathered.
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
   * Heap floor after the latest major GC of the period, or `null` if none ran. Only what the sampler
   * uses is gathered: this code runs in the watched program, at every GC.
   */
  readonly floor: { readonly heapFloor: number } | null;
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

/**
 * Evaluates to the relay object (keep its remote object id). Built-ins load through
 * `process.getBuiltinModule` (ES modules and CommonJS alike), or the command-line API's `require` on
 * Node before 20.16. GC kind 4 is V8's mark-compact: a major GC.
 */
export function installRelayExpression(staleMs: number): string {
  return `(() => {
  const load = typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule : require;
  const { PerformanceObserver } = load('node:perf_hooks');
  const v8 = load('node:v8');
  let lastSeen = Date.now();
  let count = 0;
  let pauseMs = 0;
  let floor = null;
  const observer = new PerformanceObserver((list) => {
    if (Date.now() - lastSeen > ${Math.round(staleMs)}) {
      observer.disconnect();
      return;
    }
    let major = false;
    for (const entry of list.getEntries()) {
      count += 1;
      pauseMs += entry.duration;
      if ((entry.detail?.kind ?? 0) === 4) major = true;
    }
    if (major) {
      let heapFloor = 0;
      for (const space of v8.getHeapSpaceStatistics()) {
        if (space.space_name !== 'new_space' && space.space_name !== 'new_large_object_space') heapFloor += space.space_used_size;
      }
      floor = { heapFloor };
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    sample() {
      lastSeen = Date.now();
      const usage = process.memoryUsage();
      const heap = v8.getHeapStatistics();
      const gc = { count, pauseMs, floor };
      count = 0;
      pauseMs = 0;
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
