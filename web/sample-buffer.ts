import {
  type DashboardSample,
  SAMPLE_FIGURES,
  type SampleColumns,
  type SampleFigure,
} from '../src/server/api-types.ts';

/** Past this many points the page asks the server for the whole run again, downsampled. */
export const MAX_POINTS_IN_PAGE = 150_000;
/** What the page asks for: a day of 1 s samples arrives at full resolution. */
export const POINTS_PER_FETCH = 100_000;

/**
 * The chart's data, as columns the charts draw without copying (uPlot keeps references to them).
 * Live samples are appended; `version` changes with every change so charts know when to redraw.
 */
export class SampleBuffer {
  time: number[] = [];
  columns: Record<SampleFigure, (number | null)[]> = emptyColumns();
  /** 0 for raw samples; the server's bucket width when it downsampled. */
  bucketMs = 0;
  version = 0;
  private readonly listeners = new Set<() => void>();

  get length(): number {
    return this.time.length;
  }

  replace(series: SampleColumns): void {
    this.time = series.time;
    this.columns = {
      rss: series.rss,
      heapUsed: series.heapUsed,
      heapTotal: series.heapTotal,
      external: series.external,
      arrayBuffers: series.arrayBuffers,
      heapFloor: series.heapFloor,
      gcPauseMs: series.gcPauseMs,
    };
    this.bucketMs = series.bucketMs;
    this.changed();
  }

  clear(): void {
    this.time = [];
    this.columns = emptyColumns();
    this.bucketMs = 0;
    this.changed();
  }

  /** Returns false when the sample is older than the last one (already in a fetched series). */
  append(sample: DashboardSample): boolean {
    const last = this.time[this.time.length - 1];
    if (last !== undefined && sample.time <= last) return false;
    this.time.push(sample.time);
    for (const figure of SAMPLE_FIGURES) this.columns[figure].push(sample[figure]);
    this.changed();
    return true;
  }

  /** The most recent value of a figure that is known. */
  latest(figure: SampleFigure): number | null {
    const column = this.columns[figure];
    for (let i = column.length - 1; i >= 0 && i >= column.length - 120; i--) {
      const value = column[i];
      if (value !== null && value !== undefined) return value;
    }
    return null;
  }

  /** Sum of a figure over the last `ms`. */
  sumSince(figure: SampleFigure, ms: number): number | null {
    const end = this.time[this.time.length - 1];
    if (end === undefined) return null;
    let sum = 0;
    let known = false;
    for (let i = this.time.length - 1; i >= 0 && this.time[i]! > end - ms; i--) {
      const value = this.columns[figure][i];
      if (value !== null && value !== undefined) {
        sum += value;
        known = true;
      }
    }
    return known ? sum : null;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    this.version++;
    for (const listener of this.listeners) listener();
  }
}

function emptyColumns(): Record<SampleFigure, (number | null)[]> {
  return {
    rss: [],
    heapUsed: [],
    heapTotal: [],
    external: [],
    arrayBuffers: [],
    heapFloor: [],
    gcPauseMs: [],
  };
}
