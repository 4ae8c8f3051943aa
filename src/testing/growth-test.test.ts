import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  binomialUpperTail,
  judgeGrowth,
  medianIntervalRanks,
  noiseScale,
  signTestCriticalCount,
} from './growth-test.ts';

const options = { callsPerRound: 100, thresholdBytesPerRound: 1024, alpha: 0.005 };

/** Floors from a start value and the increments between them. */
function floors(increments: readonly number[], start = 5_000_000): number[] {
  const values = [start];
  for (const increment of increments) values.push(values[values.length - 1]! + increment);
  return values;
}

test('binomial tail and critical counts are exact', () => {
  assert.equal(binomialUpperTail(12, 0), 1);
  assert.equal(binomialUpperTail(12, 12), 1 / 4096);
  assert.equal(binomialUpperTail(12, 11), 13 / 4096);
  assert.equal(binomialUpperTail(12, 10), 79 / 4096);
  assert.equal(binomialUpperTail(12, 13), 0);
  assert.equal(signTestCriticalCount(12, 0.005), 11);
  assert.equal(signTestCriticalCount(12, 0.02), 10);
  assert.equal(signTestCriticalCount(8, 0.005), 8, '8 of 8: P = 1/256');
  assert.equal(signTestCriticalCount(7, 0.005), 8, 'with 7 rounds even 7 of 7 (1/128) is not rare enough');
});

test('median interval ranks cover the median with at least 95% (n = 12: 3rd to 10th value)', () => {
  assert.deepEqual(medianIntervalRanks(12, 0.05), [2, 9]);
  const [low] = medianIntervalRanks(12, 0.05);
  assert.ok(1 - 2 * (1 - binomialUpperTail(12, low + 1)) >= 0.95);
  assert.deepEqual(medianIntervalRanks(4, 0.05), [0, 3], 'too few values: the extremes');
});

test('a steady rise above the threshold is growth; its size per call is the median increment', () => {
  const verdict = judgeGrowth(floors(Array(12).fill(20_000)), options);
  assert.equal(verdict.growing, true);
  assert.equal(verdict.growthBytesPerCall, 200);
  assert.deepEqual(verdict.growthInterval, [200, 200]);
  assert.equal(verdict.roundsAboveThreshold, 12);
  assert.equal(verdict.pValue, 1 / 4096);
});

test('a leak survives one round where memory dropped (code flushed, a cache trimmed)', () => {
  const increments = Array(12).fill(20_000);
  increments[5] = -300_000;
  const verdict = judgeGrowth(floors(increments), options);
  assert.equal(verdict.growing, true);
  assert.equal(verdict.roundsAboveThreshold, 11);
});

test('one-time jumps (lazy module, JIT code) are not growth, however big', () => {
  const increments = [0, 512_000, 0, 0, 8_000, 0, 0, 0, 48, 0, 0, 0];
  const verdict = judgeGrowth(floors(increments), options);
  assert.equal(verdict.growing, false);
  assert.equal(verdict.growthBytesPerCall, 0);
  assert.equal(verdict.roundsAboveThreshold, 2);
});

test('a cache filling for part of the window, then flat, is not growth', () => {
  const increments = [14_000, 14_000, 14_000, 14_000, 14_000, 14_000, 14_000, 14_000, 14_000, 7_000, 0, 0];
  assert.equal(judgeGrowth(floors(increments), options).growing, false);
});

test('rises within the threshold (the runtime’s own bookkeeping) are not growth', () => {
  const verdict = judgeGrowth(floors(Array(12).fill(800)), options);
  assert.equal(verdict.growing, false, '800 B per round is under the 1 kB margin');
  assert.equal(verdict.growthBytesPerCall, 8);
});

test('the tolerance raises the threshold: a 200 B/call rise passes at 300 B/call allowed', () => {
  const verdict = judgeGrowth(floors(Array(12).fill(20_000)), { ...options, thresholdBytesPerRound: 30_000 });
  assert.equal(verdict.growing, false);
});

test('symmetric noise around a flat floor is not growth, whatever its scale', () => {
  // A fixed pseudo-random sequence (xorshift), not Math.random: the test must be reproducible.
  let state = 2463534242;
  const next = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  for (let trial = 0; trial < 200; trial++) {
    const level = Array.from({ length: 13 }, () => 5_000_000 + Math.round((next() - 0.5) * 200_000));
    assert.equal(judgeGrowth(level, options).growing, false, `trial ${trial}: ${level.join(' ')}`);
  }
});

test('noise scale: robust spread of increments, blind to a steady leak and to one jump', () => {
  assert.equal(noiseScale(floors([0, 0, 160, 0, 9_680, 0])), 0);
  assert.equal(
    noiseScale(floors(Array(8).fill(20_000))),
    0,
    'a steady leak moves the median, not the spread',
  );
  // Median 0, absolute deviations 0, 500, 500, 1000, 1000, 1500, 1500: MAD 1000.
  assert.equal(noiseScale(floors([-1500, -500, 0, 500, 1500, 1000, -1000])), 1482.6);
  assert.equal(noiseScale([42]), 0);
});
