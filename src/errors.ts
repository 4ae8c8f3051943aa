/**
 * Every error memwatcher raises on purpose. Each has a stable `code` that scripts and the CLI rely on
 * (the CLI maps codes to exit codes in `src/cli/exit.ts`); messages say what happened and what to do.
 * Anything thrown that is not a `MemwatcherError` is a bug in memwatcher.
 */

export interface MemwatcherErrorOptions {
  cause?: unknown;
}

export class MemwatcherError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: MemwatcherErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
  }
}

/** The command line was wrong: unknown command or flag, missing argument, bad value. */
export class UsageError extends MemwatcherError {
  constructor(message: string, options?: MemwatcherErrorOptions) {
    super('ERR_USAGE', message, options);
  }
}

/** An option passed to an API (or through an environment variable) is invalid. Thrown at construction. */
export class InvalidOptionError extends MemwatcherError {
  readonly option: string;

  constructor(option: string, message: string, options?: MemwatcherErrorOptions) {
    super('ERR_INVALID_OPTION', `${option}: ${message}`, options);
    this.option = option;
  }
}

/** A file could not be opened or read: missing, a directory, no permission. */
export class FileAccessError extends MemwatcherError {
  readonly path: string;

  constructor(path: string, message: string, options?: MemwatcherErrorOptions) {
    super('ERR_FILE_ACCESS', message, options);
    this.path = path;
  }
}

export type SnapshotFormatCode =
  /** 0 bytes: typically a process killed while writing the snapshot. */
  | 'ERR_SNAPSHOT_EMPTY'
  /** The file ends before the snapshot does. */
  | 'ERR_SNAPSHOT_TRUNCATED'
  /** Not JSON at all, or JSON broken in the middle. */
  | 'ERR_SNAPSHOT_NOT_JSON'
  /** Valid JSON that is not a V8 heap snapshot (no `snapshot.meta`, unknown layout). */
  | 'ERR_SNAPSHOT_NOT_A_SNAPSHOT'
  /** Counts or references that contradict each other (node_count vs nodes, edge targets out of range…). */
  | 'ERR_SNAPSHOT_INCONSISTENT';

/** A heap snapshot file is unusable. The message names the file, the byte offset when known, and why. */
export class SnapshotFormatError extends MemwatcherError {
  readonly file: string;
  readonly offset: number | undefined;

  constructor(
    code: SnapshotFormatCode,
    file: string,
    message: string,
    offset?: number,
    options?: MemwatcherErrorOptions,
  ) {
    super(code, `${file}: ${message}${offset === undefined ? '' : ` (at byte ${offset})`}`, options);
    this.file = file;
    this.offset = offset;
  }
}

/** Several snapshots were given that cannot be compared (different processes, wrong order). */
export class SnapshotMismatchError extends MemwatcherError {
  constructor(message: string, options?: MemwatcherErrorOptions) {
    super('ERR_SNAPSHOT_MISMATCH', message, options);
  }
}

/** Work was cancelled through an AbortSignal. */
export class AbortedError extends MemwatcherError {
  constructor(message = 'The operation was aborted.', options?: MemwatcherErrorOptions) {
    super('ERR_ABORTED', message, options);
  }
}

export function isMemwatcherError(error: unknown): error is MemwatcherError {
  return error instanceof MemwatcherError;
}

export type SnapshotCaptureCode =
  /** The target directory is missing, not a directory, or not writable. */
  | 'ERR_SNAPSHOT_DIR'
  /** The disk (or a quota, or the file size limit) ran out while the snapshot was written. */
  | 'ERR_SNAPSHOT_NO_SPACE'
  /** Any other failure while taking or writing the snapshot. */
  | 'ERR_SNAPSHOT_CAPTURE';

/** Taking a heap snapshot failed. No partial file is left behind; `file` is the name it would have had. */
export class SnapshotCaptureError extends MemwatcherError {
  readonly file: string;

  constructor(code: SnapshotCaptureCode, file: string, message: string, options?: MemwatcherErrorOptions) {
    super(code, message, options);
    this.file = file;
  }
}

/**
 * The heap analysis worker failed. `code` is the engine's own code when it reported one (for example
 * `ERR_SNAPSHOT_TRUNCATED`), or `ERR_ANALYSIS_OUT_OF_MEMORY`, `ERR_ANALYSIS_CRASHED`,
 * `ERR_ANALYSIS_UNAVAILABLE` when the worker died or could not start.
 */
export class HeapAnalysisError extends MemwatcherError {}

/** The in-process inspector is missing (Node built without it) or refused a command. */
export class InspectorError extends MemwatcherError {
  constructor(message: string, options?: MemwatcherErrorOptions) {
    super('ERR_INSPECTOR', message, options);
  }
}

/**
 * A method was called when the object cannot serve it: after `dispose()` released its resources, or
 * before the step it needs (e.g. allocation sites before sampling started). The message says which.
 */
export class InvalidStateError extends MemwatcherError {
  constructor(message: string, options?: MemwatcherErrorOptions) {
    super('ERR_INVALID_STATE', message, options);
  }
}

export type AgentFaultCode =
  /** A webhook or email alert was given up after its retries, or refused (HTTP 4xx, SMTP 5xx). */
  | 'ERR_ALERT_DELIVERY'
  /** An alert sink's queue was full (receiver down or slow): the oldest waiting alert was dropped. */
  | 'ERR_ALERT_DROPPED'
  /** A callback or listener of the host threw or rejected (`onAlert`, an event listener, a logger). */
  | 'ERR_HOST_CALLBACK'
  /** The attached census failed or did not answer in time; the alert went out without classes. */
  | 'ERR_CENSUS'
  /** An automatic heap snapshot failed. */
  | 'ERR_SNAPSHOT_AUTO'
  /** Reading memory figures or GC entries failed (a bug in memwatcher, or an unusual runtime). */
  | 'ERR_AGENT_INTERNAL';

/**
 * Something went wrong inside the in-process agent while it ran. Never thrown into the host: it is
 * emitted on the watcher's `error` event (or, when nobody listens, as one process warning per code),
 * and the agent keeps running.
 */
export class AgentFaultError extends MemwatcherError {
  constructor(code: AgentFaultCode, message: string, options?: MemwatcherErrorOptions) {
    super(code, message, options);
  }
}

export type StoreErrorCode =
  /** `node:sqlite` is missing: Node older than 22.13 needs `--experimental-sqlite` (22.5–22.12). */
  | 'ERR_STORE_UNAVAILABLE'
  /** The history file could not be opened or created, or it is not a memwatcher history file. */
  | 'ERR_STORE_OPEN'
  /** The history file was written by a newer memwatcher (its schema version is unknown here). */
  | 'ERR_STORE_VERSION'
  /** Writing history failed (I/O error, file locked by another writer for too long, read-only file). */
  | 'ERR_STORE_WRITE'
  /** The disk, a quota or the file size limit ran out while history was written. */
  | 'ERR_STORE_FULL'
  /** Reading history failed (damaged file, I/O error). */
  | 'ERR_STORE_READ';

/**
 * The history store (a SQLite file) failed. Opening throws it; failures while writing in the
 * background are reported through the writer's `onError`, never thrown out of a timer.
 */
export class StoreError extends MemwatcherError {
  declare readonly code: StoreErrorCode;
  readonly file: string;

  constructor(code: StoreErrorCode, file: string, message: string, options?: MemwatcherErrorOptions) {
    super(code, message, options);
    this.file = file;
  }
}

export type LeakAssertionCode =
  /** `assertNoLeak`: memory retained per call kept growing beyond the tolerance. */
  | 'ERR_LEAK_DETECTED'
  /** `expectCollected`: an object that should have become unreachable is still alive. */
  | 'ERR_NOT_COLLECTED'
  /** `assertNoLeak` reached its `timeout` before a verdict (a slow or never-settling function). */
  | 'ERR_LEAK_ASSERTION_TIMEOUT';

/** One step of a retainer path, as the heap engine reports it (GC root first). */
export interface LeakAssertionPathStep {
  edge: string;
  edgeType: string;
  node: string;
  nodeType: string;
  nodeId: number;
}

/** A class that accumulated across the heap snapshots `assertNoLeak` took. */
export interface LeakAssertionClass {
  name: string;
  /** Live objects of the class in each snapshot. */
  counts: number[];
  /** Bytes retained per call of the function under test, from the first snapshot to the last. */
  bytesPerCall: number;
}

/**
 * A leak assertion of `memwatcher/testing` failed. The message says what grew and who holds it; the
 * same facts are on the error for tools: growth per call, growing classes, a retainer path, and the
 * heap snapshots when they were kept.
 */
export class LeakAssertionError extends MemwatcherError {
  /** Heap floor growth per call (`ERR_LEAK_DETECTED`). */
  readonly growthBytesPerCall: number | undefined;
  /** Classes that accumulated, largest first (`ERR_LEAK_DETECTED`, when the snapshots show them). */
  readonly classes: readonly LeakAssertionClass[];
  /** GC root → a representative leaked object, or the object that was not collected. */
  readonly retainerPath: readonly LeakAssertionPathStep[] | undefined;
  /** Heap snapshot files kept for inspection (`keepSnapshots`); empty when they were removed. */
  readonly snapshots: readonly string[];

  constructor(
    code: LeakAssertionCode,
    message: string,
    evidence: {
      growthBytesPerCall?: number;
      classes?: readonly LeakAssertionClass[];
      retainerPath?: readonly LeakAssertionPathStep[];
      snapshots?: readonly string[];
    } = {},
    options?: MemwatcherErrorOptions,
  ) {
    super(code, message, options);
    this.growthBytesPerCall = evidence.growthBytesPerCall;
    this.classes = evidence.classes ?? [];
    this.retainerPath = evidence.retainerPath;
    this.snapshots = evidence.snapshots ?? [];
  }
}

export type ChartRenderCode =
  /** No font could draw the labels of a PNG (install one, e.g. Debian's fonts-dejavu-core). */
  | 'ERR_NO_FONTS'
  /** The SVG could not be turned into a PNG. */
  | 'ERR_PNG_RENDER'
  /** The run has nothing this chart draws (no GC pauses, no classes, no suspects…). */
  | 'ERR_CHART_EMPTY';

/** A chart or retainer graph could not be drawn as an image. */
export class ChartRenderError extends MemwatcherError {
  constructor(code: ChartRenderCode, message: string, options?: MemwatcherErrorOptions) {
    super(code, message, options);
  }
}

export type AttachErrorCode =
  /** No process has that PID (it exited, or the number is wrong). */
  | 'ERR_NO_SUCH_PROCESS'
  /** The process belongs to another user: memwatcher may not signal or inspect it. */
  | 'ERR_PROCESS_PERMISSION'
  /** The process is not a Node.js process that opens its inspector on SIGUSR1 (signalling it could kill it). */
  | 'ERR_NOT_NODE'
  /** The inspector's port is taken by another process, so the target cannot open its inspector there. */
  | 'ERR_INSPECTOR_PORT_BUSY'
  /** The inspector listens (or would listen) on an address other than loopback: refused. */
  | 'ERR_INSPECTOR_NOT_LOOPBACK'
  /** The inspector did not open, or could not be reached, in time. */
  | 'ERR_INSPECTOR_UNREACHABLE'
  /** An inspector command failed, timed out, or the connection dropped. */
  | 'ERR_INSPECTOR_PROTOCOL'
  /** The process exited while memwatcher was attached to it. */
  | 'ERR_TARGET_EXITED';

/**
 * Attaching to a running process through its inspector (`memwatcher attach`, `memwatcher snapshot`)
 * failed. `pid` is the process memwatcher was asked to attach to.
 */
export class AttachError extends MemwatcherError {
  declare readonly code: AttachErrorCode;
  readonly pid: number;

  constructor(code: AttachErrorCode, pid: number, message: string, options?: MemwatcherErrorOptions) {
    super(code, message, options);
    this.pid = pid;
  }
}

export type CollectorFaultCode =
  /** An alert was given up after its retries, or refused (HTTP 4xx, SMTP 5xx). */
  | 'ERR_ALERT_DELIVERY'
  /** An alert sink's queue was full (receiver down or slow): the oldest waiting alert was dropped. */
  | 'ERR_ALERT_DROPPED'
  /** Writing the `--events` file failed (disk full, file removed, no permission). */
  | 'ERR_EVENTS_WRITE'
  /** A sink of the collector threw (a bug in the sink, or the store refusing writes). */
  | 'ERR_SINK'
  /** The heap snapshot series or its analysis after a leak verdict failed. */
  | 'ERR_LEAK_EVIDENCE';

/**
 * Something the memwatcher process could not do while watching (`run`, `watch`, `attach`). Never
 * thrown: reported as an `error` event and one line on stderr, and watching goes on.
 */
export class CollectorFaultError extends MemwatcherError {
  constructor(code: CollectorFaultCode, message: string, options?: MemwatcherErrorOptions) {
    super(code, message, options);
  }
}

export type CommandStartCode =
  /** No such program (not on PATH, wrong path). Exit code 127, as shells do. */
  | 'ERR_COMMAND_NOT_FOUND'
  /** The program exists but cannot be executed (no permission, not an executable). Exit code 126. */
  | 'ERR_COMMAND_NOT_EXECUTABLE';

/** `memwatcher run -- <command>` could not start the command. */
export class CommandStartError extends MemwatcherError {
  constructor(code: CommandStartCode, message: string, options?: MemwatcherErrorOptions) {
    super(code, message, options);
  }
}

export type MetricsErrorCode =
  /** The metrics endpoint could not listen: the port is taken, the address is not this machine's, no permission. */
  | 'ERR_METRICS_LISTEN'
  /** A bridge was asked for but its package is not installed (`prom-client`, `@opentelemetry/api`). */
  | 'ERR_METRICS_PEER_MISSING'
  /** memwatcher's metrics are already registered in that prom-client registry (registered twice). */
  | 'ERR_METRICS_ALREADY_REGISTERED';

/** The metrics endpoint or a metrics bridge (prom-client, OpenTelemetry) could not be set up. */
export class MetricsError extends MemwatcherError {
  declare readonly code: MetricsErrorCode;

  constructor(code: MetricsErrorCode, message: string, options?: MemwatcherErrorOptions) {
    super(code, message, options);
  }
}

export type DashboardErrorCode =
  /** The dashboard could not listen: the port is taken, the address is not this machine's, no permission. */
  | 'ERR_DASHBOARD_LISTEN'
  /** The dashboard's web assets are missing: the package was not built (`npm run build:web`). */
  | 'ERR_DASHBOARD_ASSETS'
  /** A snapshot is already being taken of that process; one at a time (each pauses it). */
  | 'ERR_DASHBOARD_BUSY'
  /** Heap snapshots cannot be taken of that process (watched from outside, exited, or history only). */
  | 'ERR_DASHBOARD_NO_SNAPSHOTS';

/** The live dashboard could not start, or refused an action the page asked for. */
export class DashboardError extends MemwatcherError {
  declare readonly code: DashboardErrorCode;

  constructor(code: DashboardErrorCode, message: string, options?: MemwatcherErrorOptions) {
    super(code, message, options);
  }
}
