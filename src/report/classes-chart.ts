import type { TopLevelSpec } from 'vega-lite';
import type { Report } from './build-report.ts';
import { formatBytes, formatCount } from './report-wording.ts';
import { CHART_CONFIG } from './vega-render.ts';

const SUSPECT_COLOR = '#d6453d';
const CLASS_COLOR = '#5b86b8';
const GREW_COLOR = '#d6453d';
const SHRANK_COLOR = '#3f9a55';

/** Names of the classes that make up a leak suspect, to colour them alike wherever they appear. */
export function suspectClassNames(report: Report): Set<string> {
  return new Set(
    report.suspects.flatMap((suspect) => [
      suspect.name,
      ...(suspect.classes ?? []).map((entry) => entry.name),
    ]),
  );
}

/**
 * The largest classes (by retained size, or by count when sizes are unknown) and, beside them, how
 * each one changed since the first snapshot or census. Classes that belong to a leak suspect are red.
 * `null` without classes.
 *
 * @example
 * const spec = classesChartSpec(buildReport(model), { top: 12 });
 */
export function classesChartSpec(
  report: Report,
  options: { top?: number; width?: number } = {},
): TopLevelSpec | null {
  const top = options.top ?? 12;
  const bySize = report.classes.some((entry) => entry.retainedSize !== null);
  const classes = [...report.classes]
    .sort((a, b) => (bySize ? (b.retainedSize ?? 0) - (a.retainedSize ?? 0) : b.count - a.count))
    .slice(0, top);
  if (classes.length === 0) return null;
  const suspects = suspectClassNames(report);
  const hasDelta = classes.some((entry) => (bySize ? entry.selfSizeDelta : entry.countDelta) !== null);
  const rows = classes.map((entry, index) => {
    const name = entry.type === 'closure' ? `${entry.name}()` : entry.name;
    const size = bySize ? (entry.retainedSize ?? 0) : entry.count;
    const delta = bySize ? entry.selfSizeDelta : entry.countDelta;
    return {
      // Unique and ordered: two classes may share a name (`Foo` the object and `Foo` the closure).
      key: `${String(index + 1).padStart(2, '0')} ${name}`,
      size: bySize ? size / 1e6 : size,
      sizeLabel: bySize ? formatBytes(size) : formatCount(size),
      delta: delta === null ? 0 : bySize ? delta / 1e6 : delta,
      deltaLabel:
        delta === null ? '' : `${delta > 0 ? '+' : ''}${bySize ? formatBytes(delta) : formatCount(delta)}`,
      color: suspects.has(entry.name) ? SUSPECT_COLOR : CLASS_COLOR,
      deltaColor: delta === null || delta === 0 ? '#b8bec9' : delta > 0 ? GREW_COLOR : SHRANK_COLOR,
    };
  });
  const width = options.width ?? 860;
  const barHeight = 22;
  const y = {
    field: 'key',
    type: 'nominal',
    sort: null,
    axis: {
      title: null,
      labelExpr: 'slice(datum.label, 3)',
      labelLimit: 220,
      labelFontSize: 12,
      ticks: false,
      domain: false,
    },
  };
  // Room beyond the longest bar for its label: text is not clipped and would run into the next panel.
  const extent = (values: number[]) => {
    const low = Math.min(0, ...values);
    const high = Math.max(0, ...values);
    const room = (high - low || 1) * 0.3;
    return [low < 0 ? low - room : 0, high > 0 ? high + room : 0];
  };
  const domains: Record<string, number[]> = {
    size: extent(rows.map((row) => row.size)),
    delta: extent(rows.map((row) => row.delta)),
  };
  const panel = (
    field: string,
    label: string,
    color: string,
    title: string,
    panelWidth: number,
    showLabels: boolean,
  ) => ({
    width: panelWidth,
    height: { step: barHeight },
    encoding: { y: showLabels ? y : { ...y, axis: null } },
    layer: [
      {
        mark: { type: 'bar', cornerRadiusEnd: 2, height: { band: 0.7 } },
        encoding: {
          x: {
            field,
            type: 'quantitative',
            scale: { domain: domains[field], nice: false },
            axis: { title, grid: true, tickCount: 4, format: '~r' },
          },
          color: { field: color, type: 'nominal', scale: null, legend: null },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 11, color: '#303641' },
        encoding: {
          x: { field, type: 'quantitative' },
          text: { field: label },
        },
        transform: [{ filter: `datum.${field} >= 0` }],
      },
      {
        mark: { type: 'text', align: 'right', dx: -4, fontSize: 11, color: '#303641' },
        encoding: { x: { field, type: 'quantitative' }, text: { field: label } },
        transform: [{ filter: `datum.${field} < 0` }],
      },
    ],
  });
  const sizeTitle = bySize ? 'retained size (MB)' : 'live instances';
  const deltaTitle = bySize ? 'change of own size since first snapshot (MB)' : 'change since first census';
  const labelRoom = 230;
  const panels = hasDelta
    ? [
        panel('size', 'sizeLabel', 'color', sizeTitle, Math.round((width - labelRoom) * 0.55), true),
        panel(
          'delta',
          'deltaLabel',
          'deltaColor',
          deltaTitle,
          Math.round((width - labelRoom) * 0.45) - 40,
          false,
        ),
      ]
    : [panel('size', 'sizeLabel', 'color', sizeTitle, width - labelRoom, true)];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: { ...CHART_CONFIG, concat: { spacing: 40 } },
    data: { values: rows },
    hconcat: panels,
    resolve: { scale: { y: 'shared' } },
  } as TopLevelSpec;
}
