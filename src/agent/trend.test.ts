import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bestStepAbsoluteError,
  lineResiduals,
  mannKendall,
  robustNoise,
  standardNormalCdf,
  theilSenSlope,
} from './trend.ts';

describe('theilSenSlope', () => {
  it('recovers the slope of a line despite gross outliers', () => {
    const points = Array.from({ length: 20 }, (_, i) => ({ time: i * 1000, value: 5 + 3 * i }));
    points[4] = { time: 4000, value: 1e9 };
    points[11] = { time: 11_000, value: -1e9 };
    points[17] = { time: 17_000, value: 1e8 };
    assert.equal(theilSenSlope(points), 3 / 1000);
  });

  it('is NaN with fewer than two distinct times', () => {
    assert.ok(Number.isNaN(theilSenSlope([])));
    assert.ok(Number.isNaN(theilSenSlope([{ time: 1, value: 1 }])));
    assert.ok(
      Number.isNaN(
        theilSenSlope([
          { time: 1, value: 1 },
          { time: 1, value: 2 },
        ]),
      ),
    );
  });

  it('takes the mean of the two middle slopes for an even count', () => {
    const slope = theilSenSlope([
      { time: 0, value: 0 },
      { time: 1, value: 1 },
      { time: 2, value: 4 },
      { time: 3, value: 4 },
    ]);
    // slopes: 1, 2, 4/3, 3, 1.5, 0 → sorted 0, 1, 4/3, 1.5, 2, 3 → (4/3 + 1.5) / 2
    assert.equal(slope, (4 / 3 + 1.5) / 2);
  });
});

describe('mannKendall', () => {
  it('matches the textbook statistic for a strictly increasing series', () => {
    const result = mannKendall([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.equal(result.s, 45);
    // var = 10·9·25/18 = 125; z = 44/√125
    assert.ok(Math.abs(result.z - 44 / Math.sqrt(125)) < 1e-12);
    assert.ok(result.pIncreasing < 0.0001);
  });

  it('finds no trend in a constant series (all ties)', () => {
    const result = mannKendall([7, 7, 7, 7, 7, 7]);
    assert.equal(result.s, 0);
    assert.equal(result.pIncreasing, 1);
  });

  it('reports a decreasing series as not increasing', () => {
    assert.ok(mannKendall([10, 9, 8, 7, 6, 5, 4]).pIncreasing > 0.99);
  });

  it('applies the tie correction', () => {
    // With ties the variance shrinks, so z grows compared with the untied formula.
    const tied = mannKendall([1, 1, 2, 2, 3, 3, 4, 4]);
    const untiedVariance = (8 * 7 * 21) / 18;
    assert.ok(tied.z > (tied.s - 1) / Math.sqrt(untiedVariance));
  });
});

describe('standardNormalCdf', () => {
  it('agrees with known quantiles', () => {
    assert.ok(Math.abs(standardNormalCdf(0) - 0.5) < 1e-7);
    assert.ok(Math.abs(standardNormalCdf(1.959964) - 0.975) < 1e-6);
    assert.ok(Math.abs(standardNormalCdf(-2.326348) - 0.01) < 1e-6);
  });
});

describe('line versus step', () => {
  const line = Array.from({ length: 30 }, (_, i) => ({ time: i * 1000, value: i * 10 + (i % 3) }));
  const step = Array.from({ length: 30 }, (_, i) => ({
    time: i * 1000,
    value: (i < 15 ? 0 : 300) + (i % 3),
  }));
  const sumAbs = (values: number[]) => values.reduce((sum, v) => sum + Math.abs(v), 0);

  it('a line is explained better by a line than by a step', () => {
    const residuals = lineResiduals(line, theilSenSlope(line));
    assert.ok(sumAbs(residuals) < bestStepAbsoluteError(line));
  });

  it('a step is explained better by a step than by a line', () => {
    const residuals = lineResiduals(step, theilSenSlope(step));
    assert.ok(bestStepAbsoluteError(step) < sumAbs(residuals));
  });

  it('measures the noise around the line robustly', () => {
    const noisy = line.map((p, i) => ({ ...p, value: p.value + (i === 7 ? 1e6 : 0) }));
    const noise = robustNoise(lineResiduals(noisy, theilSenSlope(noisy)));
    assert.ok(noise < 3, String(noise));
  });
});
