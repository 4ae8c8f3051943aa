import type { TopLevelSpec } from 'vega-lite';
import type { Report } from './build-report.ts';
import type { ReportStackFrame } from './report-model.ts';
import { formatBytes } from './report-wording.ts';
import { CHART_CONFIG, MONO_FONT } from './vega-render.ts';

/**
 * `name (file.js:12)`: the function and where it starts, the file by its last path segment (the full
 * URL is in the table beside the chart).
 *
 * @example
 * siteLabel({ functionName: 'handle', url: 'file:///app/server.js', line: 12, column: 3 }); // 'handle (server.js:12)'
 */
export function siteLabel(frame: ReportStackFrame): string {
  if (frame.url === '') return frame.functionName;
  const file =
    frame.url
      .replace(/[?#].*$/, '')
      .split(/[\\/]/)
      .at(-1) ?? frame.url;
  return `${frame.functionName} (${file}:${frame.line})`;
}

/**
 * Live bytes by allocation site, largest first (V8's sampling heap profiler). `null` when no sites
 * were recorded.
 *
 * @example
 * const spec = allocationChartSpec(buildReport(model), { top: 10 });
 */
export function allocationChartSpec(
  report: Report,
  options: { top?: number; width?: number } = {},
): TopLevelSpec | null {
  const sites = [...report.allocationSites]
    .sort((a, b) => b.liveBytes - a.liveBytes)
    .slice(0, options.top ?? 10);
  if (sites.length === 0) return null;
  const max = Math.max(...sites.map((site) => site.liveBytes)) / 1e6;
  const rows = sites.map((site, index) => ({
    key: `${String(index + 1).padStart(2, '0')} ${siteLabel(site)}`,
    liveMB: site.liveBytes / 1e6,
    label: formatBytes(site.liveBytes),
  }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CHART_CONFIG,
    width: (options.width ?? 860) - 330,
    height: { step: 22 },
    data: { values: rows },
    encoding: {
      y: {
        field: 'key',
        type: 'nominal',
        sort: null,
        axis: {
          title: null,
          labelExpr: 'slice(datum.label, 3)',
          labelLimit: 320,
          labelFont: MONO_FONT,
          ticks: false,
          domain: false,
        },
      },
      x: {
        field: 'liveMB',
        type: 'quantitative',
        scale: { domain: [0, max * 1.25], nice: false },
        axis: { title: 'live bytes allocated here (MB, sampled estimate)', tickCount: 4, format: '~r' },
      },
    },
    layer: [
      { mark: { type: 'bar', color: '#7a5cc0', cornerRadiusEnd: 2, height: { band: 0.7 } } },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 11, color: '#303641' },
        encoding: { text: { field: 'label' } },
      },
    ],
  } as TopLevelSpec;
}
