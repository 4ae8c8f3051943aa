import type {
  DashboardAnalysis,
  DashboardEvent,
  DashboardMode,
  DashboardRun,
  ProcessState,
  SampleColumns,
} from './api-types.ts';
import type { SeriesQuery } from './live-series.ts';

/**
 * Where the dashboard's data comes from: a watch in progress (`LiveSource`, fed with the collector's
 * events or a MemoryWatcher's) or a history file (`StoredSource`). The server only reads through this.
 * Methods return `undefined` for a run, process or analysis they do not know; they throw only
 * `MemwatcherError`s (a history file that cannot be read).
 */
export interface DashboardSource {
  readonly mode: DashboardMode;
  /** What is watched, for the page title. */
  title(): string;
  runs(): DashboardRun[];
  samples(runId: number, pid: number | undefined, query: SeriesQuery): SampleColumns | undefined;
  state(runId: number, pid: number | undefined): ProcessState | undefined;
  analysis(id: number, showStrings: boolean): DashboardAnalysis | undefined;
  /** Events as they happen; returns a function that unsubscribes. */
  subscribe(listener: (event: DashboardEvent) => void): () => void;
  close(): void;
}

/** Bounded, oldest first; trims in batches so pushing stays O(1) amortized. */
export class RecentList<T> {
  private items: T[] = [];
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  push(item: T): void {
    this.items.push(item);
    if (this.items.length > this.limit + (this.limit >> 2)) this.items = this.items.slice(-this.limit);
  }

  last(): T | undefined {
    return this.items.at(-1);
  }

  /** The most recent `limit` items, oldest first. */
  list(): T[] {
    return this.items.length > this.limit ? this.items.slice(-this.limit) : [...this.items];
  }
}
