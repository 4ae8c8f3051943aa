import { hostname } from 'node:os';
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { MemoryAlert } from '../agent/alerts/alert.ts';
import type { AgentMessage } from '../agent/ipc-protocol.ts';
import type { LeakVerdict } from '../agent/verdict.ts';
import { InvalidStateError, StoreError } from '../errors.ts';
import type {
  AnalysisRecord,
  FaultRecord,
  GcRecord,
  RunEnd,
  RunStart,
  SampleRecord,
  SnapshotRecord,
} from './history-types.ts';
import { closeQuietly, openForWriting } from './open-database.ts';
import { applyRetention, type RetentionResult } from './retention.ts';
import { SAMPLE_FIGURES } from './sample-figures.ts';
import { isRetryable, writeError } from './sqlite-errors.ts';
import { rollbackOpenTransaction } from './sqlite-module.ts';
import { type HistoryWriterOptions, resolveWriterOptions, type WriterSettings } from './writer-options.ts';
import { finiteNumber, prepareStatements, type WriterStatements, wholeNumber } from './writer-statements.ts';

export interface HistoryWriterStats {
  /** Rows waiting in memory. */
  readonly pendingRows: number;
  readonly writtenRows: number;
  /** Rows lost: dropped while the disk refused writes, refused by SQLite, or recorded after `close()`. */
  readonly droppedRows: number;
  readonly flushes: number;
  readonly failedFlushes: number;
  readonly lastError: StoreError | undefined;
}

const REPORT_AGAIN_AFTER_MS = 60_000;

interface PendingRow {
  readonly statement: StatementSync;
  readonly params: readonly SQLInputValue[];
  /** Rows other rows depend on (a process's own row, a run's end): never dropped to make room. */
  readonly essential: boolean;
}

/**
 * Writes history in batches: rows wait in memory and are committed together, every second or when
 * enough wait, in one transaction. A writer killed with SIGKILL leaves a readable file that lacks
 * at most the rows of the last `flushIntervalMs` (WAL: a transaction is all there or not at all).
 *
 * Only `openHistoryWriter` and `startRun` throw. Recording never throws, and background failures
 * (full disk, I/O errors) go to `onError`; rows are kept and retried while the disk refuses them.
 * Runs in the memwatcher process, never in the watched one.
 * @example
 * const history = openHistoryWriter('memwatcher.db', { onError: (e) => console.error(e.message) });
 * const runId = history.startRun({ mode: 'run', argv: ['node', 'server.js'] });
 * child.on('message', (message) => { if (isAgentMessage(message)) history.record(runId, message); });
 * child.on('exit', (exitCode, signal) => { history.endRun(runId, { exitCode, signal }); history.close(); });
 */
export class HistoryWriter {
  readonly file: string;
  private readonly db: DatabaseSync;
  private readonly settings: WriterSettings;
  private readonly timer: NodeJS.Timeout;
  private readonly statements: WriterStatements;
  private pending: PendingRow[] = [];
  private readonly knownProcesses = new Set<string>();
  private readonly openRuns = new Set<number>();
  private readonly refusedKinds = new Set<string>();
  private readonly reportedAt = new Map<string, number>();
  private lastRetention = Number.NEGATIVE_INFINITY;
  private failing = false;
  private droppingReported = false;
  private closed = false;
  private counters = { writtenRows: 0, droppedRows: 0, flushes: 0, failedFlushes: 0 };
  private lastError: StoreError | undefined;

  /** Use {@link openHistoryWriter}. */
  constructor(file: string, db: DatabaseSync, settings: WriterSettings) {
    this.file = file;
    this.db = db;
    this.settings = settings;
    this.statements = prepareStatements(db);
    // The store must never keep the memwatcher process alive on its own: close() flushes the rest.
    this.timer = setInterval(() => this.tick(), settings.flushIntervalMs).unref();
  }

  get stats(): HistoryWriterStats {
    return { pendingRows: this.pending.length, lastError: this.lastError, ...this.counters };
  }

  /**
   * Starts a run and returns its id. Written at once (not batched), so it throws `StoreError` when
   * the file cannot take it (e.g. `ERR_STORE_FULL`): a caller may then go on without history.
   */
  startRun(start: RunStart): number {
    if (this.closed) throw new InvalidStateError(`The history writer for ${this.file} is closed.`);
    try {
      const result = this.statements.insertRun.run(
        start.mode,
        JSON.stringify(start.argv),
        hostname(),
        wholeNumber(start.startedAt) ?? this.settings.now(),
      );
      const runId = Number(result.lastInsertRowid);
      this.openRuns.add(runId);
      return runId;
    } catch (error) {
      throw writeError(error, this.file);
    }
  }

  /** Records how a run ended and commits everything waiting. */
  endRun(runId: number, end: RunEnd = {}): void {
    this.enqueue(
      this.statements.endRun,
      [wholeNumber(end.endedAt) ?? this.settings.now(), wholeNumber(end.exitCode), end.signal ?? null, runId],
      true,
    );
    this.openRuns.delete(runId);
    this.flush();
  }

  /** Records one message of an agent (`memwatcher run`'s IPC channel). */
  record(runId: number, message: AgentMessage): void {
    switch (message.type) {
      case 'hello':
        this.knownProcesses.add(processKey(runId, message.pid));
        this.enqueue(
          this.statements.upsertProcess,
          [
            runId,
            message.pid,
            wholeNumber(message.time) ?? this.settings.now(),
            JSON.stringify(message.argv),
            message.nodeVersion,
            wholeNumber(message.intervalMs),
            wholeNumber(message.heapLimit),
          ],
          true,
        );
        return;
      case 'sample':
        this.recordSample(runId, message.pid, message);
        return;
      case 'gc':
        this.recordGc(runId, message.pid, message);
        return;
      case 'verdict':
        this.recordVerdict(runId, message.pid, message.verdict);
        return;
      case 'leak':
        this.recordVerdict(runId, message.pid, message.verdict, { leakEvent: true });
        return;
      case 'alert':
        this.recordAlert(runId, message.pid, message.alert);
        return;
      case 'snapshot':
        this.recordSnapshot(runId, message.pid, { ...message, label: message.reason });
        return;
      case 'error':
        this.recordFault(runId, message.pid, message);
        return;
    }
  }

  recordSample(runId: number, pid: number, sample: SampleRecord): void {
    const time = wholeNumber(sample.time);
    if (time === null || !this.seen(runId, pid, time)) {
      this.refuse('sample', invalidTime(sample.time));
      return;
    }
    const figures = SAMPLE_FIGURES.map(({ key }) => wholeNumber(sample[key]));
    this.enqueue(this.statements.insertSample, [
      runId,
      pid,
      time,
      ...figures,
      finiteNumber(sample.gcPauseMs),
      wholeNumber(sample.gcCount),
    ]);
  }

  recordGc(runId: number, pid: number, gc: GcRecord): void {
    const time = wholeNumber(gc.time);
    const durationMs = finiteNumber(gc.durationMs);
    if (time === null || durationMs === null || !this.seen(runId, pid, time)) {
      this.refuse('gc', invalidTime(gc.time));
      return;
    }
    this.enqueue(this.statements.insertGc, [
      runId,
      pid,
      time,
      gc.kind,
      durationMs,
      wholeNumber(gc.heapFloor),
      wholeNumber(gc.externalFloor),
    ]);
  }

  recordAlert(runId: number, pid: number, alert: MemoryAlert): void {
    const time = wholeNumber(alert.time);
    const json = jsonOf(() => alert);
    if (time === null || json === null || !this.seen(runId, pid, time)) {
      this.refuse('alert', json === null ? NOT_JSON : invalidTime(alert.time));
      return;
    }
    this.enqueue(this.statements.insertAlert, [
      runId,
      pid,
      time,
      alert.rule,
      alert.severity,
      alert.message,
      json,
    ]);
  }

  /**
   * Records a verdict. A verdict and the `leak` event announcing it (same time) are one row, marked
   * as a leak event.
   */
  recordVerdict(
    runId: number,
    pid: number,
    verdict: LeakVerdict,
    options: { leakEvent?: boolean } = {},
  ): void {
    const time = wholeNumber(verdict.time);
    const json = jsonOf(() => verdict);
    if (time === null || json === null || !this.seen(runId, pid, time)) {
      this.refuse('verdict', json === null ? NOT_JSON : invalidTime(verdict.time));
      return;
    }
    this.enqueue(this.statements.upsertVerdict, [
      runId,
      pid,
      time,
      verdict.status,
      verdict.culprit ?? null,
      verdict.summary,
      options.leakEvent === true ? 1 : 0,
      json,
    ]);
  }

  recordSnapshot(runId: number, pid: number, snapshot: SnapshotRecord): void {
    const time = wholeNumber(snapshot.time);
    if (time === null || !this.seen(runId, pid, time)) {
      this.refuse('snapshot', invalidTime(snapshot.time));
      return;
    }
    this.enqueue(this.statements.insertSnapshot, [
      runId,
      pid,
      time,
      snapshot.file,
      wholeNumber(snapshot.bytes) ?? 0,
      snapshot.label,
      finiteNumber(snapshot.durationMs),
    ]);
  }

  /** Records a heap analysis (`--on-leak snapshot`); `pid` is `null` when it was not one process's. */
  recordAnalysis(runId: number, pid: number | null, analysis: AnalysisRecord): void {
    const time = wholeNumber(analysis.time);
    const { result } = analysis;
    const files = jsonOf(() => result.snapshots.map((s) => s.file));
    const json = jsonOf(() => result);
    if (time === null || files === null || json === null || (pid !== null && !this.seen(runId, pid, time))) {
      this.refuse('analysis', files === null || json === null ? NOT_JSON : invalidTime(analysis.time));
      return;
    }
    this.enqueue(this.statements.insertAnalysis, [
      runId,
      pid,
      time,
      files,
      result.suspects.length,
      finiteNumber(analysis.durationMs),
      json,
    ]);
  }

  /** Records a run-time fault of the agent (its `error` message) or of the collector. */
  recordFault(runId: number, pid: number, fault: FaultRecord): void {
    const time = wholeNumber(fault.time);
    if (time === null || !this.seen(runId, pid, time)) {
      this.refuse('fault', invalidTime(fault.time));
      return;
    }
    this.enqueue(this.statements.insertFault, [runId, pid, time, fault.code, fault.message]);
  }

  /**
   * Commits every waiting row now, in one transaction. Returns whether nothing is left waiting;
   * failures go to `onError`.
   */
  flush(): boolean {
    if (this.closed || this.pending.length === 0) return this.pending.length === 0;
    const batch = this.pending;
    let refused = 0;
    let refusal: unknown;
    try {
      this.db.exec('BEGIN IMMEDIATE');
      for (const row of batch) {
        try {
          row.statement.run(...row.params);
        } catch (error) {
          // A statement that fails rolls back only itself: skip a row SQLite will never take,
          // give up the batch (and retry it) when the file is the problem.
          if (isRetryable(error)) throw error;
          refused++;
          refusal = error;
        }
      }
      this.db.exec('COMMIT');
    } catch (error) {
      this.rollback();
      this.counters.failedFlushes++;
      const storeError = writeError(error, this.file);
      this.failed(storeError);
      if (storeError.code === 'ERR_STORE_FULL') this.checkpoint();
      this.makeRoom();
      return false;
    }
    this.pending = [];
    this.counters.flushes++;
    this.counters.writtenRows += batch.length - refused;
    this.failing = false;
    this.droppingReported = false;
    if (refused > 0) {
      this.counters.droppedRows += refused;
      this.report(writeError(refusal, this.file), `${refused} row(s) were refused and dropped`);
    }
    return true;
  }

  /** Applies the retention policy now (it also runs by itself every `retentionIntervalMs`). */
  applyRetention(): RetentionResult | undefined {
    if (this.closed) return undefined;
    this.lastRetention = this.settings.now();
    try {
      return applyRetention(this.db, this.settings.retention, this.lastRetention, this.openRuns);
    } catch (error) {
      this.rollback();
      this.failed(writeError(error, this.file));
      return undefined;
    }
  }

  /** Commits what waits and closes the file. Returns whether everything recorded is on disk. */
  close(): boolean {
    if (this.closed) return this.pending.length === 0;
    clearInterval(this.timer);
    const flushed = this.flush();
    this.closed = true;
    if (!flushed) this.counters.droppedRows += this.pending.length;
    this.pending = [];
    closeQuietly(this.db);
    return flushed;
  }

  private tick(): void {
    try {
      this.tickUnguarded();
    } catch (error) {
      // Not expected (flush and retention catch their own failures), but a timer must never throw.
      this.report(writeError(error, this.file));
    }
  }

  private tickUnguarded(): void {
    this.flush();
    if (!this.failing && this.settings.now() - this.lastRetention >= this.settings.retentionIntervalMs)
      this.applyRetention();
  }

  private enqueue(statement: StatementSync, params: readonly SQLInputValue[], essential = false): void {
    if (this.closed) {
      this.counters.droppedRows++;
      return;
    }
    this.pending.push({ statement, params, essential });
    if (this.pending.length >= this.settings.maxBatchRows && !this.failing) this.flush();
    else if (this.pending.length > this.settings.maxPendingRows) this.makeRoom();
  }

  /** Makes sure the process has a row before its first event (batched with it, in order). */
  private seen(runId: number, pid: number, time: number): boolean {
    if (!Number.isSafeInteger(pid)) return false;
    const key = processKey(runId, pid);
    if (this.knownProcesses.has(key)) return true;
    this.knownProcesses.add(key);
    this.enqueue(this.statements.insertProcess, [runId, pid, time], true);
    return true;
  }

  /** Drops the oldest droppable rows beyond `maxPendingRows`. */
  private makeRoom(): void {
    let excess = this.pending.length - this.settings.maxPendingRows;
    if (excess <= 0) return;
    const kept: PendingRow[] = [];
    for (const row of this.pending) {
      if (excess > 0 && !row.essential) {
        excess--;
        this.counters.droppedRows++;
        continue;
      }
      kept.push(row);
    }
    this.pending = kept;
    if (!this.droppingReported && this.lastError !== undefined && this.firstReportInAWhile('dropping')) {
      this.droppingReported = true;
      this.report(
        this.lastError,
        `more than ${this.settings.maxPendingRows} rows waited, the oldest are being dropped`,
      );
    }
  }

  private failed(error: StoreError): void {
    const newTrouble = !this.failing || this.lastError?.code !== error.code;
    this.failing = true;
    this.lastError = error;
    if (newTrouble && this.firstReportInAWhile(error.code)) this.report(error);
  }

  /**
   * A disk that is nearly full fails, recovers after a checkpoint, and fails again every few
   * seconds: one report a minute per kind of trouble is enough.
   */
  private firstReportInAWhile(kind: string): boolean {
    const now = this.settings.now();
    const last = this.reportedAt.get(kind);
    if (last !== undefined && now - last < REPORT_AGAIN_AFTER_MS) return false;
    this.reportedAt.set(kind, now);
    return true;
  }

  private refuse(what: string, why: string): void {
    this.counters.droppedRows++;
    // One report per kind of record: a broken producer would otherwise report every row.
    if (this.refusedKinds.has(what)) return;
    this.refusedKinds.add(what);
    this.report(
      new StoreError(
        'ERR_STORE_WRITE',
        this.file,
        `${what[0]!.toUpperCase()}${what.slice(1)} not stored: ${why}.`,
      ),
    );
  }

  private report(error: StoreError, detail?: string): void {
    const reported =
      detail === undefined
        ? error
        : new StoreError(error.code, this.file, `${error.message} (${detail})`, { cause: error.cause });
    this.lastError = reported;
    try {
      this.settings.onError(reported);
    } catch {
      // A throwing handler must not stop the writer; there is nobody else to tell.
    }
  }

  /**
   * With the disk full, the WAL cannot grow. A passive checkpoint (it never waits for readers) copies
   * it into the database file where that file has room; once the whole WAL is copied, the next
   * commit writes the WAL from its start again instead of growing it.
   */
  private checkpoint(): void {
    try {
      this.db.exec('PRAGMA wal_checkpoint(PASSIVE)');
    } catch {
      // No room for that either: the next flush retries, and the error is already reported.
    }
  }

  private rollback(): void {
    try {
      // SQLite rolls back by itself after some errors (SQLITE_FULL, I/O errors).
      rollbackOpenTransaction(this.db);
    } catch {
      // Nothing more can be done; the next flush starts a new transaction.
    }
  }
}

/**
 * Opens (creating it 0600 when missing) a history file for writing. Throws `StoreError`
 * (`ERR_STORE_OPEN`, `ERR_STORE_VERSION`, `ERR_STORE_UNAVAILABLE`) or `InvalidOptionError`.
 * @example
 * const history = openHistoryWriter('memwatcher.db', { retention: { rawSamples: { maxAgeMs: 3_600_000 } } });
 */
export function openHistoryWriter(file: string, options: HistoryWriterOptions = {}): HistoryWriter {
  // Options first: a typo should not leave a new empty file behind.
  const settings = resolveWriterOptions(options);
  const db = openForWriting(file, settings.busyTimeoutMs);
  return new HistoryWriter(file, db, settings);
}

function processKey(runId: number, pid: number): string {
  return `${runId}:${pid}`;
}

const NOT_JSON = 'it could not be written as JSON';

function invalidTime(time: unknown): string {
  return `invalid time or pid (time ${String(time)})`;
}

/** JSON of a value from a producer we do not control; `null` when it has cycles, BigInts, or throws. */
function jsonOf(value: () => unknown): string | null {
  try {
    return JSON.stringify(value()) ?? null;
  } catch {
    return null;
  }
}
