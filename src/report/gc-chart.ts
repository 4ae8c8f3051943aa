import type { TopLevelSpec } from 'vega-lite';
import { pauseBinLabels, type Report } from './build-report.ts';
import type { GcKind } from './report-model.ts';
import { CHART_CONFIG } from './vega-render.ts';

export const GC_KIND_COLORS: Record<GcKind, string> = {
  minor: '#8fbfe0',
  incremental: '#f2a541',
  major: '#3d6fa8',
  weakcb: '#a778b5',
};

const KIND_LABELS: Record<GcKind, string> = {
  minor: 'minor (scavenge)',
  incremental: 'incremental marking',
  major: 'major (mark-compact)',
  weakcb: 'weak callbacks',
};

/**
 * GC pauses by length, one bar per kind in each bin: how often the program stopped, and for how
 * long. Bins grow roughly ×2, since pauses span sub-millisecond scavenges to long mark-compacts.
 * `null` when no pause was recorded one by one.
 *
 * @example
 * const spec = gcPauseChartSpec(buildReport(model));
 */
export function gcPauseChartSpec(
  report: Report,
  options: { width?: number; height?: number } = {},
): TopLevelSpec | null {
  const bins = report.gc.histogram;
  if (bins.length === 0) return null;
  const kinds = report.gc.byKind.map((stats) => stats.kind);
  const order = pauseBinLabels().filter((label) => bins.some((bin) => bin.label === label));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: options.width ?? 400,
    height: options.height ?? 180,
    config: CHART_CONFIG,
    data: { values: bins.map((bin) => ({ ...bin, kindLabel: KIND_LABELS[bin.kind] })) },
    encoding: {
      x: {
        field: 'label',
        type: 'ordinal',
        sort: order,
        axis: { title: 'pause length (ms)', labelAngle: 0, labelOverlap: false },
        scale: { paddingInner: 0.25 },
      },
      xOffset: { field: 'kindLabel', type: 'nominal', sort: kinds.map((kind) => KIND_LABELS[kind]) },
      y: {
        field: 'count',
        type: 'quantitative',
        axis: { title: 'collections', tickMinStep: 1, format: 'd' },
      },
    },
    layer: [
      {
        mark: { type: 'bar', cornerRadiusTopLeft: 2, cornerRadiusTopRight: 2 },
        encoding: {
          color: {
            field: 'kindLabel',
            type: 'nominal',
            scale: {
              domain: kinds.map((kind) => KIND_LABELS[kind]),
              range: kinds.map((kind) => GC_KIND_COLORS[kind]),
            },
            legend: { orient: 'top', direction: 'horizontal', title: null, labelLimit: 200 },
          },
        },
      },
      {
        mark: { type: 'text', baseline: 'bottom', dy: -2, fontSize: 10, color: '#4a5260' },
        encoding: { text: { field: 'count', type: 'quantitative' } },
        transform: [{ filter: 'datum.count > 0' }],
      },
    ],
  } as TopLevelSpec;
}
