import type { HistoryReader } from '../store/history-reader.ts';
import type { SamplePoint, StoredRun, StoredSnapshot } from '../store/history-types.ts';
import { alertShape, analysisShape, verdictShape } from './api-shapes.ts';
import {
  type DashboardAnalysis,
  type DashboardAnalysisSummary,
  type DashboardEvent,
  type DashboardRun,
  type DashboardSample,
  type DashboardSnapshot,
  type ProcessState,
  SAMPLE_FIGURES,
  type SampleColumns,
} from './api-types.ts';
import type { DashboardSource } from './dashboard-source.ts';
import { emptyColumns, type SeriesQuery } from './live-series.ts';

export interface StoredSourceOptions {
  /** How often runs still being written are read again for the page's live view. Default 2 s. */
  readonly pollMs?: number;
  readonly now?: () => number;
}

/** A run without an end is shown as live only while samples keep arriving. */
const STALE_MS = 5 * 60_000;
const RECENT_EVENTS = 500;

/**
 * The dashboard over a history file (`memwatcher dashboard --db`): every run and process in it,
 * samples downsampled by the store. Runs still being written (by `memwatcher run --db` in another
 * process; the store is readable while written) are read again every `pollMs` while a page
 * listens, and what is new is streamed like live events.
 *
 * @example
 * const source = new StoredSource(openHistoryReader('history.db'));
 * await startDashboardServer({ source, port: 8080, keepAlive: true });
 */
export class StoredSource implements DashboardSource {
  readonly mode = 'history' as const;
  private readonly reader: HistoryReader;
  private readonly pollMs: number;
  private readonly now: () => number;
  private readonly listeners = new Set<(event: DashboardEvent) => void>();
  private timer: NodeJS.Timeout | undefined;
  /** Per live process: the time of the last sample and event already streamed. */
  private readonly cursors = new Map<string, { samples: number; events: number }>();
  private shape = '';

  constructor(reader: HistoryReader, options: StoredSourceOptions = {}) {
    this.reader = reader;
    this.pollMs = options.pollMs ?? 2000;
    this.now = options.now ?? Date.now;
  }

  title(): string {
    return this.reader.file;
  }

  runs(): DashboardRun[] {
    return this.reader.runs().map((run) => this.runShape(run));
  }

  samples(runId: number, pid: number | undefined, query: SeriesQuery): SampleColumns | undefined {
    if (this.reader.run(runId) === undefined) return undefined;
    const series = this.reader.samples(runId, {
      ...(pid === undefined ? {} : { pid }),
      ...(query.from === undefined ? {} : { from: query.from }),
      ...(query.to === undefined ? {} : { to: query.to }),
      maxPoints: query.maxPoints,
    });
    if (pid !== undefined && series.pid !== pid) return undefined;
    const columns = emptyColumns(runId, series.pid, series.bucketMs);
    for (const point of series.points) {
      const sample = sampleOf(point);
      columns.time.push(sample.time);
      for (const figure of SAMPLE_FIGURES) columns[figure].push(sample[figure]);
    }
    // Buckets of one sample each are raw samples.
    return { ...columns, bucketMs: series.points.every((point) => point.samples <= 1) ? 0 : series.bucketMs };
  }

  state(runId: number, pid: number | undefined): ProcessState | undefined {
    const run = this.reader.run(runId);
    if (run === undefined) return undefined;
    const chosen = pid ?? (run.processes.find((p) => p.firstSample !== null) ?? run.processes[0])?.pid;
    if (chosen === undefined || !run.processes.some((p) => p.pid === chosen)) return undefined;
    const query = { pid: chosen };
    const verdicts = this.reader
      .verdicts(runId, { ...query, limit: RECENT_EVENTS })
      .map((row) => verdictShape(row.verdict));
    return {
      runId,
      pid: chosen,
      verdict: verdicts.at(-1) ?? null,
      verdicts,
      alerts: this.reader.alerts(runId, { ...query, limit: 200 }).map((row) => alertShape(row.alert)),
      gcEvents: this.reader
        .gcEvents(runId, { ...query, limit: RECENT_EVENTS })
        .map((gc) => ({ time: gc.time, kind: gc.kind, durationMs: gc.durationMs })),
      gcKinds: this.reader.gcPauses(runId, query).map((kind) => ({
        kind: kind.kind,
        count: kind.count,
        totalPauseMs: kind.totalPauseMs,
        maxPauseMs: kind.maxPauseMs,
        buckets: kind.buckets,
      })),
      snapshots: this.reader.snapshots(runId, { ...query, limit: 100 }).map(snapshotOf),
      analyses: this.reader
        .analysisSummaries(runId)
        .filter((analysis) => analysis.pid === null || analysis.pid === chosen)
        .map(summaryOf),
      actions: [],
      errors: this.reader
        .faults(runId, { ...query, limit: 50 })
        .map((fault) => ({ time: fault.time, code: fault.code, message: fault.message })),
    };
  }

  analysis(id: number, showStrings: boolean): DashboardAnalysis | undefined {
    const found = this.reader.analysis(id);
    return found === undefined ? undefined : analysisShape(summaryOf(found), found.result, showStrings);
  }

  subscribe(listener: (event: DashboardEvent) => void): () => void {
    this.listeners.add(listener);
    if (this.timer === undefined) {
      this.shape = '';
      this.cursors.clear();
      this.poll();
      this.timer = setInterval(() => this.poll(), this.pollMs);
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    };
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.listeners.clear();
    this.reader.close();
  }

  private isLive(run: StoredRun): boolean {
    const lastSample = Math.max(run.startedAt, ...run.processes.map((p) => p.lastSample ?? 0));
    return run.endedAt === null && this.now() - lastSample < STALE_MS;
  }

  private runShape(run: StoredRun): DashboardRun {
    return {
      id: run.id,
      mode: run.mode,
      command: run.argv,
      startedAt: run.startedAt,
      endedAt: run.endedAt,
      exitCode: run.exitCode,
      signal: run.signal,
      live: this.isLive(run),
      processes: run.processes.map((p) => ({
        pid: p.pid,
        command: p.argv ?? run.argv,
        method: p.argv === null ? 'proc' : 'agent',
        nodeVersion: p.nodeVersion,
        heapLimit: p.heapLimit,
        intervalMs: p.intervalMs,
        firstSample: p.firstSample,
        lastSample: p.lastSample,
        canSnapshot: false,
        snapshotsUnavailable:
          'Heap snapshots are unavailable here: this page shows a history file. A live dashboard takes them (memwatcher run --serve, attach --serve).',
        exit: run.endedAt === null ? null : { time: run.endedAt, exitCode: run.exitCode, signal: run.signal },
      })),
    };
  }

  /** Streams what was written since the last poll, for runs still being written. Never throws. */
  private poll(): void {
    try {
      const runs = this.reader.runs();
      const shape = runs
        .map((run) => `${run.id}:${run.endedAt}:${run.processes.map((p) => p.pid).join(',')}`)
        .join(';');
      const changed = this.shape !== '' && shape !== this.shape;
      this.shape = shape;
      for (const run of runs) {
        if (!this.isLive(run)) continue;
        for (const process of run.processes) this.pollProcess(run.id, process.pid, process.lastSample);
      }
      if (changed) this.emit({ type: 'runs', runId: runs[0]?.id ?? 0, pid: 0 });
    } catch {
      // A history file being rewritten or closed: try again at the next poll.
    }
  }

  private pollProcess(runId: number, pid: number, lastSample: number | null): void {
    const key = `${runId}:${pid}`;
    const cursor = this.cursors.get(key);
    if (cursor === undefined) {
      // The page fetched everything up to now; stream what comes after.
      this.cursors.set(key, { samples: lastSample ?? 0, events: this.now() });
      return;
    }
    if (lastSample !== null && lastSample > cursor.samples) {
      const series = this.reader.samples(runId, {
        pid,
        from: cursor.samples + 1,
        to: lastSample,
        maxPoints: 100_000,
      });
      for (const point of series.points) this.emit({ type: 'sample', runId, pid, sample: sampleOf(point) });
      cursor.samples = lastSample;
    }
    const since = { pid, from: cursor.events + 1 };
    const base = { runId, pid } as const;
    let latest = cursor.events;
    const seen = (time: number) => {
      latest = Math.max(latest, time);
    };
    for (const row of this.reader.verdicts(runId, since)) {
      seen(row.time);
      this.emit({ type: 'verdict', ...base, verdict: verdictShape(row.verdict) });
    }
    for (const row of this.reader.alerts(runId, since)) {
      seen(row.time);
      this.emit({ type: 'alert', ...base, alert: alertShape(row.alert) });
    }
    for (const gc of this.reader.gcEvents(runId, since)) {
      seen(gc.time);
      this.emit({ type: 'gc', ...base, gc: { time: gc.time, kind: gc.kind, durationMs: gc.durationMs } });
    }
    for (const snapshot of this.reader.snapshots(runId, since)) {
      seen(snapshot.time);
      this.emit({ type: 'snapshot', ...base, snapshot: snapshotOf(snapshot) });
    }
    for (const analysis of this.reader.analysisSummaries(runId, since)) {
      seen(analysis.time);
      this.emit({ type: 'analysis', ...base, analysis: summaryOf(analysis) });
    }
    cursor.events = latest;
  }

  private emit(event: DashboardEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A stream that fails drops itself.
      }
    }
  }
}

function summaryOf(analysis: {
  id: number;
  pid: number | null;
  time: number;
  files: readonly string[];
  suspectCount: number;
  durationMs: number | null;
}): DashboardAnalysisSummary {
  return {
    id: analysis.id,
    pid: analysis.pid,
    time: analysis.time,
    files: analysis.files,
    suspectCount: analysis.suspectCount,
    durationMs: analysis.durationMs,
  };
}

function snapshotOf(snapshot: StoredSnapshot): DashboardSnapshot {
  return { time: snapshot.time, file: snapshot.file, bytes: snapshot.bytes, reason: snapshot.label };
}

/** A bucket as one point: peaks of sizes (a spike shows at any zoom), the lowest floor, summed pauses. */
function sampleOf(point: SamplePoint): DashboardSample {
  return {
    time: point.time,
    rss: point.rss?.max ?? null,
    heapUsed: point.heapUsed?.max ?? null,
    heapTotal: point.heapTotal?.max ?? null,
    external: point.external?.max ?? null,
    arrayBuffers: point.arrayBuffers?.max ?? null,
    heapFloor: point.heapFloor?.min ?? null,
    gcPauseMs: point.gcPauseMs,
  };
}
