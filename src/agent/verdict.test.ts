import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EnvelopeSeries } from './envelope-series.ts';
import { liveShape, type SyntheticHeap, simulateFloors } from './synthetic-heap.fixture.ts';
import {
  combineVerdict,
  judgeTrend,
  type MemoryTrend,
  pointsToJudge,
  type VerdictSettings,
} from './verdict.ts';

const MB = 1024 * 1024;
const MINUTE = 60_000;

const settings: VerdictSettings = {
  windowMs: 10 * MINUTE,
  warmupMs: MINUTE,
  minPoints: 9,
  confidence: 0.99,
  minGrowthBytesPerMinute: 512 * 1024,
};

/** Runs the floors through the same bucketing the watcher uses and judges at `now`. */
/**
 * Judges every 10 s of simulated time, feeding floors through the same bucketing the watcher uses.
 * Returns the statuses seen, when the first leak was called, and the last judgement.
 */
function judgeThroughout(heap: SyntheticHeap) {
  const floors = simulateFloors(heap);
  const series = new EnvelopeSeries(settings.windowMs / 128, 512);
  const statuses = new Set<string>();
  let firstLeakAt: number | undefined;
  let last: MemoryTrend | undefined;
  let next = 0;
  for (let now = 10_000; now <= heap.durationMs; now += 10_000) {
    for (; next < floors.length && floors[next]!.time <= now; next++)
      series.add(floors[next]!.time, floors[next]!.value);
    last = judgeTrend(pointsToJudge(series, settings, now, 0), settings, { now, startedAt: 0 }, last?.status);
    statuses.add(last.status);
    if (last.status === 'leak' && firstLeakAt === undefined) firstLeakAt = now;
  }
  return { statuses, firstLeakAt, final: last! };
}

function sawtooth(seed: number, live: (t: number) => number, durationMs = 30 * MINUTE): SyntheticHeap {
  return { durationMs, live, garbageBytesPerSecond: 3 * MB, floatingShare: 0.04, seed };
}

describe('judgeTrend on simulated post-GC floors', () => {
  for (const leakMbPerMinute of [60, 6, 1]) {
    it(`calls a ${leakMbPerMinute} MB/min leak under a sawtooth heap a leak, with the right rate`, () => {
      for (const seed of [1, 2, 3]) {
        const heap = sawtooth(seed, liveShape({ base: 60 * MB, leakBytesPerMinute: leakMbPerMinute * MB }));
        const { firstLeakAt, final } = judgeThroughout(heap);
        assert.ok(firstLeakAt !== undefined, `seed ${seed}: never called a leak`);
        // Warm-up plus half a window must pass first; within a window after that the leak is found.
        assert.ok(firstLeakAt >= settings.warmupMs + settings.windowMs / 2);
        assert.ok(
          firstLeakAt <= settings.warmupMs + settings.windowMs,
          `seed ${seed}: first leak at ${firstLeakAt}`,
        );
        assert.equal(final.status, 'leak');
        const error = Math.abs(final.growthBytesPerMinute! - leakMbPerMinute * MB) / (leakMbPerMinute * MB);
        assert.ok(error < 0.15, `seed ${seed}: growth ${final.growthBytesPerMinute} off by ${error}`);
        assert.ok(final.confidence! > 0.99);
      }
    });
  }

  it('never calls a flat sawtooth heap a leak (20 seeds, 30 min each)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const { statuses } = judgeThroughout(sawtooth(seed, liveShape({ base: 80 * MB })));
      assert.ok(!statuses.has('leak'), `seed ${seed}: ${[...statuses]}`);
      assert.ok(statuses.has('stable'));
    }
  });

  it('never calls a one-time cache fill followed by a plateau a leak', () => {
    for (const atMs of [2, 4, 6.5, 9, 14].map((m) => m * MINUTE)) {
      for (const seed of [1, 2, 3, 4]) {
        const heap = sawtooth(
          seed,
          liveShape({ base: 40 * MB, fill: { atMs, overMs: 30_000, bytes: 120 * MB } }),
          30 * MINUTE,
        );
        const { statuses, final } = judgeThroughout(heap);
        assert.ok(!statuses.has('leak'), `fill at ${atMs}, seed ${seed}: ${[...statuses]}`);
        assert.equal(final.status, 'stable');
      }
    }
  });

  it('does not call slow drift below the threshold a leak, though it measures it', () => {
    const drift = 200 * 1024;
    const heap = {
      ...sawtooth(7, liveShape({ base: 50 * MB, leakBytesPerMinute: drift })),
      floatingShare: 0.002,
    };
    const { statuses, final } = judgeThroughout(heap);
    assert.ok(!statuses.has('leak'), [...statuses].join());
    assert.equal(final.status, 'stable');
    assert.ok(
      Math.abs(final.growthBytesPerMinute! - drift) < drift * 0.3,
      String(final.growthBytesPerMinute),
    );
    assert.ok(final.confidence! > 0.99);
  });

  it('is warming up before the warm-up has passed, whatever the data', () => {
    const floors = Array.from({ length: 50 }, (_, i) => ({ time: i * 1000, value: i * MB }));
    assert.equal(judgeTrend(floors, settings, { now: 50_000, startedAt: 0 }).status, 'warming-up');
  });

  it('asks for more data when there are too few floors (few major GCs)', () => {
    const floors = [0, 1, 2, 3, 4].map((i) => ({
      time: 2 * MINUTE + i * MINUTE,
      value: 50 * MB + i * 10 * MB,
    }));
    const trend = judgeTrend(floors, settings, { now: 7 * MINUTE, startedAt: 0 });
    assert.equal(trend.status, 'insufficient-data');
    assert.ok(trend.growthBytesPerMinute! > 9 * MB);
  });
});

describe('combineVerdict', () => {
  const trend = (status: MemoryTrend['status'], growth?: number, latest?: number): MemoryTrend => ({
    status,
    growthBytesPerMinute: growth,
    confidence: growth === undefined ? undefined : 0.999,
    points: 20,
    spanMs: 8 * MINUTE,
    latestBytes: latest,
  });

  it('names the JS heap and projects the time to the heap limit', () => {
    const verdict = combineVerdict({
      time: 1,
      heap: trend('leak', 2 * MB, 100 * MB),
      external: trend('stable', 0, 5 * MB),
      rss: trend('leak', 2 * MB, 200 * MB),
      native: trend('stable', 0, 100 * MB),
      heapLimit: 300 * MB,
    });
    assert.equal(verdict.leaking, true);
    assert.equal(verdict.culprit, 'js-heap');
    assert.equal(verdict.timeToHeapLimitMs, 100 * MINUTE);
    assert.match(verdict.summary, /leak in JS heap/);
    assert.match(verdict.summary, /in ~1 h 40 min/);
  });

  it('names native memory when RSS grows beyond the JS heap and external memory', () => {
    const verdict = combineVerdict({
      time: 1,
      heap: trend('stable', 0, 50 * MB),
      external: trend('stable', 0, 5 * MB),
      rss: trend('leak', 3 * MB, 400 * MB),
      native: trend('leak', 3 * MB, 300 * MB),
      heapLimit: 300 * MB,
    });
    assert.equal(verdict.culprit, 'native');
    assert.equal(verdict.timeToHeapLimitMs, undefined);
    assert.match(verdict.summary, /leak in native memory/);
  });

  it('does not call native memory a leak when RSS itself is flat (V8 gave heap pages back)', () => {
    // A healthy program running full GCs: heap capacity shrinks, RSS stays, so RSS − heap rises.
    const verdict = combineVerdict({
      time: 1,
      heap: trend('stable', 0, 50 * MB),
      external: trend('stable', 0, 5 * MB),
      rss: trend('stable', 0, 200 * MB),
      native: trend('leak', 3 * MB, 120 * MB),
      heapLimit: 300 * MB,
    });
    assert.equal(verdict.leaking, false);
    assert.equal(verdict.culprit, undefined);
    assert.equal(verdict.native.status, 'stable');
    assert.equal(verdict.status, 'stable');
  });

  it('does not call RSS growth alone a leak (heap capacity growth, or a heap not judged yet)', () => {
    const verdict = combineVerdict({
      time: 1,
      heap: trend('insufficient-data'),
      external: trend('stable', 0, 5 * MB),
      rss: trend('leak', 3 * MB, 400 * MB),
      native: trend('stable', 0, 200 * MB),
      heapLimit: 300 * MB,
    });
    assert.equal(verdict.culprit, undefined);
    assert.equal(verdict.leaking, false);
    assert.equal(verdict.status, 'growing');
    assert.equal(verdict.rss.status, 'growing');
  });

  it('names external memory for a Buffer leak with a flat heap', () => {
    const verdict = combineVerdict({
      time: 1,
      heap: trend('stable', 0, 50 * MB),
      external: trend('leak', 5 * MB, 500 * MB),
      rss: trend('leak', 5 * MB, 600 * MB),
      native: trend('stable', 0, 100 * MB),
      heapLimit: 300 * MB,
    });
    assert.equal(verdict.culprit, 'external');
    assert.equal(verdict.status, 'leak');
  });

  it('is not leaking while growing', () => {
    const verdict = combineVerdict({
      time: 1,
      heap: trend('growing', 3 * MB, 50 * MB),
      external: trend('stable', 0, 5 * MB),
      rss: trend('insufficient-data'),
      native: trend('insufficient-data'),
      heapLimit: 300 * MB,
    });
    assert.equal(verdict.status, 'growing');
    assert.equal(verdict.leaking, false);
    assert.ok(verdict.timeToHeapLimitMs !== undefined);
  });
});

describe('judgeTrend hysteresis between growing and stable', () => {
  // 13 points over 6 minutes: steep for 4 minutes, then a last third that still rises, at 60 % of
  // the half-rate bar (between "clearly flat" and "growing").
  const points = Array.from({ length: 13 }, (_, i) => {
    const time = MINUTE + i * 30_000;
    const value = i <= 8 ? 50 * MB + i * 2 * MB : 50 * MB + 16 * MB + (i - 8) * 0.3 * 2 * MB;
    return { time, value };
  });
  const clock = { now: points.at(-1)!.time, startedAt: 0 };

  it('a figure that was stable stays stable when the last third slows under the bar', () => {
    assert.equal(judgeTrend(points, settings, clock, 'stable').status, 'stable');
    assert.equal(judgeTrend(points, settings, clock).status, 'stable');
  });

  it('a figure that was growing keeps growing until the last third is clearly flat', () => {
    assert.equal(judgeTrend(points, settings, clock, 'growing').status, 'growing');
    const flat = points.map((point, i) => (i > 8 ? { ...point, value: points[8]!.value } : point));
    assert.equal(judgeTrend(flat, settings, clock, 'growing').status, 'stable');
  });
});
