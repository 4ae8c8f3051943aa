/**
 * `memwatcher/report`: reports people look at, from a watched run's history. Build a
 * `ReportModel` (from agent messages with `reportModelFromMessages`, add a heap analysis with
 * `withAnalysis`), then render it as a self-contained HTML page, text for a terminal, JSON for
 * scripts, or one chart as SVG, PNG or (retainer graphs) Graphviz DOT.
 *
 * Kept apart from the main entry: it loads Vega, dagre and resvg, which a watched process never needs.
 *
 * @example
 * import { renderReportHtml, reportModelFromMessages } from 'memwatcher/report';
 * writeFileSync('report.html', await renderReportHtml(reportModelFromMessages(messages, { exitCode })));
 */
export type { Report } from './build-report.ts';
export { buildReport } from './build-report.ts';
export type { ChartFormat, ChartKind, ChartOptions, RenderedChart } from './chart.ts';
export { CHART_KINDS, renderChart } from './chart.ts';
export { withAnalysis } from './model-from-analysis.ts';
export type { RunEnd } from './model-from-messages.ts';
export { reportModelFromMessages } from './model-from-messages.ts';
export type { HtmlReportOptions } from './report-html.ts';
export { renderReportHtml } from './report-html.ts';
export { renderReportJson } from './report-json.ts';
export type {
  ClassGrowth,
  GcKind,
  GcPause,
  JudgedFigure,
  LeakCulprit,
  LeakSuspect,
  MemoryPoint,
  ReportAlert,
  ReportAllocationSite,
  ReportModel,
  ReportRun,
  ReportStackFrame,
  RetainerPathStep,
  SnapshotTaken,
  SourceLocation,
  VerdictPoint,
  VerdictStatus,
  WatchMethod,
} from './report-model.ts';
export type { TextReportOptions } from './report-text.ts';
export { renderReportText } from './report-text.ts';
