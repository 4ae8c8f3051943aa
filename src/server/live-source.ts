import type { CollectorEvent } from '../collector/events.ts';
import type { AnalysisResult } from '../heap/types.ts';
import { alertShape, analysisShape, verdictShape } from './api-shapes.ts';
import type {
  DashboardAction,
  DashboardAlert,
  DashboardAnalysis,
  DashboardAnalysisSummary,
  DashboardEvent,
  DashboardGc,
  DashboardMethod,
  DashboardRun,
  DashboardSample,
  DashboardSnapshot,
  DashboardVerdict,
  ProcessState,
  SampleColumns,
} from './api-types.ts';
import { type DashboardSource, RecentList } from './dashboard-source.ts';
import { GcTally } from './gc-tally.ts';
import { LiveSeries, type SeriesQuery } from './live-series.ts';

export interface LiveSourceOptions {
  /** `live` for the CLI (events from the collector), `in-process` for `watcher.serve()`. */
  readonly mode: 'live' | 'in-process';
  /** How memwatcher watches: `run`, `attach`, `watch`, `library`. */
  readonly runMode: string;
  readonly command: readonly string[];
  /** Points kept per process before the oldest are folded to half resolution. */
  readonly seriesCapacity?: number;
  /** Whether snapshots can be taken of a process now. */
  readonly canSnapshot?: (pid: number) => boolean;
  readonly now?: () => number;
}

/** Analyses kept with their whole result (each is small: the engine's top lists). */
const KEPT_ANALYSES = 20;

interface ProcessRecord {
  readonly pid: number;
  command: readonly string[];
  method: DashboardMethod;
  nodeVersion: string | null;
  heapLimit: number | null;
  intervalMs: number | null;
  exit: { time: number; exitCode: number | null; signal: string | null } | null;
  readonly series: LiveSeries;
  verdict: DashboardVerdict | null;
  readonly verdicts: RecentList<DashboardVerdict>;
  readonly alerts: RecentList<DashboardAlert>;
  readonly gcEvents: RecentList<DashboardGc>;
  readonly gcKinds: GcTally;
  readonly snapshots: RecentList<DashboardSnapshot>;
  readonly analyses: RecentList<DashboardAnalysisSummary>;
  readonly actions: Map<number, DashboardAction>;
  readonly errors: RecentList<{ time: number; code: string; message: string }>;
}

const RUN_ID = 1;

/**
 * The dashboard's view of a watch in progress, kept in memory and bounded: fed with the collector's
 * events (`memwatcher run/attach --serve`) or a watcher's messages (`watcher.serve()`), it answers the
 * page's queries and passes each event on to the page's streams. `accept` never throws.
 *
 * @example
 * const live = new LiveSource({ mode: 'live', runMode: 'run', command: ['node', 'app.js'] });
 * collector.subscribe((event) => live.accept(event));
 * live.subscribe((event) => stream.send(event));
 */
export class LiveSource implements DashboardSource {
  readonly mode: 'live' | 'in-process';
  private readonly options: LiveSourceOptions;
  private readonly processes = new Map<number, ProcessRecord>();
  private readonly listeners = new Set<(event: DashboardEvent) => void>();
  private readonly results = new Map<number, { summary: DashboardAnalysisSummary; result: AnalysisResult }>();
  private nextAnalysisId = 1;
  private readonly startedAt: number;
  private ended: { time: number; exitCode: number | null; signal: string | null } | null = null;
  private runMode: string;
  private command: readonly string[];

  constructor(options: LiveSourceOptions) {
    this.options = options;
    this.mode = options.mode;
    this.runMode = options.runMode;
    this.command = options.command;
    this.startedAt = (options.now ?? Date.now)();
  }

  title(): string {
    return this.command.join(' ') || `pid ${[...this.processes.keys()][0] ?? process.pid}`;
  }

  subscribe(listener: (event: DashboardEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One event of the collector (or an agent message). Never throws. */
  accept(event: CollectorEvent): void {
    try {
      this.take(event);
    } catch {
      // A malformed event must not stop the watch; the page simply misses it.
    }
  }

  /** Seeds a process' chart with history recorded before the dashboard started (`watcher.history()`). */
  preload(pid: number, samples: readonly DashboardSample[]): void {
    const record = this.record(pid);
    for (const sample of samples) record.series.add(sample);
  }

  /** An action's progress, shown on the page. */
  recordAction(action: DashboardAction): void {
    this.record(action.pid).actions.set(action.id, action);
    this.emit({ type: 'action', runId: RUN_ID, pid: action.pid, action });
  }

  /** Tells the pages that a process changed in a way events do not carry (snapshots possible now). */
  processChanged(pid: number): void {
    this.emit({ type: 'runs', runId: RUN_ID, pid });
  }

  /** The id given to the analysis of these files, once its `analysis` event arrived. */
  analysisIdFor(files: readonly string[]): number | undefined {
    for (const [id, { summary }] of this.results) {
      if (summary.files.length === files.length && summary.files.every((file, i) => file === files[i]))
        return id;
    }
    return undefined;
  }

  runs(): DashboardRun[] {
    const processes = [...this.processes.values()].map((record) => {
      const snapshotsUnavailable = this.snapshotsUnavailable(record.pid);
      return {
        pid: record.pid,
        command: record.command,
        method: record.method,
        nodeVersion: record.nodeVersion,
        heapLimit: record.heapLimit,
        intervalMs: record.intervalMs,
        firstSample: record.series.firstTime,
        lastSample: record.series.lastTime,
        canSnapshot: snapshotsUnavailable === null,
        snapshotsUnavailable,
        exit: record.exit,
      };
    });
    return [
      {
        id: RUN_ID,
        mode: this.runMode,
        command: this.command,
        startedAt: this.startedAt,
        endedAt: this.ended?.time ?? null,
        exitCode: this.ended?.exitCode ?? null,
        signal: this.ended?.signal ?? null,
        live: this.ended === null,
        processes,
      },
    ];
  }

  /**
   * Why heap snapshots cannot be taken of `pid` now, in words for the page and the API's 409; `null`
   * when they can. A process watched from outside through /proc (`watch`, `run` of a program that is
   * not Node, `npm start`) has no heap to read.
   */
  snapshotsUnavailable(pid: number): string | null {
    const record = this.processes.get(pid);
    const head = `Heap snapshots are unavailable for pid ${pid}`;
    if (record?.exit != null) return `${head}: it has exited.`;
    if (this.options.canSnapshot?.(pid) === true) return null;
    if (record === undefined) return `${head}: this dashboard does not watch it.`;
    if (record.method === 'proc') {
      return this.runMode === 'watch'
        ? `${head}: 'memwatcher watch' reads it from outside, through /proc, which shows its memory (RSS, swap, threads) but gives no access to its heap. For a Node process, use 'memwatcher attach ${pid} --serve …' (through its inspector).`
        : `${head}: it is watched from outside, through /proc, which shows its memory (RSS, swap, threads) but gives no access to its heap: it is not a Node program, or memwatcher's agent does not report from it over IPC (npm start and other wrappers, a Node older than 22.12). For a Node program, run node directly ('memwatcher run --serve … -- node app.js') or use 'memwatcher attach <pid> --serve …'.`;
    }
    if (record.method === 'agent' && record.nodeVersion === null)
      return `${head} until its agent says hello (a Node program does within a few seconds of starting).`;
    return `${head} now.`;
  }

  samples(runId: number, pid: number | undefined, query: SeriesQuery): SampleColumns | undefined {
    const record = this.find(runId, pid);
    return record?.series.read(query, RUN_ID, record.pid);
  }

  state(runId: number, pid: number | undefined): ProcessState | undefined {
    const record = this.find(runId, pid);
    if (record === undefined) return undefined;
    return {
      runId: RUN_ID,
      pid: record.pid,
      verdict: record.verdict,
      verdicts: record.verdicts.list(),
      alerts: record.alerts.list(),
      gcEvents: record.gcEvents.list(),
      gcKinds: record.gcKinds.list(),
      snapshots: record.snapshots.list(),
      analyses: record.analyses.list(),
      actions: [...record.actions.values()],
      errors: record.errors.list(),
    };
  }

  analysis(id: number, showStrings: boolean): DashboardAnalysis | undefined {
    const kept = this.results.get(id);
    return kept === undefined ? undefined : analysisShape(kept.summary, kept.result, showStrings);
  }

  close(): void {
    this.listeners.clear();
  }

  private find(runId: number, pid: number | undefined): ProcessRecord | undefined {
    if (runId !== RUN_ID) return undefined;
    if (pid !== undefined) return this.processes.get(pid);
    // The process with the most samples: for `run` of `npm start`, the app rather than npm.
    let best: ProcessRecord | undefined;
    for (const record of this.processes.values()) {
      if (best === undefined || record.series.size > best.series.size) best = record;
    }
    return best;
  }

  private record(pid: number): ProcessRecord {
    let record = this.processes.get(pid);
    if (record === undefined) {
      record = {
        pid,
        command: [],
        method: this.mode === 'in-process' ? 'in-process' : 'proc',
        nodeVersion: null,
        heapLimit: null,
        intervalMs: null,
        exit: null,
        series: new LiveSeries(this.options.seriesCapacity),
        verdict: null,
        verdicts: new RecentList(this.listLimit(500)),
        alerts: new RecentList(this.listLimit(200)),
        gcEvents: new RecentList(this.listLimit(500)),
        gcKinds: new GcTally(),
        snapshots: new RecentList(100),
        analyses: new RecentList(KEPT_ANALYSES),
        actions: new Map(),
        errors: new RecentList(50),
      };
      this.processes.set(pid, record);
      this.emit({ type: 'runs', runId: RUN_ID, pid });
    }
    return record;
  }

  /**
   * In the user's own process the lists are kept short: until full they grow, and a leak search of
   * that process would show them among its suspects for longer.
   */
  private listLimit(live: number): number {
    return this.mode === 'in-process' ? Math.min(live, 50) : live;
  }

  private emit(event: DashboardEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A stream that fails drops itself; the others go on.
      }
    }
  }

  private take(event: CollectorEvent): void {
    const base = { runId: RUN_ID, pid: event.pid } as const;
    switch (event.type) {
      case 'start': {
        this.runMode = event.mode;
        if (event.command.length > 0) this.command = event.command;
        const record = this.record(event.pid);
        if (record.command.length === 0) record.command = event.command;
        if (this.mode === 'live') record.method = event.method;
        record.intervalMs = event.intervalMs;
        this.emit({ type: 'runs', ...base });
        return;
      }
      case 'hello': {
        const record = this.record(event.pid);
        record.command = event.argv;
        record.method = this.mode === 'in-process' ? 'in-process' : 'agent';
        record.nodeVersion = event.nodeVersion;
        record.heapLimit = event.heapLimit;
        record.intervalMs = event.intervalMs;
        this.emit({ type: 'runs', ...base });
        return;
      }
      case 'sample': {
        const record = this.record(event.pid);
        const sample: DashboardSample = {
          time: event.time,
          rss: event.rss,
          heapUsed: event.heapUsed,
          heapTotal: event.heapTotal,
          external: event.external,
          arrayBuffers: event.arrayBuffers,
          heapFloor: event.heapFloor,
          gcPauseMs: event.source === 'memwatcher' ? event.gcPauseMs : null,
        };
        if (event.heapLimit !== null) record.heapLimit = event.heapLimit;
        // A Node program whose agent never said hello (`npm start`: no IPC channel) is sampled from
        // outside after all: the page must not wait for JS heap figures or snapshots.
        if (
          this.mode === 'live' &&
          event.source === 'proc' &&
          record.method === 'agent' &&
          record.nodeVersion === null
        ) {
          record.method = 'proc';
          this.emit({ type: 'runs', ...base });
        }
        record.series.add(sample);
        this.emit({ type: 'sample', ...base, sample });
        return;
      }
      case 'gc': {
        const record = this.record(event.pid);
        const gc: DashboardGc = { time: event.time, kind: event.kind, durationMs: event.durationMs };
        record.gcEvents.push(gc);
        record.gcKinds.add(gc.kind, gc.durationMs);
        this.emit({ type: 'gc', ...base, gc });
        return;
      }
      case 'verdict':
      case 'leak': {
        const record = this.record(event.pid);
        const verdict = verdictShape(event.verdict);
        const previous = record.verdicts.last();
        // The agent sends `verdict` then `leak` with the same verdict.
        if (previous === undefined || previous.time !== verdict.time || previous.status !== verdict.status)
          record.verdicts.push(verdict);
        record.verdict = verdict;
        this.emit({ type: 'verdict', ...base, verdict });
        return;
      }
      case 'alert': {
        const alert = alertShape(event.alert);
        this.record(event.pid).alerts.push(alert);
        this.emit({ type: 'alert', ...base, alert });
        return;
      }
      case 'snapshot': {
        const snapshot: DashboardSnapshot = {
          time: event.time,
          file: event.file,
          bytes: event.bytes,
          reason: event.reason,
        };
        this.record(event.pid).snapshots.push(snapshot);
        this.emit({ type: 'snapshot', ...base, snapshot });
        return;
      }
      case 'analysis': {
        const id = this.nextAnalysisId++;
        const summary: DashboardAnalysisSummary = {
          id,
          pid: event.pid,
          time: event.time,
          files: event.files,
          suspectCount: event.suspectCount,
          durationMs: event.durationMs,
        };
        this.results.set(id, { summary, result: event.result });
        if (this.results.size > KEPT_ANALYSES) this.results.delete(this.results.keys().next().value!);
        this.record(event.pid).analyses.push(summary);
        this.emit({ type: 'analysis', ...base, analysis: summary });
        return;
      }
      case 'error': {
        const error = { time: event.time, code: event.code, message: event.message };
        this.record(event.pid).errors.push(error);
        this.emit({ type: 'error', ...base, error });
        return;
      }
      case 'exit': {
        const record = this.record(event.pid);
        record.exit = { time: event.time, exitCode: event.exitCode, signal: event.signal };
        // The collector's `exit` ends the whole watch.
        if (event.source === 'collector') this.ended = record.exit;
        this.emit({ type: 'runs', ...base });
        return;
      }
      default:
        return;
    }
  }
}
