/**
 * The statistics behind `assertNoLeak`: does the heap floor (heap after a full GC) rise with every
 * round of calls, by more than the noise and the tolerance allow?
 *
 * Why increments and a sign test, not a slope over all points: what makes healthy code look like it
 * grows is a *level shift* — a lazy module loaded once, the JIT's code and feedback, a cache filling
 * up, a test runner's own bookkeeping. A shift moves every later point, so it pulls a least-squares
 * line and even a Theil–Sen slope (half the point pairs straddle a shift in the middle, so their
 * median slope is positive) and a Mann–Kendall test (all straddling pairs are concordant). Between two
 * consecutive floors, a shift shows up once. A leak shows up in every increment. So: count the rounds
 * whose increment exceeds the allowed growth; without a leak, an increment is as likely to fall as to
 * rise (fewer still exceed a positive threshold), so the count is at most Binomial(n, ½) — the exact
 * sign test, which needs no assumption about the shape of the noise. (Consecutive increments share a
 * floor and are negatively correlated: the count of rises then varies less than a binomial does,
 * which only makes the test more conservative.) The per-call growth is the median increment over the
 * calls per round, with a distribution-free confidence interval from order statistics.
 */

export interface GrowthVerdict {
  /** True when enough increments exceed `thresholdBytesPerRound` for the sign test at `alpha`. */
  growing: boolean;
  /** Median increment per call, in bytes. */
  growthBytesPerCall: number;
  /** Confidence interval (≥ 95% when there are enough increments) of the growth per call. */
  growthInterval: readonly [low: number, high: number];
  /** Increments above the threshold, and how many the sign test needs out of `increments`. */
  roundsAboveThreshold: number;
  roundsNeeded: number;
  increments: number;
  /** P(at least `roundsAboveThreshold` of `increments`) under Binomial(n, ½): the sign test's p-value. */
  pValue: number;
  thresholdBytesPerRound: number;
}

export interface GrowthTestOptions {
  callsPerRound: number;
  /** Bytes per round that any increment may add without counting as growth (tolerance and noise). */
  thresholdBytesPerRound: number;
  /** False-failure rate the sign test allows for stationary noise. */
  alpha: number;
}

/**
 * Judges a series of heap floors taken after every round of `callsPerRound` calls.
 *
 * @example
 * judgeGrowth([1000, 1000, 1100, 1000, 1000], { callsPerRound: 100, thresholdBytesPerRound: 1024, alpha: 0.005 });
 * // { growing: false, growthBytesPerCall: 0, … }
 */
export function judgeGrowth(floors: readonly number[], options: GrowthTestOptions): GrowthVerdict {
  const { callsPerRound, thresholdBytesPerRound, alpha } = options;
  const increments = successiveDifferences(floors);
  const n = increments.length;
  const roundsAboveThreshold = increments.filter((increment) => increment > thresholdBytesPerRound).length;
  const roundsNeeded = signTestCriticalCount(n, alpha);
  const sorted = [...increments].sort((a, b) => a - b);
  const [lowRank, highRank] = medianIntervalRanks(n, 0.05);
  return {
    growing: n > 0 && roundsAboveThreshold >= roundsNeeded,
    growthBytesPerCall: median(sorted) / callsPerRound,
    growthInterval: [(sorted[lowRank] ?? 0) / callsPerRound, (sorted[highRank] ?? 0) / callsPerRound],
    roundsAboveThreshold,
    roundsNeeded,
    increments: n,
    pValue: binomialUpperTail(n, roundsAboveThreshold),
    thresholdBytesPerRound,
  };
}

/**
 * The spread of increments, robustly: 1.4826 × the median absolute deviation from their median (a
 * standard deviation for Gaussian noise). A steady leak moves the median, not the spread; a one-off
 * jump is ignored.
 *
 * @example
 * noiseScale([0, 0, 160, 0, 9_680, 0]); // 0
 */
export function noiseScale(floors: readonly number[]): number {
  const increments = successiveDifferences(floors);
  if (increments.length === 0) return 0;
  const center = median([...increments].sort((a, b) => a - b));
  const deviations = increments.map((increment) => Math.abs(increment - center)).sort((a, b) => a - b);
  return 1.4826 * median(deviations);
}

/**
 * The smallest count q with P(Binomial(n, ½) ≥ q) ≤ alpha; `n + 1` when even n of n is not rare enough.
 *
 * @example
 * signTestCriticalCount(12, 0.005); // 11 (P = 13/4096 ≈ 0.003)
 */
export function signTestCriticalCount(n: number, alpha: number): number {
  for (let q = 0; q <= n; q++) if (binomialUpperTail(n, q) <= alpha) return q;
  return n + 1;
}

/** P(Binomial(n, ½) ≥ q), exact. */
export function binomialUpperTail(n: number, q: number): number {
  if (q <= 0) return 1;
  if (q > n) return 0;
  let coefficient = 1; // C(n, 0)
  let sum = 0;
  for (let k = 0; k <= n; k++) {
    if (k >= q) sum += coefficient;
    coefficient = (coefficient * (n - k)) / (k + 1);
  }
  return sum / 2 ** n;
}

/**
 * 0-based ranks (low, high) of the order statistics that bracket the median with confidence at
 * least 1 − alpha (the binomial interval for a median); the extremes when there are too few values.
 */
export function medianIntervalRanks(n: number, alpha: number): [number, number] {
  if (n === 0) return [0, 0];
  let low = 0;
  // Largest j with P(Binomial(n, ½) ≤ j − 1) ≤ alpha / 2: [x(j), x(n − j + 1)] in 1-based ranks.
  for (let j = 1; j <= n; j++) {
    if (1 - binomialUpperTail(n, j) <= alpha / 2) low = j;
    else break;
  }
  const lowRank = Math.max(0, low - 1);
  return [lowRank, n - 1 - lowRank];
}

function successiveDifferences(values: readonly number[]): number[] {
  const differences: number[] = [];
  for (let i = 1; i < values.length; i++) differences.push(values[i]! - values[i - 1]!);
  return differences;
}

function median(sorted: readonly number[]): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const middle = n >> 1;
  return n % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
