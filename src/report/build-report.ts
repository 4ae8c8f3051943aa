import { redactModel } from './redact.ts';
import type { GcKind, GcPause, MemoryPoint, ReportModel, ReportRun, VerdictPoint } from './report-model.ts';

/** A memory figure over the run: where it started, ended, and peaked. */
export interface FigureStats {
  readonly first: number;
  readonly last: number;
  readonly min: number;
  readonly peak: number;
  readonly peakAt: number;
}

export type MemoryFigure = 'rss' | 'heapUsed' | 'heapTotal' | 'heapFloor' | 'external' | 'arrayBuffers';

export interface GcKindStats {
  readonly kind: GcKind;
  /** Pauses recorded one by one. */
  readonly count: number;
  readonly totalPauseMs: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly maxMs: number;
}

/** One bar of the pause histogram: pauses of `kind` lasting `fromMs` ≤ d < `toMs` ms (`null`: no bound). */
export interface PauseBin {
  readonly kind: GcKind;
  readonly label: string;
  readonly fromMs: number;
  readonly toMs: number | null;
  readonly count: number;
}

/**
 * The report as data: the (redacted) model plus what is derived from it. This is the `--json` form;
 * the text and HTML forms render exactly this.
 */
export interface Report {
  readonly format: 'memwatcher-report';
  readonly version: 1;
  readonly run: ReportRun & { readonly durationMs: number | null };
  readonly verdict: {
    /** The latest verdict; `null` when the run was never judged. */
    readonly final: VerdictPoint | null;
    /** When the verdict first turned to leak. */
    readonly leakCalledAt: number | null;
    readonly history: readonly VerdictPoint[];
  };
  readonly memory: {
    /** Only the figures that were measured. */
    readonly figures: Partial<Record<MemoryFigure, FigureStats>>;
    readonly samples: readonly MemoryPoint[];
  };
  readonly gc: {
    /** All collections, from the per-sample totals (`null` when not measured). */
    readonly collections: number | null;
    readonly pauseMs: number | null;
    /** Share of the run's wall time spent in GC pauses, 0–1. */
    readonly pauseShare: number | null;
    readonly byKind: readonly GcKindStats[];
    readonly histogram: readonly PauseBin[];
    readonly pauses: readonly GcPause[];
  };
  readonly alerts: ReportModel['alerts'];
  readonly snapshots: ReportModel['snapshots'];
  readonly classes: ReportModel['classes'];
  readonly suspects: ReportModel['suspects'];
  readonly analyzedSnapshots: number;
  readonly allocationSites: ReportModel['allocationSites'];
}

const FIGURES: readonly MemoryFigure[] = [
  'rss',
  'heapUsed',
  'heapTotal',
  'heapFloor',
  'external',
  'arrayBuffers',
];
const KINDS: readonly GcKind[] = ['minor', 'incremental', 'major', 'weakcb'];
/** Bin edges in ms: pauses span four orders of magnitude, so the bins grow roughly ×2–2.5. */
const PAUSE_EDGES: readonly number[] = [0, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500];

/**
 * Derives the report from a model. Heap-derived names are redacted first (see `redact.ts`).
 *
 * @example
 * const report = buildReport(model);
 * process.stdout.write(`${JSON.stringify(report)}\n`);
 */
export function buildReport(unsafeModel: ReportModel): Report {
  const model = redactModel(unsafeModel);
  const samples = [...model.samples].sort((a, b) => a.time - b.time);
  const verdicts = [...model.verdicts].sort((a, b) => a.time - b.time);
  const endedAt = model.run.endedAt ?? samples.at(-1)?.time ?? null;
  const durationMs = endedAt === null ? null : Math.max(0, endedAt - model.run.startedAt);
  const gc = gcStats(samples, model.gcPauses, durationMs);
  return {
    format: 'memwatcher-report',
    version: 1,
    run: { ...model.run, durationMs },
    verdict: {
      final: verdicts.at(-1) ?? null,
      leakCalledAt: verdicts.find((verdict) => verdict.leaking)?.time ?? null,
      history: verdicts,
    },
    memory: { figures: figureStats(samples), samples },
    gc,
    alerts: [...model.alerts].sort((a, b) => a.time - b.time),
    snapshots: [...model.snapshots].sort((a, b) => a.time - b.time),
    classes: model.classes,
    suspects: model.suspects,
    analyzedSnapshots: model.analyzedSnapshots,
    allocationSites: model.allocationSites,
  };
}

function figureStats(samples: readonly MemoryPoint[]): Partial<Record<MemoryFigure, FigureStats>> {
  const figures: Partial<Record<MemoryFigure, FigureStats>> = {};
  for (const figure of FIGURES) {
    let stats: { first: number; last: number; min: number; peak: number; peakAt: number } | undefined;
    for (const sample of samples) {
      const value = sample[figure];
      if (value === null) continue;
      if (stats === undefined) {
        stats = { first: value, last: value, min: value, peak: value, peakAt: sample.time };
        continue;
      }
      stats.last = value;
      if (value < stats.min) stats.min = value;
      if (value > stats.peak) {
        stats.peak = value;
        stats.peakAt = sample.time;
      }
    }
    if (stats !== undefined) figures[figure] = stats;
  }
  return figures;
}

function gcStats(samples: readonly MemoryPoint[], pauses: readonly GcPause[], durationMs: number | null) {
  let collections: number | null = null;
  let pauseMs: number | null = null;
  for (const sample of samples) {
    if (sample.gcCount !== null) collections = (collections ?? 0) + sample.gcCount;
    if (sample.gcPauseMs !== null) pauseMs = (pauseMs ?? 0) + sample.gcPauseMs;
  }
  const sorted = [...pauses].sort((a, b) => a.time - b.time);
  const byKind: GcKindStats[] = [];
  const histogram: PauseBin[] = [];
  for (const kind of KINDS) {
    const durations = sorted
      .filter((pause) => pause.kind === kind)
      .map((pause) => pause.durationMs)
      .sort((a, b) => a - b);
    if (durations.length === 0) continue;
    byKind.push({
      kind,
      count: durations.length,
      totalPauseMs: durations.reduce((sum, duration) => sum + duration, 0),
      medianMs: quantile(durations, 0.5),
      p95Ms: quantile(durations, 0.95),
      maxMs: durations.at(-1)!,
    });
    for (let bin = 0; bin < PAUSE_EDGES.length; bin++) {
      const fromMs = PAUSE_EDGES[bin]!;
      const toMs = PAUSE_EDGES[bin + 1] ?? null;
      const count = durations.filter((d) => d >= fromMs && (toMs === null || d < toMs)).length;
      histogram.push({ kind, label: pauseBinLabel(fromMs, toMs), fromMs, toMs, count });
    }
  }
  // Pauses recorded one by one may be only the major ones; the per-sample totals count them all.
  const pauseShare =
    pauseMs !== null && durationMs !== null && durationMs > 0 ? Math.min(1, pauseMs / durationMs) : null;
  return { collections, pauseMs, pauseShare, byKind, histogram: trimEmptyBins(histogram), pauses: sorted };
}

/** Drops the empty bins above the longest pause of any kind (the axis then ends where data ends). */
function trimEmptyBins(histogram: PauseBin[]): PauseBin[] {
  let lastUsed = -1;
  for (const bin of histogram) if (bin.count > 0) lastUsed = Math.max(lastUsed, bin.fromMs);
  return histogram.filter((bin) => bin.fromMs <= lastUsed);
}

/** Pause bin labels in the histogram's order; the chart uses them as its category axis. */
export function pauseBinLabels(): string[] {
  return PAUSE_EDGES.map((fromMs, index) => pauseBinLabel(fromMs, PAUSE_EDGES[index + 1] ?? null));
}

/** Short labels (`<0.5`, `2–5`, `≥500`) under an axis titled in ms. */
function pauseBinLabel(fromMs: number, toMs: number | null): string {
  if (toMs === null) return `≥${fromMs}`;
  if (fromMs === 0) return `<${toMs}`;
  return `${fromMs}–${toMs}`;
}

/** Linear interpolation between closest ranks; `sorted` is ascending and not empty. */
function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below]!;
  return low + (sorted[above]! - low) * (position - below);
}
