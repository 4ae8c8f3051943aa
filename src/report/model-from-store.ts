import { InvalidOptionError } from '../errors.ts';
import type { HistoryReader } from '../store/history-reader.ts';
import type { FigureRange, SamplePoint, StoredProcess, StoredRun } from '../store/history-types.ts';
import { withAnalysis } from './model-from-analysis.ts';
import { censusClasses, reportAlert, verdictPoint } from './model-from-messages.ts';
import type { ClassGrowth, MemoryPoint, ReportAlert, ReportModel } from './report-model.ts';

export interface StoreModelOptions {
  /** Which run; default the most recent. */
  readonly runId?: number;
  /** Which process of the run; default the first one with samples. */
  readonly pid?: number;
  /** Time buckets read from the store; each gives up to two points (its lowest and highest). Default 600. */
  readonly maxBuckets?: number;
  /** At most this many GC pauses (the most recent). Default 50 000. */
  readonly maxGcPauses?: number;
}

const FIGURES = ['rss', 'heapUsed', 'heapTotal', 'external', 'arrayBuffers', 'heapFloor'] as const;

/**
 * A report model from a history file (`memwatcher report <history.db>`): one run (the latest unless
 * `runId` says), one process of it. Samples come downsampled as time buckets holding each figure's
 * lowest and highest value; each bucket becomes two points — the lows at its first sample's time, the
 * highs at its last — so a sawtooth heap keeps its teeth instead of flattening to an average. The
 * bucket's GC pause and count ride on its first point only, so totals stay right. Classes and
 * suspects come from the run's latest analysis, else from the census of its latest alert. Throws
 * `InvalidOptionError` for a run or process the file does not hold, `StoreError` when reading fails.
 *
 * @example
 * const history = openHistoryReader('memwatcher.db');
 * try { writeFileSync('report.html', await renderReportHtml(reportModelFromStore(history))); }
 * finally { history.close(); }
 */
export function reportModelFromStore(history: HistoryReader, options: StoreModelOptions = {}): ReportModel {
  const run = pickRun(history, options.runId);
  const process = pickProcess(run, options.pid);
  const pid = process?.pid;
  const byPid = pid === undefined ? {} : { pid };
  const series = history.samples(run.id, { ...byPid, maxPoints: options.maxBuckets ?? 600 });
  // An agent counts collections, and so does `attach` (its GC observer in the process); through
  // `/proc` they are unknown, not zero.
  const gcMeasured = process?.nodeVersion != null || run.mode === 'attach';
  const samples = series.points.flatMap((point) => memoryPoints(point, gcMeasured));

  const alerts: ReportAlert[] = [];
  let census: ClassGrowth[] = [];
  for (const { alert } of history.alerts(run.id, byPid)) {
    alerts.push(reportAlert(alert));
    census = censusClasses(alert) ?? census;
  }

  const model: ReportModel = {
    run: {
      command: process?.argv ?? run.argv,
      pid: pid ?? null,
      watchedBy: process?.nodeVersion == null ? 'proc' : 'agent',
      nodeVersion: process?.nodeVersion ?? null,
      startedAt: run.startedAt,
      endedAt: run.endedAt,
      exitCode: run.exitCode,
      signal: run.signal,
      heapLimit: process?.heapLimit ?? null,
      intervalMs: process?.intervalMs ?? null,
    },
    samples,
    gcPauses: history
      .gcEvents(run.id, { ...byPid, limit: options.maxGcPauses ?? 50_000 })
      .map((gc) => ({ time: gc.time, kind: gc.kind, durationMs: gc.durationMs })),
    verdicts: history.verdicts(run.id, byPid).map((stored) => verdictPoint(stored.verdict)),
    alerts,
    snapshots: history.snapshots(run.id, byPid).map((snapshot) => ({
      time: snapshot.time,
      file: snapshot.file,
      reason: snapshot.label,
      bytes: snapshot.bytes,
    })),
    classes: census,
    suspects: [],
    analyzedSnapshots: 0,
    allocationSites: [],
  };
  // An analysis of this process, else one of the run that names no process.
  const analyses = history.analyses(run.id);
  const analysis =
    analyses.findLast((stored) => stored.pid === pid) ?? analyses.findLast((stored) => stored.pid === null);
  return analysis === undefined ? model : withAnalysis(model, analysis.result);
}

function pickRun(history: HistoryReader, runId: number | undefined): StoredRun {
  if (runId !== undefined) {
    const run = history.run(runId);
    if (run === undefined) {
      const ids = history.runs().map((candidate) => candidate.id);
      throw new InvalidOptionError(
        'runId',
        `${history.file} holds no run ${runId} (${ids.length === 0 ? 'it holds no runs' : `runs: ${ids.sort((a, b) => a - b).join(', ')}`}).`,
      );
    }
    return run;
  }
  const latest = history.runs()[0];
  if (latest === undefined) throw new InvalidOptionError('runId', `${history.file} holds no runs yet.`);
  return latest;
}

function pickProcess(run: StoredRun, pid: number | undefined): StoredProcess | undefined {
  if (pid !== undefined) {
    const chosen = run.processes.find((candidate) => candidate.pid === pid);
    if (chosen === undefined) {
      const pids = run.processes.map((candidate) => candidate.pid);
      throw new InvalidOptionError(
        'pid',
        `run ${run.id} watched no process ${pid} (${pids.length === 0 ? 'it recorded none' : `processes: ${pids.join(', ')}`}).`,
      );
    }
    return chosen;
  }
  return run.processes.find((candidate) => candidate.firstSample !== null) ?? run.processes[0];
}

/** One bucket → its lows at its first time and its highs at its last (one point when they coincide). */
export function memoryPoints(point: SamplePoint, gcMeasured: boolean): MemoryPoint[] {
  if (point.rss === null) return [];
  const at = (time: number, pick: (range: FigureRange) => number, gc: boolean): MemoryPoint => {
    const figure = (key: (typeof FIGURES)[number]) => {
      const range = point[key];
      return range === null ? null : pick(range);
    };
    return {
      time,
      rss: figure('rss') as number,
      heapUsed: figure('heapUsed'),
      heapTotal: figure('heapTotal'),
      external: figure('external'),
      arrayBuffers: figure('arrayBuffers'),
      heapFloor: figure('heapFloor'),
      gcPauseMs: gcMeasured ? (gc ? point.gcPauseMs : 0) : null,
      gcCount: gcMeasured ? (gc ? point.gcCount : 0) : null,
    };
  };
  if (point.samples <= 1 || point.lastTime === point.time)
    return [at(point.time, (range) => range.max, true)];
  return [at(point.time, (range) => range.min, true), at(point.lastTime, (range) => range.max, false)];
}
