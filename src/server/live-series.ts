import { type DashboardSample, SAMPLE_FIGURES, type SampleColumns, type SampleFigure } from './api-types.ts';

/** How a bucket of samples becomes one point: peaks of sizes, the lowest floor, the summed GC pause. */
const FOLD: Record<SampleFigure, 'max' | 'min' | 'sum'> = {
  rss: 'max',
  heapUsed: 'max',
  heapTotal: 'max',
  external: 'max',
  arrayBuffers: 'max',
  heapFloor: 'min',
  gcPauseMs: 'sum',
};

const INITIAL_CAPACITY = 4096;

export interface SeriesQuery {
  readonly from?: number | undefined;
  readonly to?: number | undefined;
  /** At most this many points (equal-width time buckets). */
  readonly maxPoints: number;
}

/**
 * One process' samples for the live dashboard, in memory, bounded: columns of doubles (`NaN` for a
 * figure the source cannot read) that grow by doubling up to `capacity`; when full, every two
 * neighbouring points are folded into one, so the whole run stays on the chart at half the
 * resolution instead of its start being dropped. A day of 1 s samples fits before any folding with
 * the default capacity (131,072 points, 7.3 MB).
 *
 * @example
 * const series = new LiveSeries();
 * series.add(sample);
 * const columns = series.read({ maxPoints: 2000 }, runId, pid);
 */
export class LiveSeries {
  private readonly capacity: number;
  private time: Float64Array;
  private readonly columns: Record<SampleFigure, Float64Array>;
  private length = 0;

  constructor(capacity = 131_072) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError('capacity must be an integer ≥ 2');
    this.capacity = capacity;
    const initial = Math.min(INITIAL_CAPACITY, capacity);
    this.time = new Float64Array(initial);
    this.columns = Object.fromEntries(
      SAMPLE_FIGURES.map((figure) => [figure, new Float64Array(initial)]),
    ) as Record<SampleFigure, Float64Array>;
  }

  get size(): number {
    return this.length;
  }

  get firstTime(): number | null {
    return this.length === 0 ? null : this.time[0]!;
  }

  get lastTime(): number | null {
    return this.length === 0 ? null : this.time[this.length - 1]!;
  }

  /** Bytes held by the columns now. */
  get retainedBytes(): number {
    return this.time.byteLength * (SAMPLE_FIGURES.length + 1);
  }

  /** Appends a sample; one older than the last is ignored (sources deliver in order). */
  add(sample: DashboardSample): void {
    if (this.length > 0 && sample.time < this.time[this.length - 1]!) return;
    if (this.length === this.time.length) {
      if (this.length < this.capacity) this.grow(Math.min(this.capacity, this.length * 2));
      else this.fold();
    }
    const at = this.length++;
    this.time[at] = sample.time;
    for (const figure of SAMPLE_FIGURES) this.columns[figure][at] = sample[figure] ?? Number.NaN;
  }

  /**
   * The samples between `from` and `to` (inclusive, default all), at most `maxPoints` of them: when
   * there are more, equal-width time buckets folded like the stored history (peaks, lowest floor,
   * summed pauses).
   */
  read(query: SeriesQuery, runId: number, pid: number): SampleColumns {
    const start = this.lowerBound(query.from ?? Number.NEGATIVE_INFINITY);
    const end = this.upperBound(query.to ?? Number.POSITIVE_INFINITY);
    const count = Math.max(0, end - start);
    const out = emptyColumns(runId, pid, 0);
    if (count === 0) return out;
    const first = this.time[start]!;
    const last = this.time[end - 1]!;
    if (count <= query.maxPoints) {
      for (let i = start; i < end; i++) this.push(out, i);
      return { ...out, bucketMs: 0 };
    }
    const bucketMs = Math.max(1, Math.ceil((last - first + 1) / query.maxPoints));
    let i = start;
    while (i < end) {
      const bucket = Math.floor((this.time[i]! - first) / bucketMs);
      const bucketEnd = first + (bucket + 1) * bucketMs;
      let j = i + 1;
      while (j < end && this.time[j]! < bucketEnd) j++;
      out.time.push(this.time[i]!);
      for (const figure of SAMPLE_FIGURES)
        out[figure].push(nullable(foldRange(this.columns[figure], i, j, FOLD[figure])));
      i = j;
    }
    return { ...out, bucketMs };
  }

  private push(out: ReturnType<typeof emptyColumns>, i: number): void {
    out.time.push(this.time[i]!);
    for (const figure of SAMPLE_FIGURES) out[figure].push(nullable(this.columns[figure][i]!));
  }

  private grow(size: number): void {
    const resize = (column: Float64Array) => {
      const next = new Float64Array(size);
      next.set(column.subarray(0, this.length));
      return next;
    };
    this.time = resize(this.time);
    for (const figure of SAMPLE_FIGURES) this.columns[figure] = resize(this.columns[figure]);
  }

  /** Halves the resolution in place: point k becomes the fold of points 2k and 2k+1. */
  private fold(): void {
    const half = Math.floor(this.length / 2);
    for (let k = 0; k < half; k++) {
      this.time[k] = this.time[2 * k]!;
      for (const figure of SAMPLE_FIGURES) {
        const column = this.columns[figure];
        column[k] = foldRange(column, 2 * k, 2 * k + 2, FOLD[figure]);
      }
    }
    // An odd last point keeps its own resolution.
    if (this.length % 2 === 1) {
      this.time[half] = this.time[this.length - 1]!;
      for (const figure of SAMPLE_FIGURES)
        this.columns[figure][half] = this.columns[figure][this.length - 1]!;
    }
    this.length = Math.ceil(this.length / 2);
  }

  private lowerBound(time: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.time[mid]! < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private upperBound(time: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.time[mid]! <= time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** NaN (unknown) values are skipped; a range of unknowns stays unknown. */
function foldRange(column: Float64Array, from: number, to: number, how: 'max' | 'min' | 'sum'): number {
  let result = Number.NaN;
  for (let i = from; i < to; i++) {
    const value = column[i]!;
    if (Number.isNaN(value)) continue;
    if (Number.isNaN(result)) result = value;
    else if (how === 'max') result = Math.max(value, result);
    else if (how === 'min') result = Math.min(value, result);
    else result += value;
  }
  return result;
}

function nullable(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}

type MutableColumns = { -readonly [K in keyof SampleColumns]: SampleColumns[K] };

/** Columns without points, to fill. */
export function emptyColumns(runId: number, pid: number | null, bucketMs: number): MutableColumns {
  return {
    runId,
    pid,
    bucketMs,
    time: [],
    rss: [],
    heapUsed: [],
    heapTotal: [],
    external: [],
    arrayBuffers: [],
    heapFloor: [],
    gcPauseMs: [],
  };
}
