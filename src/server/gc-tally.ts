import { DEFAULT_GC_PAUSE_BOUNDS_MS as BOUNDS_MS } from '../store/gc-pause-bounds.ts';
import type { DashboardGcKind } from './api-types.ts';

/** Which bucket a pause falls in: one per bound, then one for longer pauses. */
export function pauseBucket(durationMs: number): number {
  const bucket = BOUNDS_MS.findIndex((bound) => durationMs < bound);
  return bucket === -1 ? BOUNDS_MS.length : bucket;
}

/** The buckets of a kind no pause was counted for yet. */
export function emptyPauseBuckets(): DashboardGcKind['buckets'] {
  return pauseBuckets(new Array<number>(BOUNDS_MS.length + 1).fill(0));
}

function pauseBuckets(counts: readonly number[]): DashboardGcKind['buckets'] {
  return counts.map((count, i) => ({
    fromMs: i === 0 ? 0 : BOUNDS_MS[i - 1]!,
    toMs: BOUNDS_MS[i] ?? null,
    count,
  }));
}

/**
 * GC pauses counted by kind and duration, every pause reported (never just the first of a batch).
 * The page counts the pauses streamed to it with the same buckets.
 */
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
    entry.counts[pauseBucket(durationMs)]!++;
  }

  list(): DashboardGcKind[] {
    return [...this.kinds].map(([kind, entry]) => ({
      kind,
      count: entry.count,
      totalPauseMs: entry.total,
      maxPauseMs: entry.max,
      buckets: pauseBuckets(entry.counts),
    }));
  }
}
