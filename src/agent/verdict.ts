/**
 * The leak verdict. Each figure (JS heap floor after major GCs; external memory, RSS and native
 * memory as lower envelopes of samples) is judged on its own over a window, after a warm-up:
 *
 * 1. Theil–Sen slope and one-sided Mann–Kendall confidence over the window (see `trend.ts`);
 *    not significant, or slower than `minGrowthBytesPerMinute`, is `stable`.
 * 2. Sustained: the last third (half, with few points) of the window must still grow, else the
 *    growth stopped (`stable`: a fill that plateaued); every other third must grow too.
 * 3. A line must explain the points better than a single step (a cache filled once is a step).
 * 4. The growth over the window must be at least 4 noise scales (chance drift stays below).
 * 5. The points must cover half the window.
 *
 * Passing 1 but not 2–5 is `growing`. Once `leak`, a figure stays `leak` while 1 holds (hysteresis);
 * once `growing`, rule 2 makes it `stable` again only when the last segment is clearly flat.
 * On simulated sawtooth heaps (`verdict.test.ts`, and 2 160 fill / 800 flat runs of 40 min judged
 * every 10 s while developing this) fills and flat heaps were called leaks in 0.1 % of runs, leaks
 * of 1, 6 and 60 MB/min always within a window after the warm-up.
 */
import { formatBytes, formatDuration, formatGrowth } from './human-format.ts';
import {
  bestStepAbsoluteError,
  lineResiduals,
  mannKendall,
  robustNoise,
  type TrendPoint,
  theilSenSlope,
} from './trend.ts';

/**
 * - `warming-up`: too early after start (startup allocations are not judged).
 * - `insufficient-data`: not enough points in the window (for the JS heap: not enough major GCs).
 * - `stable`: no significant growth, or growth below `minGrowthBytesPerMinute`, or it grew and stopped.
 * - `growing`: significant growth that is not (yet) a leak: it started recently, looks like a step,
 *   stays within the noise, or the window is not yet half covered. A cache being filled looks like
 *   this until it plateaus.
 * - `leak`: significant, sustained growth above the threshold.
 */
export type TrendStatus = 'warming-up' | 'insufficient-data' | 'stable' | 'growing' | 'leak';

/**
 * Where the memory goes when the process leaks: the JS heap (floor after major GCs), external memory
 * (Buffers, ArrayBuffers), or native memory (RSS not explained by the JS heap or external memory:
 * native addons, allocator fragmentation, code, stacks).
 */
export type LeakCulprit = 'js-heap' | 'external' | 'native';

export interface VerdictSettings {
  /** The window the trend is judged over. */
  readonly windowMs: number;
  /** Time after start before anything is judged; points from it are ignored. */
  readonly warmupMs: number;
  /** Fewest points in the window for a judgement. */
  readonly minPoints: number;
  /** Confidence needed (1 − Mann–Kendall p-value), e.g. 0.99. */
  readonly confidence: number;
  /** Growth below this is not a leak, however certain. */
  readonly minGrowthBytesPerMinute: number;
}

/** The judgement of one memory figure (JS heap floor, external memory or RSS). */
export interface MemoryTrend {
  readonly status: TrendStatus;
  /** Theil–Sen slope over the window; `undefined` with fewer than three points. */
  readonly growthBytesPerMinute: number | undefined;
  /** Probability that the figure really increases (1 − one-sided Mann–Kendall p-value). */
  readonly confidence: number | undefined;
  /** Points judged (bucketed floors or lower-envelope samples). */
  readonly points: number;
  /** Time between the first and last point judged. */
  readonly spanMs: number;
  /** The most recent value judged. */
  readonly latestBytes: number | undefined;
}

export interface LeakVerdict {
  /** When the verdict was reached (ms since epoch). */
  readonly time: number;
  /** The most severe status of the three figures. */
  readonly status: TrendStatus;
  readonly leaking: boolean;
  readonly culprit: LeakCulprit | undefined;
  /** Floor of the JS heap after major GCs. */
  readonly heap: MemoryTrend;
  /** External memory (Buffers, ArrayBuffers, native objects held by JS). */
  readonly external: MemoryTrend;
  /**
   * Resident set size. Growth of RSS alone is never called a leak: it is `growing` unless the JS
   * heap, external or native memory explains it (V8 growing its heap capacity also raises RSS).
   */
  readonly rss: MemoryTrend;
  /** RSS minus JS heap capacity minus external memory: what grows when native code leaks. */
  readonly native: MemoryTrend;
  readonly heapLimit: number;
  /** Projected time until the heap floor reaches the heap limit, when the heap grows. */
  readonly timeToHeapLimitMs: number | undefined;
  /** One line for humans. */
  readonly summary: string;
}

const SEVERITY: Record<TrendStatus, number> = {
  'warming-up': 0,
  'insufficient-data': 1,
  stable: 2,
  growing: 3,
  leak: 4,
};

/** Share of the window the points must cover before growth may be called a leak. */
const MIN_SPAN_SHARE = 0.5;
/** Growth over the judged span must exceed this many noise scales (σ of the residuals around the trend). */
const NOISE_MULTIPLE = 4;
/**
 * The window is cut in thirds (halves with fewer points than this: sparse major GCs would leave a
 * third empty); each must grow for a leak, so growth is sustained.
 */
const MIN_POINTS_FOR_THIRDS = 9;
/** Share of the window's growth rate (and of `minGrowthBytesPerMinute`) each segment must grow at. */
const SEGMENT_GROWTH_SHARE = 0.5;
/** Share of that bar under which a `growing` figure's last segment counts as flat again. */
const STABLE_AGAIN_SHARE = 0.5;

/**
 * Judge one series. `points` must already be restricted to the window (see {@link pointsToJudge});
 * `previous` is the status this series had at the last judgement.
 * @example
 * judgeTrend(floors, settings, { now, startedAt }).status; // 'leak' | 'stable' | …
 */
export function judgeTrend(
  points: readonly TrendPoint[],
  settings: VerdictSettings,
  clock: { readonly now: number; readonly startedAt: number },
  previous?: TrendStatus,
): MemoryTrend {
  const latestBytes = points.at(-1)?.value;
  const spanMs = points.length > 1 ? points.at(-1)!.time - points[0]!.time : 0;
  if (clock.now - clock.startedAt < settings.warmupMs) {
    return {
      status: 'warming-up',
      growthBytesPerMinute: undefined,
      confidence: undefined,
      points: points.length,
      spanMs,
      latestBytes,
    };
  }
  if (points.length < 3) {
    return {
      status: 'insufficient-data',
      growthBytesPerMinute: undefined,
      confidence: undefined,
      points: points.length,
      spanMs,
      latestBytes,
    };
  }
  const growthBytesPerMinute = perMinute(theilSenSlope(points));
  const confidence = 1 - mannKendall(points.map((p) => p.value)).pIncreasing;
  const base = { growthBytesPerMinute, confidence, points: points.length, spanMs, latestBytes };
  if (points.length < settings.minPoints) return { status: 'insufficient-data', ...base };
  const significant = confidence >= settings.confidence && growthBytesPerMinute > 0;
  if (!significant || growthBytesPerMinute < settings.minGrowthBytesPerMinute)
    return { status: 'stable', ...base };
  // Hysteresis: the shape tests below are strict (they keep fills and chance drift out) and noisy
  // on a short stretch of the window; once a leak is called it holds while growth stays significant.
  if (previous === 'leak') return { status: 'leak', ...base };

  // Growth must still be going on: a fill that stopped leaves the last segment flat. A segment with
  // fewer than two points cannot be judged and is left out.
  const segmentThreshold = Math.max(
    settings.minGrowthBytesPerMinute * SEGMENT_GROWTH_SHARE,
    growthBytesPerMinute * SEGMENT_GROWTH_SHARE,
  );
  const segments = points.length >= MIN_POINTS_FOR_THIRDS ? 3 : 2;
  const rates = splitByTime(points, segments).map((segment) =>
    segment.length < 2 ? undefined : perMinute(theilSenSlope(segment)),
  );
  const grows = rates.map((rate) => (rate === undefined ? undefined : rate >= segmentThreshold));
  const lastGrows = grows.at(-1);
  if (lastGrows === false) {
    // Hysteresis band: a figure already `growing` returns to `stable` only when its last segment is
    // clearly flat (below half the bar). Without it, growth whose last third sits near the bar
    // alternated stable/growing at every judgement (seen with RSS after heap snapshots).
    const clearlyFlat = rates.at(-1)! < segmentThreshold * STABLE_AGAIN_SHARE;
    if (previous !== 'growing' || clearlyFlat) return { status: 'stable', ...base };
    return { status: 'growing', ...base };
  }
  // A leak grows in every segment of the window and a line explains it better than a single step; a
  // cache filled once is significant over the window too, but it is a step. Errors are compared per
  // degree of freedom: the step has three parameters (two levels and where), the line two, which
  // matters with the handful of floors a young process has.
  const judged = grows.filter((g) => g !== undefined);
  if (lastGrows === undefined || judged.length < 2 || !judged.every(Boolean))
    return { status: 'growing', ...base };
  const residuals = lineResiduals(points, growthBytesPerMinute / 60_000);
  const lineError = residuals.reduce((sum, r) => sum + Math.abs(r), 0);
  const n = points.length;
  if (bestStepAbsoluteError(points) / (n - 3) < lineError / (n - 2)) return { status: 'growing', ...base };
  // Chance drift within the noise is what remains: the growth over the span must stand out of it.
  if ((growthBytesPerMinute * spanMs) / 60_000 < NOISE_MULTIPLE * robustNoise(residuals)) {
    return { status: 'growing', ...base };
  }
  if (spanMs < settings.windowMs * MIN_SPAN_SHARE) return { status: 'growing', ...base };
  return { status: 'leak', ...base };
}

/**
 * The trend of the figure that leaks (heap floor, external or native memory), or `undefined` without a
 * culprit: what a leak's growth rate and confidence are quoted from, everywhere.
 */
export function culpritTrend(verdict: LeakVerdict): MemoryTrend | undefined {
  switch (verdict.culprit) {
    case 'js-heap':
      return verdict.heap;
    case 'external':
      return verdict.external;
    case 'native':
      return verdict.native;
    default:
      return undefined;
  }
}

/** First time inside the judged window: after warm-up, at most `windowMs` ago. */
export function windowStart(settings: VerdictSettings, now: number, startedAt: number): number {
  return Math.max(startedAt + settings.warmupMs, now - settings.windowMs);
}

/** How far back (in windows) the verdict may reach when the window holds too few points. */
const MAX_WINDOW_STRETCH = 3;

/**
 * The points to judge: those in the window, or, when it holds fewer than `minPoints`, the last
 * `minPoints` points from up to three windows back. A big or fast-growing heap raises V8's GC
 * limit, so major GCs (and floors) get sparse exactly when the heap grows fastest.
 */
export function pointsToJudge(
  series: { since(time: number): TrendPoint[] },
  settings: VerdictSettings,
  now: number,
  startedAt: number,
): TrendPoint[] {
  const points = series.since(windowStart(settings, now, startedAt));
  if (points.length >= settings.minPoints) return points;
  const earliest = Math.max(startedAt + settings.warmupMs, now - settings.windowMs * MAX_WINDOW_STRETCH);
  return series.since(earliest).slice(-settings.minPoints);
}

/**
 * Combine the judgements: which figure leaks, and when the heap limit would be reached.
 */
export function combineVerdict(input: {
  readonly time: number;
  readonly heap: MemoryTrend;
  readonly external: MemoryTrend;
  readonly rss: MemoryTrend;
  readonly native: MemoryTrend;
  readonly heapLimit: number;
}): LeakVerdict {
  const { heap, external, heapLimit } = input;
  // Native memory is RSS minus what the heap and external memory explain: when V8 gives heap pages
  // back (after a full GC, say) that difference rises while RSS does not move. Growth of native memory
  // that RSS itself does not show is bookkeeping, not a leak.
  const rssRises = input.rss.status === 'leak' || input.rss.status === 'growing';
  const native: MemoryTrend =
    (input.native.status === 'leak' || input.native.status === 'growing') && !rssRises
      ? { ...input.native, status: 'stable' }
      : input.native;
  const culprit: LeakCulprit | undefined =
    heap.status === 'leak'
      ? 'js-heap'
      : external.status === 'leak'
        ? 'external'
        : native.status === 'leak'
          ? 'native'
          : undefined;
  const rss: MemoryTrend =
    input.rss.status === 'leak' && culprit === undefined ? { ...input.rss, status: 'growing' } : input.rss;
  const status = [heap, external, rss, native].reduce<TrendStatus>(
    (worst, trend) => (SEVERITY[trend.status] > SEVERITY[worst] ? trend.status : worst),
    'warming-up',
  );
  const heapGrowing = heap.status === 'leak' || heap.status === 'growing';
  const timeToHeapLimitMs =
    heapGrowing && heap.growthBytesPerMinute !== undefined && heap.latestBytes !== undefined
      ? (Math.max(0, heapLimit - heap.latestBytes) / heap.growthBytesPerMinute) * 60_000
      : undefined;
  const verdict = {
    time: input.time,
    status,
    leaking: culprit !== undefined,
    culprit,
    heap,
    external,
    rss,
    native,
    heapLimit,
    timeToHeapLimitMs,
  };
  return { ...verdict, summary: summarizeVerdict(verdict) };
}

const CULPRIT_WORDS: Record<LeakCulprit, string> = {
  'js-heap': 'JS heap',
  external: 'external memory (Buffers/ArrayBuffers)',
  native: 'native memory (RSS beyond the JS heap and external memory)',
};

function summarizeVerdict(verdict: Omit<LeakVerdict, 'summary'>): string {
  const parts = [
    verdict.culprit === undefined ? verdict.status : `leak in ${CULPRIT_WORDS[verdict.culprit]}`,
    `heap floor ${describeTrend(verdict.heap)}`,
    `external ${describeTrend(verdict.external)}`,
    `rss ${describeTrend(verdict.rss)}`,
    `native ${describeTrend(verdict.native)}`,
  ];
  if (verdict.timeToHeapLimitMs !== undefined) {
    parts.push(
      `heap limit ${formatBytes(verdict.heapLimit)} in ~${formatDuration(verdict.timeToHeapLimitMs)}`,
    );
  }
  return parts.join('; ');
}

function describeTrend(trend: MemoryTrend): string {
  const latest = trend.latestBytes === undefined ? '' : ` ${formatBytes(trend.latestBytes)}`;
  if (trend.growthBytesPerMinute === undefined) return `${trend.status}${latest}`;
  const confidence =
    trend.confidence === undefined ? '' : `, confidence ${(trend.confidence * 100).toFixed(1)}%`;
  return `${trend.status}${latest} ${formatGrowth(trend.growthBytesPerMinute)}${confidence}`;
}

function splitByTime(points: readonly TrendPoint[], count: number): TrendPoint[][] {
  const first = points[0]!.time;
  const length = (points.at(-1)!.time - first) / count;
  const segments: TrendPoint[][] = Array.from({ length: count }, () => []);
  for (const point of points) {
    const index = length === 0 ? 0 : Math.min(count - 1, Math.floor((point.time - first) / length));
    segments[index]!.push(point);
  }
  return segments;
}

function perMinute(slopePerMs: number): number {
  return slopePerMs * 60_000;
}
