/**
 * What a report is made from: plain, JSON-safe data about one watched run. Whatever holds the
 * history (the agent's IPC messages, an NDJSON events file, the sqlite store) is turned into this
 * shape by a small adapter, and every report form (HTML, text, JSON, charts, retainer graphs) reads
 * only this. Missing figures are `null`, never absent, so a JSON round trip changes nothing.
 *
 * Times are ms since epoch; sizes are bytes.
 */
import type { LeakSuspect } from '../heap/types.ts';

export type { LeakSuspect, RetainerPathStep, SourceLocation } from '../heap/types.ts';

/** How the process was watched: by the agent inside it (Node), or from outside through `/proc`. */
export type WatchMethod = 'agent' | 'proc';

export interface ReportRun {
  /** The watched command line (program first). */
  readonly command: readonly string[];
  readonly pid: number | null;
  readonly watchedBy: WatchMethod;
  /** `v24.1.0` for Node programs watched by the agent; `null` when unknown. */
  readonly nodeVersion: string | null;
  readonly startedAt: number;
  /** `null` while the process still runs. */
  readonly endedAt: number | null;
  readonly exitCode: number | null;
  /** The signal that ended the process (`SIGKILL`), if one did. */
  readonly signal: string | null;
  /** V8's heap size limit; `null` for processes watched from outside. */
  readonly heapLimit: number | null;
  /** Sampling interval. */
  readonly intervalMs: number | null;
}

/** One memory reading. Only `rss` is known for processes watched from outside. */
export interface MemoryPoint {
  readonly time: number;
  readonly rss: number;
  readonly heapUsed: number | null;
  readonly heapTotal: number | null;
  readonly external: number | null;
  readonly arrayBuffers: number | null;
  /** JS heap left by the latest major GC; `null` before the first one. */
  readonly heapFloor: number | null;
  /** GC pause (all kinds) and collections since the previous reading. */
  readonly gcPauseMs: number | null;
  readonly gcCount: number | null;
}

export type GcKind = 'minor' | 'major' | 'incremental' | 'weakcb';

/** One garbage collection whose pause was recorded (the agent reports major GCs one by one). */
export interface GcPause {
  readonly time: number;
  readonly kind: GcKind;
  readonly durationMs: number;
}

export type VerdictStatus = 'warming-up' | 'insufficient-data' | 'stable' | 'growing' | 'leak';

export type LeakCulprit = 'js-heap' | 'external' | 'native';

/** The memory figures the verdict judges: the JS heap floor after GC, external, native, RSS. */
export type JudgedFigure = 'heapFloor' | 'external' | 'native' | 'rss';

/** The leak verdict from `time` on (until the next one). */
export interface VerdictPoint {
  readonly time: number;
  readonly status: VerdictStatus;
  readonly leaking: boolean;
  readonly culprit: LeakCulprit | null;
  /** The figure `growthBytesPerMinute` and `confidence` are about: the culprit, else the one that set the status. */
  readonly figure: JudgedFigure;
  readonly growthBytesPerMinute: number | null;
  /** Probability that the figure really grows, 0–1. */
  readonly confidence: number | null;
  readonly timeToHeapLimitMs: number | null;
}

export interface ReportAlert {
  readonly time: number;
  /** The rule that fired: `heapUsedAbove`, `rssAbove`, `growthAbove`, `leak`… */
  readonly rule: string;
  readonly severity: 'warning' | 'critical';
  /** One line for people, as the agent wrote it. */
  readonly message: string;
}

export interface SnapshotTaken {
  readonly time: number;
  readonly file: string;
  /** `on-demand`, `leak`, `near-heap-limit`. */
  readonly reason: string;
  readonly bytes: number;
}

/** A class in the heap: how many, how big, and how it changed between the first and last census. */
export interface ClassGrowth {
  readonly name: string;
  /** V8 node type (`object`, `closure`, `string`…) when known. */
  readonly type: string | null;
  /** Live instances in the latest census or snapshot. */
  readonly count: number;
  readonly selfSize: number | null;
  readonly retainedSize: number | null;
  /** Change since the first census or snapshot; `null` with a single one. */
  readonly countDelta: number | null;
  /** Change of the instances' own (self) size since the first census or snapshot. */
  readonly selfSizeDelta: number | null;
}

/** A JavaScript frame; `line`/`column` 1-based, as in stack traces. */
export interface ReportStackFrame {
  readonly functionName: string;
  readonly url: string;
  readonly line: number;
  readonly column: number;
}

/** Live bytes attributed to where they were allocated (V8's sampling heap profiler: an estimate). */
export interface ReportAllocationSite extends ReportStackFrame {
  readonly liveBytes: number;
  readonly samples: number;
  /** Innermost frame first. */
  readonly stack: readonly ReportStackFrame[];
}

/**
 * Everything a report shows. Lists may be empty: a run watched from outside has no GC pauses, a run
 * without snapshots has no classes or suspects, allocation sites exist only when they were recorded.
 *
 * @example
 * const model: ReportModel = reportModelFromMessages(messages, { exitCode: 0 });
 * writeFileSync('report.html', await renderReportHtml(model));
 */
export interface ReportModel {
  readonly run: ReportRun;
  /** In time order. */
  readonly samples: readonly MemoryPoint[];
  readonly gcPauses: readonly GcPause[];
  /** Each change of the verdict, in time order. */
  readonly verdicts: readonly VerdictPoint[];
  readonly alerts: readonly ReportAlert[];
  readonly snapshots: readonly SnapshotTaken[];
  /** Largest first (by retained size, else by count). */
  readonly classes: readonly ClassGrowth[];
  /** From the heap engine (`memwatcher analyze`), largest first. */
  readonly suspects: readonly LeakSuspect[];
  /**
   * How many heap snapshots `classes` and `suspects` come from: 0 when none was analyzed (classes
   * may then still come from a census), 1 for a single snapshot (no suspects possible).
   */
  readonly analyzedSnapshots: number;
  readonly allocationSites: readonly ReportAllocationSite[];
}
