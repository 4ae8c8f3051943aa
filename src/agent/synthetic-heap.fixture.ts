/**
 * A simulated V8 heap for verdict tests: live data follows a chosen shape, garbage piles up at a
 * fluctuating rate (the sawtooth), and a major GC runs whenever the heap reaches a growing limit,
 * the way V8 sizes its old generation. Each GC yields a floor: live data plus some floating garbage.
 * Deterministic for a given seed.
 */
import type { TrendPoint } from './trend.ts';

export interface SyntheticHeap {
  readonly durationMs: number;
  /** Live bytes at time `t` (ms). */
  readonly live: (t: number) => number;
  readonly garbageBytesPerSecond: number;
  /** Floating garbage left after a GC, as a share of live bytes (uniform 0..share). */
  readonly floatingShare: number;
  readonly seed: number;
}

export function simulateFloors(heap: SyntheticHeap): TrendPoint[] {
  const random = seededRandom(heap.seed);
  const stepMs = 100;
  const floors: TrendPoint[] = [];
  let garbage = 0;
  let limit = heap.live(0) * 1.5 + 8e6;
  for (let t = 0; t <= heap.durationMs; t += stepMs) {
    garbage += heap.garbageBytesPerSecond * (stepMs / 1000) * (0.5 + random());
    const live = heap.live(t);
    if (live + garbage >= limit) {
      const floor = live * (1 + heap.floatingShare * random());
      floors.push({ time: t, value: floor });
      garbage = floor - live;
      limit = floor * 1.5 + 8e6;
    }
  }
  return floors;
}

/** Live bytes: `base`, plus `leakBytesPerMinute` of steady growth, plus an optional one-time fill. */
export function liveShape(options: {
  readonly base: number;
  readonly leakBytesPerMinute?: number;
  readonly fill?: { readonly atMs: number; readonly overMs: number; readonly bytes: number };
}): (t: number) => number {
  return (t) => {
    let live = options.base + ((options.leakBytesPerMinute ?? 0) * t) / 60_000;
    const fill = options.fill;
    if (fill !== undefined && t > fill.atMs) live += fill.bytes * Math.min(1, (t - fill.atMs) / fill.overMs);
    return live;
  };
}

/** Seedable xorshift32: enough randomness for noise, and the same noise on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}
