import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EnvelopeSeries } from './envelope-series.ts';

describe('EnvelopeSeries', () => {
  it('keeps the lowest value of each bucket', () => {
    const series = new EnvelopeSeries(1000, 10);
    series.add(100, 50);
    series.add(400, 30);
    series.add(900, 40);
    series.add(1200, 70);
    assert.deepEqual(series.since(0), [
      { time: 400, value: 30 },
      { time: 1200, value: 70 },
    ]);
    assert.deepEqual(series.latest(), { time: 1200, value: 70 });
  });

  it('holds at most `capacity` buckets however long it runs, newest kept', () => {
    const series = new EnvelopeSeries(1000, 8);
    for (let t = 0; t < 1_000_000; t += 250) series.add(t, t);
    assert.equal(series.size, 8);
    const points = series.since(0);
    assert.equal(points.length, 8);
    assert.equal(points[0]!.time, 992_000);
    assert.equal(points.at(-1)!.time, 999_000);
  });

  it('ignores values that are not finite', () => {
    const series = new EnvelopeSeries(1000, 4);
    series.add(0, Number.NaN);
    series.add(Number.POSITIVE_INFINITY, 1);
    assert.equal(series.size, 0);
    assert.equal(series.latest(), undefined);
  });
});
