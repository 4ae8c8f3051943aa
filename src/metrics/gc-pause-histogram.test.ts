import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketBoundsProblem, GcPauseHistogram } from './gc-pause-histogram.ts';

describe('GcPauseHistogram', () => {
  it('puts a pause equal to a bound in that bucket (le is "less or equal") and the rest above the last', () => {
    const pauses = new GcPauseHistogram([0.001, 0.01]);
    pauses.observe('minor', 0.2); // 0.0002 s
    pauses.observe('minor', 1); // exactly 0.001 s
    pauses.observe('minor', 5);
    pauses.observe('major', 30); // above 0.01 s
    const minor = pauses.series().find((s) => s.labels.kind === 'minor')!;
    assert.deepEqual(minor.counts, [2, 1, 0]);
    assert.equal(minor.count, 3);
    assert.ok(Math.abs(minor.sum - 0.0062) < 1e-12);
    const major = pauses.series().find((s) => s.labels.kind === 'major')!;
    assert.deepEqual(major.counts, [0, 0, 1]);
    assert.equal(pauses.count, 4);
  });

  it('always has every kind, with the labels given, and ignores impossible durations', () => {
    const pauses = new GcPauseHistogram();
    pauses.observe('weakcb', Number.NaN);
    pauses.observe('incremental', -1);
    const series = pauses.series({ pid: '7' });
    assert.deepEqual(
      series.map((s) => s.labels),
      ['minor', 'major', 'incremental', 'weakcb'].map((kind) => ({ pid: '7', kind })),
    );
    assert.ok(series.every((s) => s.count === 0 && s.counts.every((c) => c === 0)));
  });

  it('hands out copies: a scrape in progress does not see later pauses', () => {
    const pauses = new GcPauseHistogram([1]);
    const before = pauses.series();
    pauses.observe('minor', 1);
    assert.equal(before[0]!.counts[0], 0);
  });

  it('checks user bounds', () => {
    assert.equal(bucketBoundsProblem([0.001, 0.1]), undefined);
    assert.match(bucketBoundsProblem([])!, /non-empty/);
    assert.match(bucketBoundsProblem([0.1, 0.1])!, /strictly increasing/);
    assert.match(bucketBoundsProblem([0, 1])!, /positive/);
    assert.match(bucketBoundsProblem([1, Number.POSITIVE_INFINITY])!, /finite/);
  });
});
