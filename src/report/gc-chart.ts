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
 * GC pauses by length, one row of bars per kind: how often the program stopped, and for how long.
 * Bins grow roughly ×2, since pauses span sub-millisecond scavenges to long mark-compacts.
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
  const kindLabels = kinds.map((kind) => KIND_LABELS[kind]);
  // Small multiples, one row per kind with its own count scale: scavenges outnumber mark-compacts a
  // hundred to one, and on a shared scale the long, rare pauses that matter would be invisible.
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: { ...CHART_CONFIG, facet: { spacing: 14 }, header: { labelFontSize: 12, labelColor: '#303641' } },
    data: { values: bins.map((bin) => ({ ...bin, kindLabel: KIND_LABELS[bin.kind] })) },
    facet: {
      row: {
        field: 'kindLabel',
        type: 'nominal',
        sort: kindLabels,
        header: { title: null, labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelPadding: 4 },
      },
    },
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: options.width ?? 560,
      height: options.height ?? 64,
      encoding: {
        x: {
          field: 'label',
          type: 'ordinal',
          sort: order,
          axis: { title: 'pause length (ms)', labelAngle: 0, labelOverlap: false },
          scale: { paddingInner: 0.3 },
        },
        y: {
          field: 'count',
          type: 'quantitative',
          axis: { title: null, tickCount: 2, tickMinStep: 1, format: 'd' },
          scale: { nice: true },
        },
      },
      layer: [
        {
          mark: { type: 'bar', cornerRadiusTopLeft: 2, cornerRadiusTopRight: 2 },
          encoding: {
            color: {
              field: 'kindLabel',
              type: 'nominal',
              scale: { domain: kindLabels, range: kinds.map((kind) => GC_KIND_COLORS[kind]) },
              legend: null,
            },
          },
        },
        {
          mark: { type: 'text', baseline: 'bottom', dy: -2, fontSize: 10, color: '#4a5260' },
          encoding: { text: { field: 'count', type: 'quantitative' } },
          transform: [{ filter: 'datum.count > 0' }],
        },
      ],
    },
  } as TopLevelSpec;
}
