import type { DashboardGcKind } from './api-types.ts';

/** 1-2-5 steps, as the history store counts them: pauses span tenths of a millisecond to seconds. */
const BOUNDS_MS: readonly number[] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

/** GC pauses counted by kind and duration, every pause reported (never just the first of a batch). */
export class GcTally {
  private readonly kinds = new Map<string, { count: number; total: number; max: number; counts: number[] }>();

  add(kind: string, durationMs: number): void {
    let entry = this.kinds.get(kind);
    if (entry === undefined) {
      entry = { count: 0, total: 0, max: 0, counts: new Array<number>(BOUNDS_MS.length + 1).fill(0) };
      this.kinds.set(kind, entry);
    }
    entry.count++;
    entry.total += durationMs;
    entry.max = Math.max(entry.max, durationMs);
    let bucket = BOUNDS_MS.findIndex((bound) => durationMs < bound);
    if (bucket === -1) bucket = BOUNDS_MS.length;
    entry.counts[bucket]!++;
  }

  list(): DashboardGcKind[] {
    return [...this.kinds].map(([kind, entry]) => ({
      kind,
      count: entry.count,
      totalPauseMs: entry.total,
      maxPauseMs: entry.max,
      buckets: entry.counts.map((count, i) => ({
        fromMs: i === 0 ? 0 : BOUNDS_MS[i - 1]!,
        toMs: BOUNDS_MS[i] ?? null,
        count,
      })),
    }));
  }
}
