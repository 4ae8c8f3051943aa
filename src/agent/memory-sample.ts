import v8 from 'node:v8';
import type { GcStats } from './gc-observer.ts';

/** One V8 heap space (`new_space`, `old_space`, `code_space`, `large_object_space`, …). */
export interface HeapSpace {
  readonly name: string;
  readonly size: number;
  readonly used: number;
  readonly available: number;
  readonly physical: number;
}

/** The process' memory at one moment. Sizes in bytes, `time` in ms since epoch. */
export interface MemorySample {
  readonly time: number;
  /** Resident set size: all memory of the process in RAM. */
  readonly rss: number;
  readonly heapTotal: number;
  readonly heapUsed: number;
  /** Memory of C++ objects bound to JS objects, including `arrayBuffers`. */
  readonly external: number;
  /** Memory of ArrayBuffers and SharedArrayBuffers, including every Node Buffer. */
  readonly arrayBuffers: number;
  /**
   * V8's `heap_size_limit`: the old generation's maximum (`--max-old-space-size`) plus the young
   * generation's. Shares "of the heap limit" (alerts, snapshots) are of this figure.
   */
  readonly heapLimit: number;
  /** Memory V8 allocated with malloc outside the JS heap. */
  readonly mallocedMemory: number;
  readonly nativeContexts: number;
  /** Contexts (iframes, vm contexts) detached but not collected: above zero for long suggests a leak. */
  readonly detachedContexts: number;
  readonly heapSpaces: readonly HeapSpace[];
  /** JS heap left after the latest major GC: the floor the leak verdict judges. */
  readonly heapFloor: number | undefined;
  /** GC counts and pauses since the watcher started. */
  readonly gc: GcStats;
  /** GC pause since the previous sample. */
  readonly gcPauseMs: number;
  /** GCs (of every kind) since the previous sample. */
  readonly gcCount: number;
  /** Share of the time since the previous sample spent paused in GC (0–1). */
  readonly gcShare: number;
}

export function readMemorySample(context: {
  readonly time: number;
  readonly heapFloor: number | undefined;
  readonly gc: GcStats;
  readonly gcPauseMs: number;
  readonly gcCount: number;
  readonly elapsedMs: number;
}): MemorySample {
  const usage = process.memoryUsage();
  const heap = v8.getHeapStatistics();
  const heapSpaces = v8.getHeapSpaceStatistics().map((space) => ({
    name: space.space_name,
    size: space.space_size,
    used: space.space_used_size,
    available: space.space_available_size,
    physical: space.physical_space_size,
  }));
  return {
    time: context.time,
    rss: usage.rss,
    heapTotal: usage.heapTotal,
    heapUsed: usage.heapUsed,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
    heapLimit: heap.heap_size_limit,
    mallocedMemory: heap.malloced_memory,
    nativeContexts: heap.number_of_native_contexts,
    detachedContexts: heap.number_of_detached_contexts,
    heapSpaces,
    heapFloor: context.heapFloor,
    gc: context.gc,
    gcPauseMs: context.gcPauseMs,
    gcCount: context.gcCount,
    gcShare: context.elapsedMs > 0 ? Math.min(1, context.gcPauseMs / context.elapsedMs) : 0,
  };
}
