import { EnvelopeSeries } from '../agent/envelope-series.ts';
import { formatBytes, formatGrowth } from '../agent/human-format.ts';
import type { TrendPoint } from '../agent/trend.ts';
import {
  combineVerdict,
  judgeTrend,
  type LeakVerdict,
  type MemoryTrend,
  pointsToJudge,
  type TrendStatus,
  type VerdictSettings,
} from '../agent/verdict.ts';
import type { OutsideSampleEvent } from './events.ts';

/**
 * Buckets per verdict window. The agent judges post-GC floors; from outside there are no GC events, so
 * the lowest reading per bucket stands in for the floor. Buckets must be wide enough to hold a trough
 * of the program's allocation sawtooth, and there must be enough of them for the trend test (its
 * fewest points, thirds of the window): 16 per window is 37 s at the default 10-minute window.
 */
const BUCKETS_PER_WINDOW = 16;
/** Four windows: the verdict reaches back up to three when a window holds too few points. */
const CAPACITY = BUCKETS_PER_WINDOW * 4;

/**
 * The leak verdict of a process sampled from outside (`/proc` or the inspector), judged with the
 * agent's own trend code: RSS always; the JS heap and external memory when the source reads them.
 * What cannot be read stays `insufficient-data` and is never called a culprit. Without JS figures,
 * all of RSS counts as native memory, so a growing RSS is a leak in `native` memory.
 *
 * @example
 * const verdict = new OutsideVerdict(settings, { intervalMs: 1000, startedAt: Date.now() });
 * verdict.add(sample);
 * if (verdict.judge(sample.time).leaking) console.log(verdict.judge(sample.time).summary);
 */
export class OutsideVerdict {
  private readonly settings: VerdictSettings;
  private readonly startedAt: number;
  private readonly rss: EnvelopeSeries;
  private readonly native: EnvelopeSeries;
  private readonly external: EnvelopeSeries;
  private readonly heap: EnvelopeSeries;
  private jsFigures = false;
  private heapLimit = Number.POSITIVE_INFINITY;
  private previous: LeakVerdict | undefined;

  constructor(settings: VerdictSettings, clock: { readonly intervalMs: number; readonly startedAt: number }) {
    this.settings = settings;
    this.startedAt = clock.startedAt;
    // At least two samples per bucket, or the lowest of a bucket is just a sample.
    const bucketMs = Math.max(settings.windowMs / BUCKETS_PER_WINDOW, 2 * clock.intervalMs);
    this.rss = new EnvelopeSeries(bucketMs, CAPACITY);
    this.native = new EnvelopeSeries(bucketMs, CAPACITY);
    this.external = new EnvelopeSeries(bucketMs, CAPACITY);
    this.heap = new EnvelopeSeries(bucketMs, CAPACITY);
  }

  add(sample: OutsideSampleEvent): void {
    this.rss.add(sample.time, sample.rss);
    if (sample.heapLimit !== null) this.heapLimit = sample.heapLimit;
    const heapTotal = sample.heapTotal ?? 0;
    const external = sample.external ?? 0;
    this.native.add(sample.time, sample.rss - heapTotal - external);
    if (sample.external !== null) this.external.add(sample.time, sample.external);
    // A source that knows the floor after GC gives it; otherwise the lowest heap in use per bucket
    // approximates it (the troughs of the sawtooth are right after collections).
    const heap = sample.heapFloor ?? sample.heapUsed;
    if (heap !== null) {
      this.jsFigures = true;
      this.heap.add(sample.time, heap);
    }
  }

  /** Judges now; remembers the result so that a called leak holds while growth stays significant. */
  judge(time: number): LeakVerdict {
    const previous = this.previous;
    const judgeSeries = (series: EnvelopeSeries, status: TrendStatus | undefined): MemoryTrend =>
      judgeTrend(
        pointsToJudge(completeBuckets(series, time), this.settings, time, this.startedAt),
        this.settings,
        { now: time, startedAt: this.startedAt },
        status,
      );
    const verdict = combineVerdict({
      time,
      heap: judgeSeries(this.heap, previous?.heap.status),
      external: judgeSeries(this.external, previous?.external.status),
      rss: judgeSeries(this.rss, previous?.rss.status),
      native: judgeSeries(this.native, previous?.native.status),
      heapLimit: this.heapLimit,
    });
    // A source that cannot read the heap limit cannot project when it is reached (0: unknown).
    const known = Number.isFinite(this.heapLimit)
      ? verdict
      : { ...verdict, heapLimit: 0, timeToHeapLimitMs: undefined };
    this.previous = this.jsFigures ? known : { ...known, summary: summarizeRssOnly(known) };
    return this.previous;
  }
}

/**
 * The series without the bucket still filling: its lowest reading so far may be a sample from the top
 * of the sawtooth, which would read as a jump at the end of the window (the agent's floors, being
 * readings after GCs, have no such bucket).
 */
function completeBuckets(series: EnvelopeSeries, now: number): { since(time: number): TrendPoint[] } {
  const current = Math.floor(now / series.bucketMs) * series.bucketMs;
  return { since: (time) => series.since(time).filter((point) => point.time < current) };
}

/** Without JS figures the heap/external/native split means nothing: say what was judged, RSS. */
function summarizeRssOnly(verdict: LeakVerdict): string {
  const rss = verdict.native;
  const head = verdict.leaking ? 'leak in RSS (the process as a whole)' : rss.status;
  const latest = rss.latestBytes === undefined ? '' : ` ${formatBytes(rss.latestBytes)}`;
  const growth =
    rss.growthBytesPerMinute === undefined
      ? ''
      : ` ${formatGrowth(rss.growthBytesPerMinute)}${
          rss.confidence === undefined ? '' : `, confidence ${(rss.confidence * 100).toFixed(1)}%`
        }`;
  const figures = latest === '' && growth === '' ? '' : `; rss${latest}${growth}`;
  return `${head}${figures}; watched from outside (no JS heap figures)`;
}
