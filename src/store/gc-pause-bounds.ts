/**
 * The GC pause histogram's buckets, shared by the history reader (reports) and the dashboard's live
 * tally. No imports: the dashboard page and `watcher.serve()` load it without the store.
 */

/** 1-2-5 steps: GC pauses span from tenths of a millisecond (scavenges) to seconds (a big heap). */
export const DEFAULT_GC_PAUSE_BOUNDS_MS: readonly number[] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
