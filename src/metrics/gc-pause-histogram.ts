import type { GcKind } from '../agent/gc-observer.ts';
import type { HistogramSeries, Labels } from './metric-family.ts';

/**
 * Bucket bounds in seconds. Scavenges take well under a millisecond to a few, mark-compacts a few
 * milliseconds to hundreds: prom-client's default (1 ms, 10 ms, 100 ms, 1 s, 2 s, 5 s) puts nearly
 * every pause in its first two buckets, where no quantile can be read.
 */
export const DEFAULT_GC_BUCKETS_SECONDS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];

// The agent's GC_KINDS, listed again: src/metrics reads the agent through types and its public entry
// only (the layering test in test/metrics), and a type cannot carry a list.
export const GC_KINDS: readonly GcKind[] = ['minor', 'major', 'incremental', 'weakcb'];

interface KindCounts {
  readonly counts: number[];
  sum: number;
  count: number;
}

/**
 * GC pauses by kind, one observation per GC entry (every entry of every `PerformanceObserver` batch,
 * as the watcher's `gc` event delivers them). Fixed memory: one array of counts per kind.
 * @example
 * const pauses = new GcPauseHistogram();
 * watcher.on('gc', (event) => pauses.observe(event.kind, event.durationMs));
 */
export class GcPauseHistogram {
  readonly bounds: readonly number[];
  private readonly byKind: Record<GcKind, KindCounts>;

  constructor(boundsSeconds: readonly number[] = DEFAULT_GC_BUCKETS_SECONDS) {
    this.bounds = [...boundsSeconds];
    const empty = (): KindCounts => ({ counts: new Array(this.bounds.length + 1).fill(0), sum: 0, count: 0 });
    this.byKind = { minor: empty(), major: empty(), incremental: empty(), weakcb: empty() };
  }

  /** Records one pause. Durations are in milliseconds, as performance entries give them. */
  observe(kind: GcKind, durationMs: number): void {
    const stats = this.byKind[kind];
    if (stats === undefined || !(durationMs >= 0)) return;
    const seconds = durationMs / 1000;
    let bucket = 0;
    while (bucket < this.bounds.length && seconds > this.bounds[bucket]!) bucket++;
    stats.counts[bucket]!++;
    stats.sum += seconds;
    stats.count++;
  }

  /** Observations so far, all kinds. */
  get count(): number {
    return GC_KINDS.reduce((sum, kind) => sum + this.byKind[kind].count, 0);
  }

  /** One series per kind, every kind present (zeros included, so `rate()` has a start). */
  series(labels: Labels = {}): HistogramSeries[] {
    return GC_KINDS.map((kind) => {
      const stats = this.byKind[kind];
      return {
        labels: { ...labels, kind },
        bounds: this.bounds,
        counts: [...stats.counts],
        sum: stats.sum,
        count: stats.count,
      };
    });
  }
}

/** Checks bucket bounds given by a user: finite, positive, strictly increasing, at least one. */
export function bucketBoundsProblem(bounds: readonly number[]): string | undefined {
  if (!Array.isArray(bounds) || bounds.length === 0) return 'must be a non-empty array of seconds.';
  for (let i = 0; i < bounds.length; i++) {
    const bound = bounds[i];
    if (typeof bound !== 'number' || !Number.isFinite(bound) || bound <= 0) {
      return `must hold finite positive numbers of seconds (got ${String(bound)} at index ${i}).`;
    }
    if (i > 0 && bound <= bounds[i - 1]!) return `must be strictly increasing (index ${i}).`;
  }
  return undefined;
}
