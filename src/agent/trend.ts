/**
 * Robust trend statistics for the leak verdict.
 *
 * Why Theil–Sen + Mann–Kendall and not least squares or "N increases in a row":
 * - The post-GC floor has outliers (a burst of requests still in flight when the GC ran, a one-off
 *   large allocation). Least squares follows them; the Theil–Sen slope (median of pairwise slopes)
 *   ignores up to ~29 % of them.
 * - Mann–Kendall asks only whether later values tend to be larger than earlier ones, so it needs no
 *   assumption about the noise distribution and gives a p-value, hence a confidence we can report.
 * - "N increases in a row" (memwatch) fires on any monotone run, including the climb of a sawtooth
 *   or a cache being filled once; it has no notion of significance or of size.
 */

export interface TrendPoint {
  /** Milliseconds (any origin, as long as all points share it). */
  readonly time: number;
  readonly value: number;
}

/**
 * Theil–Sen slope in value units per millisecond: the median of the slopes of all pairs of points.
 * O(n²) pairs: callers keep n small (the verdict works on at most a few hundred bucketed points).
 * Returns `NaN` when fewer than two points have distinct times.
 */
export function theilSenSlope(points: readonly TrendPoint[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const slopes = new Float64Array((n * (n - 1)) / 2);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const a = points[i]!;
    for (let j = i + 1; j < n; j++) {
      const b = points[j]!;
      const dt = b.time - a.time;
      if (dt !== 0) slopes[count++] = (b.value - a.value) / dt;
    }
  }
  if (count === 0) return Number.NaN;
  // A typed-array sort is numeric and much faster than a generic one on tens of thousands of slopes.
  const sorted = slopes.subarray(0, count).sort();
  const mid = count >> 1;
  return count % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface MannKendallResult {
  /** Number of concordant minus discordant pairs. */
  readonly s: number;
  /** Normal-approximation z score, continuity-corrected. */
  readonly z: number;
  /** One-sided p-value for "the series increases". */
  readonly pIncreasing: number;
}

/**
 * Mann–Kendall trend test on values ordered by time, with the tie correction of the variance.
 * @example
 * mannKendall([1, 2, 3, 4, 5, 6, 7, 8]).pIncreasing < 0.01; // true
 */
export function mannKendall(values: readonly number[]): MannKendallResult {
  const n = values.length;
  if (n < 3) return { s: 0, z: 0, pIncreasing: 1 };
  let s = 0;
  for (let i = 0; i < n; i++) {
    const a = values[i]!;
    for (let j = i + 1; j < n; j++) {
      const d = values[j]! - a;
      s += d > 0 ? 1 : d < 0 ? -1 : 0;
    }
  }
  const variance = (n * (n - 1) * (2 * n + 5) - tieCorrection(values)) / 18;
  if (variance <= 0) return { s, z: 0, pIncreasing: 1 };
  const z = s > 0 ? (s - 1) / Math.sqrt(variance) : s < 0 ? (s + 1) / Math.sqrt(variance) : 0;
  return { s, z, pIncreasing: 1 - standardNormalCdf(z) };
}

function tieCorrection(values: readonly number[]): number {
  const sorted = Float64Array.from(values).sort();
  let correction = 0;
  let run = 1;
  for (let i = 1; i <= sorted.length; i++) {
    if (i < sorted.length && sorted[i] === sorted[i - 1]) {
      run++;
    } else {
      if (run > 1) correction += run * (run - 1) * (2 * run + 5);
      run = 1;
    }
  }
  return correction;
}

/** Φ(z) through erfc (Abramowitz & Stegun 7.1.26, absolute error < 1.5e-7, plenty for a p-value). */
export function standardNormalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erfc = poly * Math.exp(-x * x);
  return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/**
 * Residuals from the robust line with slope `slope` (intercept: the median of `value − slope·time`,
 * so the residuals have median zero).
 */
export function lineResiduals(points: readonly TrendPoint[], slope: number): number[] {
  const intercept = median(points.map((p) => p.value - slope * p.time));
  return points.map((p) => p.value - intercept - slope * p.time);
}

/** Scale of the noise around a line: 1.4826 × median |residual| (≈ σ for normal noise, robust to outliers). */
export function robustNoise(residuals: readonly number[]): number {
  return 1.4826 * median(residuals.map(Math.abs));
}

/**
 * Smallest sum of absolute deviations of a single step: two flat levels (each the median of its
 * side) with the change anywhere leaving at least two points per side. A one-time cache fill is a
 * step; a leak is not, and a line explains it better. O(n² log n): n is a few hundred at most.
 */
export function bestStepAbsoluteError(points: readonly TrendPoint[]): number {
  const values = points.map((p) => p.value);
  let best = Number.POSITIVE_INFINITY;
  for (let split = 2; split <= values.length - 2; split++) {
    const error = absoluteDeviation(values.slice(0, split)) + absoluteDeviation(values.slice(split));
    if (error < best) best = error;
  }
  return best;
}

function absoluteDeviation(values: readonly number[]): number {
  const center = median(values);
  let error = 0;
  for (const value of values) error += Math.abs(value - center);
  return error;
}

function median(values: readonly number[]): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
