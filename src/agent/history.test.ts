import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type HistoryInput, TieredHistory } from './history.ts';

const MB = 1024 * 1024;

function sample(time: number, heapUsed: number, heapFloor?: number): HistoryInput {
  return {
    time,
    rss: 2 * heapUsed,
    heapTotal: heapUsed + MB,
    heapUsed,
    external: MB,
    arrayBuffers: MB / 2,
    heapFloor,
    gcPauseMs: 1,
    gcCount: 2,
  };
}

describe('TieredHistory', () => {
  it('stays within its fixed bound over a week of 1 s samples', () => {
    const history = new TieredHistory();
    const bytesBefore = history.retainedBytes;
    const start = Date.UTC(2025, 0, 1);
    const week = 7 * 24 * 3600;
    for (let s = 0; s < week; s++) history.add(sample(start + s * 1000, 50 * MB + (s % 100) * 1024, 40 * MB));
    assert.equal(history.retainedBytes, bytesBefore);
    assert.ok(history.retainedBytes < 1 * MB, `${history.retainedBytes} bytes`);
    // Last hour raw, last day per minute, the rest of the week per 10 minutes (the pending bucket is
    // not yet counted in the tier).
    assert.deepEqual(history.tierSizes, [3600, 1440, week / 600 - 1]);
    const points = history.points();
    assert.ok(points.length < 3600 + 1440 + 1008 + 3);
    for (let i = 1; i < points.length; i++) assert.ok(points[i]!.time > points[i - 1]!.time, `order at ${i}`);
    assert.equal(points[0]!.resolutionMs, 600_000);
    assert.equal(points.at(-1)!.resolutionMs, 0);
    assert.equal(points.at(-1)!.time, start + (week - 1) * 1000);
    // The oldest coarse point is about a week back.
    assert.ok(start + (week - 1) * 1000 - points[0]!.time > 6.9 * 24 * 3600 * 1000);
  });

  it('averages sizes, keeps the lowest floor and sums GC figures in coarse points', () => {
    const history = new TieredHistory([
      { resolutionMs: 0, capacity: 2 },
      { resolutionMs: 10_000, capacity: 10 },
    ]);
    // Bucket [0, 10 s): heapUsed 10, 20, 30 MB; floors 9, (none), 7 MB.
    history.add(sample(1000, 10 * MB, 9 * MB));
    history.add(sample(2000, 20 * MB));
    history.add(sample(3000, 30 * MB, 7 * MB));
    // Bucket [10 s, 20 s): no floor at all.
    history.add(sample(11_000, 40 * MB));
    history.add(sample(12_000, 50 * MB));
    history.add(sample(13_000, 60 * MB));
    const points = history.points();
    const coarse = points.filter((p) => p.resolutionMs === 10_000);
    assert.equal(coarse.length, 1, JSON.stringify(points));
    assert.equal(coarse[0]!.heapUsed, 20 * MB);
    assert.equal(coarse[0]!.heapFloor, 7 * MB);
    assert.equal(coarse[0]!.samples, 3);
    assert.equal(coarse[0]!.gcPauseMs, 3);
    assert.equal(coarse[0]!.gcCount, 6);
    const raw = points.filter((p) => p.resolutionMs === 0);
    assert.deepEqual(
      raw.map((p) => p.heapUsed),
      [50 * MB, 60 * MB],
    );
    assert.equal(raw[0]!.heapFloor, undefined);
  });

  it('filters by time', () => {
    const history = new TieredHistory();
    for (let s = 0; s < 100; s++) history.add(sample(s * 1000, MB));
    assert.equal(history.points(90_000).length, 10);
  });
});
