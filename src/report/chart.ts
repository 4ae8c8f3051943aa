import type { TopLevelSpec } from 'vega-lite';
import { InvalidOptionError } from '../errors.ts';
import { allocationChartSpec } from './allocation-chart.ts';
import { buildReport, type Report } from './build-report.ts';
import { classesChartSpec } from './classes-chart.ts';
import { gcPauseChartSpec } from './gc-chart.ts';
import { memoryChartSpec, TOOLTIP_LAYERS } from './memory-chart.ts';
import type { ReportModel } from './report-model.ts';
import { layoutRetainerGraph, retainerGraph } from './retainer-graph.ts';
import { retainerGraphDot } from './retainer-graph-dot.ts';
import { retainerGraphSvg } from './retainer-graph-svg.ts';
import { svgToPng } from './svg-to-png.ts';
import { renderVegaLiteSvg } from './vega-render.ts';

export type ChartKind = 'memory' | 'gc' | 'classes' | 'allocations' | 'retainers';
export type ChartFormat = 'svg' | 'png' | 'dot';

export const CHART_KINDS: readonly ChartKind[] = ['memory', 'gc', 'classes', 'allocations', 'retainers'];

export interface ChartOptions {
  readonly chart: ChartKind;
  /** `dot` (Graphviz) only for `retainers`. */
  readonly format: ChartFormat;
  /** Plot width in px, for the memory chart (default 860). */
  readonly width?: number;
  /** Plot height in px, for the memory chart (default 300). */
  readonly height?: number;
  /** PNG pixels per SVG unit (default 2). */
  readonly scale?: number;
  /** A title drawn above the memory chart. */
  readonly title?: string;
  /** For `retainers`: only this suspect (0-based); all suspects in one graph by default. */
  readonly suspect?: number;
}

export interface RenderedChart {
  /** SVG and DOT as text, PNG as bytes. */
  readonly contents: string | Buffer;
  readonly mediaType: 'image/svg+xml' | 'image/png' | 'text/vnd.graphviz';
}

/**
 * One chart of the report, ready to write to a file (`memwatcher chart`). Returns `null` when the
 * model has nothing to draw (no samples, no GC pauses, no classes, no suspects…), so the caller can
 * say so in its own words. Throws `InvalidOptionError` for a format the chart does not come in, and
 * `ChartRenderError` when a PNG cannot be drawn.
 *
 * @example
 * const chart = await renderChart(model, { chart: 'memory', format: 'png' });
 * if (chart !== null) writeFileSync('memory.png', chart.contents);
 */
export async function renderChart(model: ReportModel, options: ChartOptions): Promise<RenderedChart | null> {
  if (!CHART_KINDS.includes(options.chart)) {
    throw new InvalidOptionError(
      'chart',
      `must be one of ${CHART_KINDS.join(', ')}, got "${options.chart}".`,
    );
  }
  if (!['svg', 'png', 'dot'].includes(options.format)) {
    throw new InvalidOptionError('format', `must be svg, png or dot, got "${options.format}".`);
  }
  if (options.format === 'dot' && options.chart !== 'retainers') {
    throw new InvalidOptionError(
      'format',
      `dot is for retainer graphs only; the ${options.chart} chart comes as svg or png.`,
    );
  }
  const report = buildReport(model);
  const svg =
    options.chart === 'retainers' ? retainersOutput(report, options) : await vegaChart(report, options);
  if (svg === null) return null;
  if (typeof svg !== 'string') return svg;
  if (options.format === 'png') {
    return {
      contents: svgToPng(svg, options.scale === undefined ? {} : { scale: options.scale }),
      mediaType: 'image/png',
    };
  }
  return { contents: svg, mediaType: 'image/svg+xml' };
}

async function vegaChart(report: Report, options: ChartOptions): Promise<string | null> {
  let spec: TopLevelSpec | null;
  switch (options.chart) {
    case 'memory':
      spec = memoryChartSpec(report, {
        ...(options.width === undefined ? {} : { width: options.width }),
        ...(options.height === undefined ? {} : { height: options.height }),
        ...(options.title === undefined ? {} : { title: options.title }),
      });
      break;
    case 'gc':
      spec = gcPauseChartSpec(report);
      break;
    case 'classes':
      spec = classesChartSpec(report);
      break;
    default:
      spec = allocationChartSpec(report);
  }
  return spec === null ? null : renderVegaLiteSvg(spec, { titledLayers: TOOLTIP_LAYERS });
}

function retainersOutput(report: Report, options: ChartOptions): string | RenderedChart | null {
  let suspects = report.suspects;
  if (options.suspect !== undefined) {
    const chosen = suspects[options.suspect];
    if (chosen === undefined) {
      throw new InvalidOptionError(
        'suspect',
        `there are ${suspects.length} leak suspects (numbered from 0); ${options.suspect} is not one of them.`,
      );
    }
    suspects = [chosen];
  }
  if (suspects.length === 0) return null;
  const graph = retainerGraph(suspects);
  if (options.format === 'dot') return { contents: retainerGraphDot(graph), mediaType: 'text/vnd.graphviz' };
  return retainerGraphSvg(layoutRetainerGraph(graph), { title: 'Retainer paths of leak suspects' });
}
