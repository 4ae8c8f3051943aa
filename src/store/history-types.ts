import type { MemoryAlert } from '../agent/alerts/alert.ts';
import type { GcKind } from '../agent/gc-observer.ts';
import type { LeakVerdict } from '../agent/verdict.ts';
import type { AnalysisResult } from '../heap/types.ts';

/** How memwatcher watched the run's processes. */
export type RunMode = 'run' | 'attach' | 'watch' | 'library';

/** What the writer needs to start a run. */
export interface RunStart {
  readonly mode: RunMode;
  /** The command memwatcher ran (`run`), or the target's command line when known. */
  readonly argv: readonly string[];
  /** ms since epoch; default now. */
  readonly startedAt?: number;
}

export interface RunEnd {
  /** ms since epoch; default now. */
  readonly endedAt?: number;
  readonly exitCode?: number | null;
  readonly signal?: string | null;
}

/**
 * One sample to store. An agent's `sample` message fits as it is; a process sampled through
 * `/proc` gives `rss` (and `swap`, `threads`) and leaves the JS figures out. A process has at most one
 * sample per millisecond: a second one with the same `time` replaces the first.
 */
export interface SampleRecord {
  /** ms since epoch. */
  readonly time: number;
  readonly rss: number;
  readonly heapTotal?: number | null;
  readonly heapUsed?: number | null;
  readonly external?: number | null;
  readonly arrayBuffers?: number | null;
  /** Latest post-GC floor of the JS heap; `null` before the first major GC. */
  readonly heapFloor?: number | null;
  readonly swap?: number | null;
  readonly threads?: number | null;
  readonly detachedContexts?: number | null;
  /** GC pause and count since the previous sample. */
  readonly gcPauseMs?: number | null;
  readonly gcCount?: number | null;
}

export interface GcRecord {
  readonly time: number;
  readonly kind: GcKind;
  readonly durationMs: number;
  readonly heapFloor?: number | null;
  readonly externalFloor?: number | null;
}

export interface SnapshotRecord {
  readonly time: number;
  readonly file: string;
  readonly bytes: number;
  /** Why or by whom it was taken: the agent's reason (`leak`, `on-demand`, `near-heap-limit`) or a user label. */
  readonly label: string;
  readonly durationMs?: number | null;
}

export interface AnalysisRecord {
  readonly time: number;
  readonly result: AnalysisResult;
  readonly durationMs?: number | null;
}

export interface FaultRecord {
  readonly time: number;
  readonly code: string;
  readonly message: string;
}

/** A watched process of a run. */
export interface StoredProcess {
  readonly pid: number;
  /** The first time anything was heard from it. */
  readonly firstSeen: number;
  /** Known once its agent said hello (Node processes); `null` for processes sampled from outside. */
  readonly argv: readonly string[] | null;
  readonly nodeVersion: string | null;
  readonly intervalMs: number | null;
  readonly heapLimit: number | null;
  /** Time of its first and last stored sample (raw or summarized), `null` without samples. */
  readonly firstSample: number | null;
  readonly lastSample: number | null;
}

export interface StoredRun {
  readonly id: number;
  readonly mode: RunMode;
  readonly argv: readonly string[];
  readonly hostname: string;
  readonly startedAt: number;
  /** `null` while it runs, or when the writer was killed before it could say. */
  readonly endedAt: number | null;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly processes: readonly StoredProcess[];
}

/** Lowest, highest and average of a figure over a bucket. */
export interface FigureRange {
  readonly min: number;
  readonly max: number;
  readonly avg: number;
}

/**
 * One point of a downsampled series: the samples of one time bucket. A figure is `null` when no
 * sample of the bucket had it (JS figures of a process sampled from outside; the heap floor before
 * the first major GC).
 */
export interface SamplePoint {
  /** Time of the bucket's first sample (or first summarized bucket). */
  readonly time: number;
  /** Time of its last one. */
  readonly lastTime: number;
  /** How many samples it stands for. */
  readonly samples: number;
  readonly rss: FigureRange | null;
  readonly heapTotal: FigureRange | null;
  readonly heapUsed: FigureRange | null;
  readonly external: FigureRange | null;
  readonly arrayBuffers: FigureRange | null;
  readonly heapFloor: FigureRange | null;
  readonly swap: FigureRange | null;
  readonly threads: FigureRange | null;
  readonly detachedContexts: FigureRange | null;
  /** GC pause and count summed over the bucket. */
  readonly gcPauseMs: number;
  readonly gcCount: number;
}

export interface SampleSeries {
  readonly runId: number;
  /** The process the samples are of; `null` when the run has none. */
  readonly pid: number | null;
  readonly from: number;
  readonly to: number;
  /** Width of each bucket; buckets start at `from + k × bucketMs`. */
  readonly bucketMs: number;
  readonly points: readonly SamplePoint[];
}

export interface GcPauseBucket {
  /** Pauses at least this long (ms)… */
  readonly fromMs: number;
  /** …and shorter than this; `null` for the last, open bucket. */
  readonly toMs: number | null;
  readonly count: number;
}

export interface GcPauseHistogram {
  readonly kind: GcKind;
  readonly count: number;
  readonly totalPauseMs: number;
  readonly maxPauseMs: number;
  readonly buckets: readonly GcPauseBucket[];
}

export interface StoredGcEvent extends GcRecord {
  readonly pid: number;
  readonly heapFloor: number | null;
  readonly externalFloor: number | null;
}

export interface StoredAlert {
  readonly id: number;
  readonly pid: number;
  readonly time: number;
  readonly alert: MemoryAlert;
}

export interface StoredVerdict {
  readonly pid: number;
  readonly time: number;
  /** The agent announced a leak with this verdict (its `leak` event), not only a status change. */
  readonly leakEvent: boolean;
  readonly verdict: LeakVerdict;
}

export interface StoredSnapshot {
  readonly id: number;
  readonly pid: number;
  readonly time: number;
  readonly file: string;
  readonly bytes: number;
  readonly label: string;
  readonly durationMs: number | null;
}

/** An analysis without its result: what lists show (results are parsed only when asked for). */
export interface StoredAnalysisSummary {
  readonly id: number;
  readonly pid: number | null;
  readonly time: number;
  /** The snapshot files analyzed, in order. */
  readonly files: readonly string[];
  /** How many leak suspects it found. */
  readonly suspectCount: number;
  readonly durationMs: number | null;
}

export interface StoredAnalysis extends StoredAnalysisSummary {
  readonly result: AnalysisResult;
}

export interface StoredFault extends FaultRecord {
  readonly pid: number;
}

/** A time range and a cap for event queries; all optional. */
export interface EventQuery {
  readonly pid?: number;
  /** ms since epoch, inclusive. */
  readonly from?: number;
  /** ms since epoch, inclusive. */
  readonly to?: number;
  /** At most this many, the most recent ones (still returned oldest first). */
  readonly limit?: number;
}
