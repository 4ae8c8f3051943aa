import { FileAccessError, isMemwatcherError, type StoreError } from '../errors.ts';
import type { RunMode } from '../store/history-types.ts';
import { type HistoryWriter, openHistoryWriter } from '../store/index.ts';
import type { CollectorEvent } from './events.ts';

export interface StoreSinkOptions {
  readonly mode: RunMode;
  readonly argv: readonly string[];
  readonly startedAt?: number;
  /** Trouble while writing in the background (full disk, locked file): reported, never thrown. */
  readonly onError: (error: StoreError) => void;
}

/**
 * `--db <file>`: the run's events in the history store (one SQLite file, WAL, written in batches
 * every second). Agent messages are stored as the agent sent them; outside samples, verdicts judged
 * here, alerts, analyses and faults through the writer's own calls; `exit` ends the run.
 *
 * @example
 * const store = StoreSink.open('history.db', { mode: 'run', argv: ['python3', 'app.py'], onError });
 * collector.subscribe(store.write);
 * // …
 * store.close();
 */
export class StoreSink {
  readonly runId: number;
  private readonly writer: HistoryWriter;
  private ended = false;

  private constructor(writer: HistoryWriter, runId: number) {
    this.writer = writer;
    this.runId = runId;
  }

  /** @throws {FileAccessError} when the history file cannot be opened, created or written. */
  static open(file: string, options: StoreSinkOptions): StoreSink {
    let writer: HistoryWriter | undefined;
    try {
      writer = openHistoryWriter(file, { onError: options.onError });
      const runId = writer.startRun({
        mode: options.mode,
        argv: options.argv,
        ...(options.startedAt === undefined ? {} : { startedAt: options.startedAt }),
      });
      return new StoreSink(writer, runId);
    } catch (cause) {
      writer?.close();
      const reason = isMemwatcherError(cause) ? cause.message : String(cause);
      throw new FileAccessError(file, `cannot use ${file} as the history store: ${reason}`, { cause });
    }
  }

  /** A sink: bound, so it can be passed to `collector.subscribe` as it is. */
  readonly write = (event: CollectorEvent): void => {
    const { runId, writer } = this;
    if (event.source === 'memwatcher') {
      writer.record(runId, event);
      return;
    }
    switch (event.type) {
      case 'sample':
        writer.recordSample(runId, event.pid, event);
        return;
      case 'verdict':
        writer.recordVerdict(runId, event.pid, event.verdict);
        return;
      case 'leak':
        writer.recordVerdict(runId, event.pid, event.verdict, { leakEvent: true });
        return;
      case 'alert':
        writer.recordAlert(runId, event.pid, event.alert);
        return;
      case 'snapshot':
        writer.recordSnapshot(runId, event.pid, { ...event, label: event.reason });
        return;
      case 'analysis':
        writer.recordAnalysis(runId, event.pid, event);
        return;
      case 'error':
        writer.recordFault(runId, event.pid, event);
        return;
      case 'exit':
        this.ended = true;
        writer.endRun(runId, { endedAt: event.time, exitCode: event.exitCode, signal: event.signal });
        return;
      case 'start':
        return;
    }
  };

  /** Commits what waits and closes the file; a run without an `exit` event is ended now. */
  close(): boolean {
    if (!this.ended) this.writer.endRun(this.runId);
    return this.writer.close();
  }
}
