import { AbortedError, isMemwatcherError, type MemwatcherError } from '../errors.ts';
import type { AnalysisResult } from '../heap/types.ts';
import { formatBytes, renderLeakSuspects } from '../report/analysis-text.ts';
import type { RunMode } from '../store/history-types.ts';
import { Collector, type CollectorOptions, type LeakCall } from './collector.ts';
import type { CollectorEvent, ExitEvent, WatchMethod } from './events.ts';
import { captureLeakEvidence, type SnapshotSeriesCapture } from './leak-evidence.ts';
import { NdjsonWriter } from './ndjson-writer.ts';
import { RunReport } from './run-report.ts';
import { createStatusLine, type StatusLine, type StatusStream } from './status-line.ts';
import { StoreSink } from './store-sink.ts';

export interface WatchSessionOptions {
  readonly mode: RunMode;
  /** The command `run` started, or the watched process' command line. */
  readonly command: readonly string[];
  readonly collector: CollectorOptions;
  readonly events?: string | undefined;
  readonly db?: string | undefined;
  readonly report?: string | undefined;
  /** `--on-leak snapshot`: where and how far apart; `undefined` to do nothing on a leak. */
  readonly onLeakSnapshots?: { readonly dir: string; readonly intervalMs: number } | undefined;
  /** memwatcher's own lines: the status line on a terminal, leaks, alerts, faults, the summary. */
  readonly stderr: StatusStream;
  readonly quiet: boolean;
  readonly color: boolean;
  /** Aborting stops a snapshot series or analysis in progress. */
  readonly signal?: AbortSignal | undefined;
  readonly now?: () => number;
}

/** How long `finish` waits for alert deliveries still queued (their own retries can take minutes). */
const ALERT_FLUSH_MS = 10_000;

/**
 * One watch from start to end, shared by `run`, `watch` and `attach`: the collector with its sinks
 * (events file, history store, report, status line), memwatcher's lines on stderr, and the on-leak
 * snapshot series. Sources feed `session.collector`; the command calls `finish` once at the end.
 *
 * @example
 * const session = await WatchSession.open({ mode: 'watch', command, collector: options, … });
 * session.begin(pid, 'proc');
 * const sampler = new ProcSampler({ pid, intervalMs, onSample: (s) => session.collector.acceptSample(s) });
 * // … when the process is gone:
 * await session.finish({ exitCode: null, signal: null, reason: 'exited' });
 */
export class WatchSession {
  readonly collector: Collector;
  private readonly options: WatchSessionOptions;
  private readonly status: StatusLine;
  private readonly events: NdjsonWriter | undefined;
  private readonly store: StoreSink | undefined;
  private report: RunReport | undefined;
  private pid = 0;
  private readonly now: () => number;
  private startedAt: number;
  private capture: SnapshotSeriesCapture | undefined;
  private evidence: Promise<void> | undefined;
  private finished = false;

  private constructor(
    options: WatchSessionOptions,
    parts: {
      collector: Collector;
      status: StatusLine;
      events: NdjsonWriter | undefined;
      store: StoreSink | undefined;
    },
  ) {
    this.options = options;
    this.collector = parts.collector;
    this.status = parts.status;
    this.events = parts.events;
    this.store = parts.store;
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    if (this.events !== undefined) this.collector.subscribe(this.events.write);
    if (this.store !== undefined) this.collector.subscribe(this.store.write);
    this.collector.subscribe((event) => this.show(event));
    this.collector.onLeak((leak) => this.onLeak(leak));
  }

  /**
   * The watched process is known: publishes `start`. Call once, before any source feeds the collector,
   * and after `open`: `run` opens first (so a bad output path stops it before the command starts), and
   * a dashboard started in between must see `start`.
   */
  begin(pid: number, method: WatchMethod): void {
    this.pid = pid;
    this.startedAt = this.now();
    if (this.options.report !== undefined) {
      this.report = new RunReport(pid);
      this.collector.subscribe(this.report.keep);
    }
    this.collector.publish({
      type: 'start',
      source: 'collector',
      time: this.startedAt,
      pid,
      mode: this.options.mode,
      command: this.options.command,
      method,
      intervalMs: this.collector.settings.intervalMs,
      windowMs: this.collector.settings.leak.windowMs,
      warmupMs: this.collector.settings.leak.warmupMs,
    });
  }

  /**
   * Checks the options and opens the output files, so that every mistake shows before anything runs.
   * @throws {InvalidOptionError} bad collector options; {FileAccessError} an output file that cannot be written.
   */
  static async open(options: WatchSessionOptions): Promise<WatchSession> {
    let status: StatusLine | undefined;
    const fault = (error: MemwatcherError) => status?.say(`memwatcher: ${error.message}`);
    const collector = new Collector({
      ...(options.now === undefined ? {} : { now: options.now }),
      ...options.collector,
      onFault: fault,
    });
    status = createStatusLine({ stream: options.stderr, quiet: options.quiet });
    const events =
      options.events === undefined
        ? undefined
        : await NdjsonWriter.open(options.events, (e) => collector.fault(e));
    let store: StoreSink | undefined;
    try {
      store =
        options.db === undefined
          ? undefined
          : StoreSink.open(options.db, {
              mode: options.mode,
              argv: options.command,
              onError: (error) => collector.fault(error),
            });
    } catch (error) {
      await events?.close();
      throw error;
    }
    return new WatchSession(options, { collector, status, events, store });
  }

  /** How `--on-leak snapshot` takes its series (the agent for `run` once it said hello; the inspector for `attach`). */
  setSnapshotCapture(capture: SnapshotSeriesCapture | undefined): void {
    this.capture = capture;
  }

  /** Prints a line of memwatcher's own on stderr (above the status line). */
  say(text: string): void {
    this.status.say(text);
  }

  /**
   * Ends the watch: waits for a snapshot analysis in progress, publishes `exit`, waits (at most 10 s)
   * for queued alerts, closes the files, writes the report and prints a summary. Never throws: a
   * report that cannot be written is said on stderr (the watched program's exit code matters more).
   */
  async finish(end: Pick<ExitEvent, 'exitCode' | 'signal' | 'reason'>): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    if (this.pid === 0) {
      // Nothing was watched (`run` could not start its command): close the files, say nothing.
      await this.collector.close();
      await this.events?.close();
      this.store?.close();
      this.status.stop();
      return;
    }
    await this.evidence;
    const endedAt = this.now();
    this.collector.publish({ type: 'exit', source: 'collector', time: endedAt, pid: this.pid, ...end });
    await Promise.race([
      this.collector.close(),
      new Promise((resolve) => setTimeout(resolve, ALERT_FLUSH_MS).unref()),
    ]);
    await this.events?.close();
    this.store?.close();
    this.status.stop();
    const written: string[] = [];
    if (this.events !== undefined) written.push(`events ${this.events.file}`);
    if (this.options.db !== undefined) written.push(`history ${this.options.db}`);
    if (this.report !== undefined && this.options.report !== undefined) {
      try {
        await this.report.write(this.options.report, {
          command: this.options.command,
          exitCode: end.exitCode,
          signal: end.signal,
          endedAt,
          intervalMs: this.collector.settings.intervalMs,
        });
        written.push(`report ${this.options.report}`);
      } catch (error) {
        this.say(`memwatcher: the report was not written: ${describe(error)}`);
      }
    }
    if (!this.options.quiet) this.say(this.summary(end, endedAt, written));
  }

  private summary(
    end: Pick<ExitEvent, 'exitCode' | 'signal' | 'reason'>,
    endedAt: number,
    written: string[],
  ): string {
    const watched = this.collector.process(this.pid) ?? this.collector.process();
    const seconds = Math.round((endedAt - this.startedAt) / 1000);
    const pid = this.pid;
    const head =
      end.reason === 'exited'
        ? `memwatcher: pid ${pid} ${
            end.signal !== null
              ? `was killed by ${end.signal}`
              : end.exitCode === null
                ? 'exited'
                : `exited with code ${end.exitCode}`
          } after ${seconds} s.`
        : `memwatcher: watched pid ${pid} for ${seconds} s${end.reason === 'duration' ? ' (--duration)' : ', until stopped'}.`;
    const lines = [head];
    if (watched?.verdict !== undefined) lines.push(`memwatcher: verdict: ${watched.verdict.summary}`);
    if (watched?.rssPeak !== null && watched?.rssPeak !== undefined)
      lines.push(`memwatcher: peak RSS ${formatBytes(watched.rssPeak)}`);
    if (written.length > 0) lines.push(`memwatcher: wrote ${written.join(', ')}`);
    return lines.join('\n');
  }

  private show(event: CollectorEvent): void {
    switch (event.type) {
      case 'sample': {
        const watched = this.collector.process(event.pid);
        if (watched !== undefined) this.status.update(watched);
        break;
      }
      case 'alert':
        // The leak rule's alert repeats the LEAK line said when the verdict turned; it still goes to the sinks.
        if (event.alert.rule !== 'leak') {
          this.say(
            `memwatcher: alert (${event.alert.rule}, ${event.alert.severity}): ${event.alert.message}`,
          );
        }
        break;
      case 'error':
        // The agent's own faults; memwatcher's are said when they happen (onFault).
        if (event.source === 'memwatcher')
          this.say(`memwatcher: agent in pid ${event.pid}: ${event.message}`);
        break;
      default:
        break;
    }
  }

  private onLeak(leak: LeakCall): void {
    this.say(`memwatcher: LEAK in pid ${leak.pid}: ${leak.verdict.summary}`);
    const snapshots = this.options.onLeakSnapshots;
    if (snapshots === undefined) return;
    const capture = this.capture;
    if (capture === undefined) {
      this.say(
        `memwatcher: --on-leak snapshot: pid ${leak.pid} is watched from outside; heap snapshots need a Node process watched through its agent ('memwatcher run -- node …') or the inspector ('memwatcher attach').`,
      );
      return;
    }
    this.say(
      `memwatcher: taking 3 heap snapshots of pid ${leak.pid}, ${Math.round(snapshots.intervalMs / 1000)} s apart, in ${snapshots.dir}…`,
    );
    this.evidence = captureLeakEvidence({
      pid: leak.pid,
      capture,
      dir: snapshots.dir,
      intervalMs: snapshots.intervalMs,
      signal: this.options.signal,
      publish: (event) => this.collector.publish(event),
      onAnalyzing: (files) => this.say(`memwatcher: analyzing ${files.join(', ')}…`),
      now: this.now,
    }).then(
      (result) => this.showAnalysis(result),
      (error: unknown) => {
        if (error instanceof AbortedError) return;
        if (isMemwatcherError(error)) this.collector.fault(error);
        else this.say(`memwatcher: --on-leak snapshot failed: ${describe(error)}`);
      },
    );
  }

  private showAnalysis(result: AnalysisResult): void {
    const text = renderLeakSuspects(result, { color: this.options.color, top: 5, width: 100 });
    this.say(text.trimEnd());
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
