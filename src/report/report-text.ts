import { styleText } from 'node:util';
import { siteLabel } from './allocation-chart.ts';
import { renderTable, suspectDetailLines } from './analysis-text.ts';
import { buildReport, type FigureStats, type MemoryFigure, type Report } from './build-report.ts';
import type { MemoryPoint, ReportModel } from './report-model.ts';
import {
  formatBytes,
  formatCommand,
  formatCount,
  formatDuration,
  formatPause,
  formatPercent,
  noSuspectsReason,
  runFacts,
  type VerdictTone,
  verdictHeadline,
} from './report-wording.ts';

export interface TextReportOptions {
  /** ANSI colours; the caller decides (a TTY without `NO_COLOR`). */
  readonly color: boolean;
  /** Rows per table, suspects shown. Default 10. */
  readonly top?: number;
  /** Wrap retainer paths at this width. Default 100. */
  readonly width?: number;
}

const FIGURE_LABELS: [MemoryFigure, string][] = [
  ['rss', 'RSS'],
  ['heapUsed', 'heap used'],
  ['heapFloor', 'heap floor after GC'],
  ['external', 'external'],
  ['arrayBuffers', 'ArrayBuffers'],
];
const SPARK = '▁▂▃▄▅▆▇█';
const SPARK_WIDTH = 32;

/**
 * The report for a terminal: the verdict first, then memory figures with a sparkline each, GC,
 * alerts, leak suspects with their retainer paths, classes and allocation sites. Same content and
 * units as the HTML report.
 *
 * @example
 * process.stdout.write(renderReportText(model, { color: process.stdout.isTTY }));
 */
export function renderReportText(model: ReportModel, options: TextReportOptions): string {
  const report = buildReport(model);
  const style = stylerFor(options.color);
  const top = Math.max(1, Math.floor(options.top ?? 10));
  const width = options.width ?? 100;
  const headline = verdictHeadline(report);
  const sections = [
    runLines(report, style),
    `${style.tone(headline.tone, headline.title.toUpperCase())}\n${wrap(headline.detail, width, '  ')}`,
    memoryLines(report, style),
    gcLines(report, style),
    alertLines(report, top, style),
    suspectLines(report, top, width, style),
    classLines(report, top, style),
    allocationLines(report, top, style),
    snapshotLines(report, style),
  ].filter((section) => section !== '');
  return `${sections.join('\n\n')}\n`;
}

function runLines(report: Report, style: Styler): string {
  const run = report.run;
  const meta = runFacts(run);
  return `${style.heading('memwatcher report')}  ${formatCommand(run.command)}\n${style.dim(meta.join(' · '))}`;
}

function memoryLines(report: Report, style: Styler): string {
  const { figures, samples } = report.memory;
  const present = FIGURE_LABELS.filter(([figure]) => figures[figure] !== undefined);
  if (present.length === 0) return `${style.heading('Memory')}\n  No memory samples were recorded.`;
  const rows = present.map(([figure, label]) => {
    const stats = figures[figure] as FigureStats;
    return [
      label,
      formatBytes(stats.first),
      formatBytes(stats.peak),
      formatBytes(stats.last),
      sparkline(samples, figure),
    ];
  });
  return `${style.heading('Memory')}  ${style.dim(`(${formatCount(samples.length)} samples; sparklines from 0 to each figure's peak)`)}\n${renderTable(
    ['', 'first', 'peak', 'last', 'over time'],
    rows,
    'lrrrl',
  )}`;
}

/** One character per slice of the run: the slice's highest value, on a scale from 0 to the peak. */
export function sparkline(
  samples: readonly MemoryPoint[],
  figure: MemoryFigure,
  width = SPARK_WIDTH,
): string {
  const values = samples.map((sample) => sample[figure]);
  // A loop, not Math.max(...values): days of samples exceed the engine's argument limit.
  let peak: number | null = null;
  for (const value of values) if (value !== null && (peak === null || value > peak)) peak = value;
  if (peak === null) return '';
  const slices = Math.min(width, values.length);
  let line = '';
  for (let slice = 0; slice < slices; slice++) {
    const from = Math.floor((slice * values.length) / slices);
    const to = Math.floor(((slice + 1) * values.length) / slices);
    let high: number | null = null;
    for (let i = from; i < to; i++) {
      const value = values[i] ?? null;
      if (value !== null && (high === null || value > high)) high = value;
    }
    line +=
      high === null
        ? ' '
        : SPARK[peak === 0 ? 0 : Math.min(SPARK.length - 1, Math.floor((high / peak) * SPARK.length))];
  }
  return line;
}

function gcLines(report: Report, style: Styler): string {
  const { gc } = report;
  if (gc.collections === null && gc.byKind.length === 0) return '';
  const lines = [style.heading('Garbage collection')];
  if (gc.collections !== null) {
    lines.push(
      `  ${formatCount(gc.collections)} collections paused the program for ${formatDuration(gc.pauseMs ?? 0)}${
        gc.pauseShare === null ? '' : ` (${formatPercent(gc.pauseShare)} of the run)`
      }.`,
    );
  }
  if (gc.byKind.length > 0) {
    lines.push(
      renderTable(
        ['kind', 'pauses', 'total', 'median', 'p95', 'longest'],
        gc.byKind.map((kind) => [
          kind.kind,
          formatCount(kind.count),
          formatPause(kind.totalPauseMs),
          formatPause(kind.medianMs),
          formatPause(kind.p95Ms),
          formatPause(kind.maxMs),
        ]),
        'lrrrrr',
      ),
    );
  }
  return lines.join('\n');
}

function alertLines(report: Report, top: number, style: Styler): string {
  if (report.alerts.length === 0) return '';
  const critical = report.alerts.filter((alert) => alert.severity === 'critical').length;
  const shown = report.alerts.slice(0, top);
  const rows = shown.map((alert) => [
    `+${formatDuration(alert.time - report.run.startedAt)}`,
    alert.severity === 'critical' ? style.tone('leak', alert.severity) : alert.severity,
    alert.rule,
    alert.message,
  ]);
  const more = report.alerts.length > shown.length ? `\n  … ${report.alerts.length - shown.length} more` : '';
  return `${style.heading(`Alerts (${report.alerts.length}, ${critical} critical)`)}\n${renderTable(
    ['when', 'severity', 'rule', 'message'],
    rows,
    'rlll',
  )}${more}`;
}

function suspectLines(report: Report, top: number, width: number, style: Styler): string {
  if (report.suspects.length === 0) {
    return report.analyzedSnapshots === 0 && report.snapshots.length === 0
      ? ''
      : `${style.heading('Leak suspects')}\n${wrap(noSuspectsReason(report), width, '  ')}`;
  }
  const blocks = report.suspects.slice(0, top).map((suspect, index) => {
    const name = suspect.type === 'closure' ? `${suspect.name}()` : suspect.name;
    const lines = [
      `  ${index + 1}. ${style.tone('leak', name)}${name === `(${suspect.type})` ? '' : ` ${style.dim(`(${suspect.type})`)}`}: ${formatCount(suspect.count)} alive, retaining ${formatBytes(
        suspect.retainedSize,
      )}`,
      ...suspectDetailLines(suspect, width),
    ];
    return lines.join('\n');
  });
  return `${style.heading(`Leak suspects (${report.suspects.length}, by retained size)`)}\n${blocks.join('\n\n')}`;
}

function classLines(report: Report, top: number, style: Styler): string {
  if (report.classes.length === 0) return '';
  const signed = (value: number | null, format: (n: number) => string) =>
    value === null ? '–' : `${value > 0 ? '+' : ''}${format(value)}`;
  const rows = report.classes
    .slice(0, top)
    .map((entry) => [
      entry.name,
      entry.type ?? '',
      formatCount(entry.count),
      signed(entry.countDelta, formatCount),
      entry.selfSize === null ? '–' : formatBytes(entry.selfSize),
      signed(entry.selfSizeDelta, formatBytes),
      entry.retainedSize === null ? '–' : formatBytes(entry.retainedSize),
    ]);
  return `${style.heading('Top classes')}\n${renderTable(
    ['class', 'type', 'count', 'Δ count', 'self size', 'Δ self size', 'retained'],
    rows,
    'llrrrrr',
  )}`;
}

function allocationLines(report: Report, top: number, style: Styler): string {
  if (report.allocationSites.length === 0) return '';
  const rows = report.allocationSites
    .slice(0, top)
    .map((site) => [formatBytes(site.liveBytes), formatCount(site.samples), siteLabel(site), site.url]);
  return `${style.heading('Allocation sites')}  ${style.dim('(live bytes, sampled estimate)')}\n${renderTable(
    ['live', 'samples', 'function', 'script'],
    rows,
    'rrll',
  )}`;
}

function snapshotLines(report: Report, style: Styler): string {
  if (report.snapshots.length === 0) return '';
  const rows = report.snapshots.map((snapshot) => [
    `+${formatDuration(snapshot.time - report.run.startedAt)}`,
    snapshot.reason,
    formatBytes(snapshot.bytes),
    snapshot.file,
  ]);
  return `${style.heading('Heap snapshots')}\n${renderTable(['when', 'why', 'size', 'file'], rows, 'rlrl')}`;
}

function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines.map((entry) => indent + entry).join('\n');
}

interface Styler {
  heading(text: string): string;
  tone(tone: VerdictTone, text: string): string;
  dim(text: string): string;
}

function stylerFor(color: boolean): Styler {
  if (!color) {
    const plain = (text: string) => text;
    return { heading: plain, tone: (_tone, text) => text, dim: plain };
  }
  // validateStream: false because the caller already decided; this function writes to no stream.
  const paint = (format: Parameters<typeof styleText>[0], text: string) =>
    styleText(format, text, { validateStream: false });
  const toneFormats: Record<VerdictTone, Parameters<typeof styleText>[0]> = {
    leak: ['bold', 'red'],
    growing: ['bold', 'yellow'],
    ok: ['bold', 'green'],
    pending: 'bold',
  };
  return {
    heading: (text) => paint('bold', text),
    tone: (tone, text) => paint(toneFormats[tone], text),
    dim: (text) => paint('dim', text),
  };
}
