/**
 * The dashboard's wire contract: what `/api/*` answers and what `/api/events` streams. Plain JSON
 * shapes (and the list of sample figures) with no imports, so the browser bundle (`web/`) can import
 * them without pulling in anything of Node. Times are ms since epoch, sizes bytes; unknown figures
 * are `null`.
 */

/** `live`: `memwatcher run/attach/watch --serve`; `history`: `memwatcher dashboard --db`; `in-process`: `watcher.serve()`. */
export type DashboardMode = 'live' | 'history' | 'in-process';

export interface DashboardInfo {
  readonly mode: DashboardMode;
  /** What is watched, for the page title. */
  readonly title: string;
  /** The server can take heap snapshots of (some of) its processes. */
  readonly snapshots: boolean;
  /** The server was started with `--show-strings`: the page may ask for unredacted names. */
  readonly stringsAllowed: boolean;
  /** `/metrics` is served. */
  readonly metrics: boolean;
}

export type DashboardMethod = 'agent' | 'proc' | 'inspector' | 'in-process';

export interface DashboardProcess {
  readonly pid: number;
  /** Program and arguments when known. */
  readonly command: readonly string[];
  readonly method: DashboardMethod;
  readonly nodeVersion: string | null;
  readonly heapLimit: number | null;
  readonly intervalMs: number | null;
  readonly firstSample: number | null;
  readonly lastSample: number | null;
  /** Snapshots can be taken of it now. */
  readonly canSnapshot: boolean;
  /**
   * Why snapshots cannot be taken of it now, said to the user (watched from outside through /proc,
   * exited, a history file); `null` when they can.
   */
  readonly snapshotsUnavailable: string | null;
  /** `null` while it runs. */
  readonly exit: {
    readonly time: number;
    readonly exitCode: number | null;
    readonly signal: string | null;
  } | null;
}

export interface DashboardRun {
  readonly id: number;
  readonly mode: string;
  readonly command: readonly string[];
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** Still being watched (new samples arrive over `/api/events`). */
  readonly live: boolean;
  readonly processes: readonly DashboardProcess[];
}

/**
 * Samples as columns (one array per figure, same length as `time`). With `bucketMs` larger than the
 * sampling interval each point stands for a bucket: sizes are the bucket's highest value (a spike
 * shows at any zoom), the heap floor its lowest, GC pauses its sum.
 */
export interface SampleColumns {
  readonly runId: number;
  readonly pid: number | null;
  readonly bucketMs: number;
  readonly time: number[];
  readonly rss: (number | null)[];
  readonly heapUsed: (number | null)[];
  readonly heapTotal: (number | null)[];
  readonly external: (number | null)[];
  readonly arrayBuffers: (number | null)[];
  readonly heapFloor: (number | null)[];
  readonly gcPauseMs: (number | null)[];
}

export type DashboardVerdictStatus = 'warming-up' | 'insufficient-data' | 'stable' | 'growing' | 'leak';

export interface DashboardTrend {
  readonly status: DashboardVerdictStatus;
  readonly growthBytesPerMinute: number | null;
  readonly confidence: number | null;
  readonly latestBytes: number | null;
}

export interface DashboardVerdict {
  readonly time: number;
  readonly status: DashboardVerdictStatus;
  readonly leaking: boolean;
  readonly culprit: 'js-heap' | 'external' | 'native' | null;
  readonly summary: string;
  readonly timeToHeapLimitMs: number | null;
  readonly heap: DashboardTrend;
  readonly external: DashboardTrend;
  readonly rss: DashboardTrend;
  readonly native: DashboardTrend;
}

export interface DashboardAlert {
  readonly time: number;
  readonly rule: string;
  readonly severity: 'warning' | 'critical';
  readonly message: string;
}

export interface DashboardGc {
  readonly time: number;
  readonly kind: string;
  readonly durationMs: number;
}

export interface DashboardGcKind {
  readonly kind: string;
  readonly count: number;
  readonly totalPauseMs: number;
  readonly maxPauseMs: number;
  /** Pauses counted by duration: `[fromMs, toMs)`, the last bucket open (`toMs` null). */
  readonly buckets: readonly {
    readonly fromMs: number;
    readonly toMs: number | null;
    readonly count: number;
  }[];
}

export interface DashboardSnapshot {
  readonly time: number;
  readonly file: string;
  readonly bytes: number;
  readonly reason: string;
}

export interface DashboardAnalysisSummary {
  readonly id: number;
  readonly pid: number | null;
  readonly time: number;
  readonly files: readonly string[];
  readonly suspectCount: number;
  readonly durationMs: number | null;
}

/** One class of the census: the last snapshot's figures and, with several snapshots, the change since the first. */
export interface DashboardClass {
  readonly name: string;
  readonly type: string;
  readonly count: number;
  readonly selfSize: number;
  readonly retainedSize: number;
  readonly countDelta: number | null;
  readonly sizeDelta: number | null;
}

export interface DashboardPathStep {
  readonly edge: string;
  readonly edgeType: string;
  readonly node: string;
  readonly nodeType: string;
  readonly nodeId: number;
}

export interface DashboardSuspect {
  readonly name: string;
  readonly type: string;
  readonly count: number;
  readonly retainedSize: number;
  readonly growth: readonly number[];
  readonly retainedGrowth: readonly number[] | null;
  readonly location: { readonly url: string | null; readonly line: number; readonly column: number } | null;
  readonly accumulatesIn: {
    readonly name: string;
    readonly type: string;
    readonly nodeId: number;
    readonly edge: string;
  } | null;
  readonly owners: number | null;
  readonly retainerPath: readonly DashboardPathStep[];
}

export interface DashboardAnalysis extends DashboardAnalysisSummary {
  readonly snapshotCount: number;
  /** Names were redacted (string-like keys replaced by their length). */
  readonly redacted: boolean;
  readonly census: readonly DashboardClass[];
  readonly suspects: readonly DashboardSuspect[];
}

export type ActionKind = 'snapshot' | 'series';
export type ActionState = 'capturing' | 'analyzing' | 'done' | 'failed';

/** A snapshot or series the page asked for, and how far it got. */
export interface DashboardAction {
  readonly id: number;
  readonly pid: number;
  readonly kind: ActionKind;
  readonly state: ActionState;
  readonly startedAt: number;
  readonly message: string | null;
  readonly analysisId: number | null;
}

/** Everything but the samples about one process, for a page that just opened. */
export interface ProcessState {
  readonly runId: number;
  readonly pid: number;
  readonly verdict: DashboardVerdict | null;
  /** Every change of the verdict, oldest first (bounded). */
  readonly verdicts: readonly DashboardVerdict[];
  readonly alerts: readonly DashboardAlert[];
  /** Recent GCs whose pause was reported one by one (major GCs for agents), oldest first. */
  readonly gcEvents: readonly DashboardGc[];
  readonly gcKinds: readonly DashboardGcKind[];
  readonly snapshots: readonly DashboardSnapshot[];
  readonly analyses: readonly DashboardAnalysisSummary[];
  readonly actions: readonly DashboardAction[];
  readonly errors: readonly { readonly time: number; readonly code: string; readonly message: string }[];
}

/** The figures of a sample: the columns of {@link SampleColumns} besides `time`. */
export const SAMPLE_FIGURES = [
  'rss',
  'heapUsed',
  'heapTotal',
  'external',
  'arrayBuffers',
  'heapFloor',
  'gcPauseMs',
] as const satisfies readonly (keyof SampleColumns & keyof DashboardSample)[];
export type SampleFigure = (typeof SAMPLE_FIGURES)[number];

/** One sample as streamed (the figures of {@link SampleColumns} at one time). */
export interface DashboardSample {
  readonly time: number;
  readonly rss: number | null;
  readonly heapUsed: number | null;
  readonly heapTotal: number | null;
  readonly external: number | null;
  readonly arrayBuffers: number | null;
  readonly heapFloor: number | null;
  readonly gcPauseMs: number | null;
}

/** What `/api/events` streams: the SSE `event:` name is `type`; `data:` is the whole object as JSON. */
export type DashboardEvent =
  | {
      readonly type: 'sample';
      readonly runId: number;
      readonly pid: number;
      readonly sample: DashboardSample;
    }
  | { readonly type: 'gc'; readonly runId: number; readonly pid: number; readonly gc: DashboardGc }
  | {
      readonly type: 'verdict';
      readonly runId: number;
      readonly pid: number;
      readonly verdict: DashboardVerdict;
    }
  | { readonly type: 'alert'; readonly runId: number; readonly pid: number; readonly alert: DashboardAlert }
  | {
      readonly type: 'snapshot';
      readonly runId: number;
      readonly pid: number;
      readonly snapshot: DashboardSnapshot;
    }
  | {
      readonly type: 'analysis';
      readonly runId: number;
      readonly pid: number;
      readonly analysis: DashboardAnalysisSummary;
    }
  | {
      readonly type: 'action';
      readonly runId: number;
      readonly pid: number;
      readonly action: DashboardAction;
    }
  | {
      readonly type: 'error';
      readonly runId: number;
      readonly pid: number;
      readonly error: { readonly time: number; readonly code: string; readonly message: string };
    }
  /** A process appeared, said who it is, or exited: fetch `/api/runs` again. */
  | { readonly type: 'runs'; readonly runId: number; readonly pid: number };

export type DashboardEventType = DashboardEvent['type'];
