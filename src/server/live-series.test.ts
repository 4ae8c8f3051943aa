import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DashboardSample } from './api-types.ts';
import { LiveSeries } from './live-series.ts';

function sample(time: number, overrides: Partial<DashboardSample> = {}): DashboardSample {
  return {
    time,
    rss: 100 + time,
    heapUsed: 50 + (time % 7),
    heapTotal: 80,
    external: 3,
    arrayBuffers: 1,
    heapFloor: 40 + time,
    gcPauseMs: 1,
    ...overrides,
  };
}

describe('LiveSeries', () => {
  it('gives back every sample while there are fewer than maxPoints', () => {
    const series = new LiveSeries(64);
    for (let t = 0; t < 10; t++) series.add(sample(t, t === 3 ? { heapUsed: null } : {}));
    const read = series.read({ maxPoints: 100 }, 1, 42);
    assert.equal(read.bucketMs, 0);
    assert.deepEqual(read.time, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(read.heapUsed[3], null, 'an unknown figure stays unknown');
    assert.equal(read.rss[9], 109);
    assert.equal(read.pid, 42);
  });

  it('reads a time range, both ends included', () => {
    const series = new LiveSeries(64);
    for (let t = 0; t < 20; t++) series.add(sample(t * 10));
    assert.deepEqual(series.read({ from: 50, to: 80, maxPoints: 100 }, 1, 1).time, [50, 60, 70, 80]);
    assert.deepEqual(series.read({ from: 195, maxPoints: 100 }, 1, 1).time, []);
  });

  it('downsamples to maxPoints buckets: peaks of sizes, lowest floor, summed pauses', () => {
    const series = new LiveSeries(1000);
    for (let t = 0; t < 100; t++) series.add(sample(t, { rss: t === 42 ? 9999 : 100, heapFloor: 500 - t }));
    const read = series.read({ maxPoints: 10 }, 1, 1);
    assert.ok(read.time.length <= 10, `${read.time.length} points`);
    assert.equal(read.bucketMs, 10);
    assert.equal(Math.max(...(read.rss as number[])), 9999, 'a one-sample spike survives');
    assert.equal(read.heapFloor[0], 491, 'the floor of a bucket is its lowest');
    assert.equal(read.gcPauseMs[0], 10, 'pauses are summed');
  });

  it('folds to half resolution when full, keeping the whole run, bounded', () => {
    const series = new LiveSeries(8);
    for (let t = 0; t < 8; t++) series.add(sample(t, { rss: t === 5 ? 777 : 100 }));
    const bytesFull = series.retainedBytes;
    series.add(sample(8));
    assert.equal(series.size, 5, '8 points folded to 4, plus the new one');
    assert.equal(series.firstTime, 0, 'the start of the run is kept');
    assert.equal(series.lastTime, 8);
    const read = series.read({ maxPoints: 100 }, 1, 1);
    assert.deepEqual(read.time, [0, 2, 4, 6, 8]);
    assert.equal(read.rss[2], 777, 'the peak of the folded pair');
    assert.equal(read.heapFloor[1], 42, 'the lower floor of the pair');
    assert.equal(read.gcPauseMs[1], 2);
    for (let t = 9; t < 10_000; t++) series.add(sample(t));
    assert.ok(series.size <= 8);
    assert.equal(series.retainedBytes, bytesFull, 'memory does not grow past the capacity');
    assert.equal(series.firstTime, 0);
  });

  it('ignores a sample older than the last one', () => {
    const series = new LiveSeries(16);
    series.add(sample(10));
    series.add(sample(5));
    assert.equal(series.size, 1);
  });
});
