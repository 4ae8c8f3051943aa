import type { TopLevelSpec } from 'vega-lite';
import type { Report } from './build-report.ts';
import type { MemoryPoint, VerdictStatus } from './report-model.ts';
import { formatBytes, formatDuration, formatGrowth } from './report-wording.ts';
import { CHART_CONFIG } from './vega-render.ts';

export interface MemoryChartOptions {
  /** Plot width in px (axes and legend come on top). Default 860. */
  readonly width?: number;
  /** Plot height in px. Default 300. */
  readonly height?: number;
  /** A title above the chart; none by default (the HTML report has headings). */
  readonly title?: string;
}

interface Series {
  readonly key: keyof Pick<MemoryPoint, 'rss' | 'heapUsed' | 'heapFloor' | 'external' | 'arrayBuffers'>;
  readonly label: string;
  readonly color: string;
  readonly width: number;
  readonly dash: readonly number[];
}

/**
 * RSS is the envelope, the floor is what the verdict judges: it is drawn boldest. Heap used is the
 * sawtooth between the two, light so the floor reads through it.
 */
const SERIES: readonly Series[] = [
  { key: 'rss', label: 'RSS', color: '#6b7686', width: 1.75, dash: [] },
  { key: 'heapUsed', label: 'heap used', color: '#86b4e0', width: 1.1, dash: [] },
  { key: 'heapFloor', label: 'heap floor (after GC)', color: '#d6453d', width: 2.75, dash: [] },
  { key: 'external', label: 'external', color: '#3f9a55', width: 1.6, dash: [] },
  { key: 'arrayBuffers', label: 'ArrayBuffers', color: '#3f9a55', width: 1.3, dash: [4, 3] },
];

const BAND_COLORS: Partial<Record<VerdictStatus, string>> = { growing: '#f6c344', leak: '#d6453d' };
const ALERT_COLORS = { warning: '#e08a00', critical: '#c0262d' } as const;

/** An axis unit: values are divided by `divisor` and the axis title names `unit`. */
interface AxisUnit {
  readonly divisor: number;
  readonly unit: string;
}

/**
 * The memory-over-time chart as a Vega-Lite spec: RSS, heap used, the heap floor after GC, external
 * and ArrayBuffer memory; periods judged growing or leaking shaded, the moment the leak was called
 * marked, alerts as triangles along the top and heap snapshots as diamonds along the bottom.
 * `null` when the report has no samples.
 *
 * @example
 * const spec = memoryChartSpec(buildReport(model));
 * if (spec !== null) writeFileSync('memory.svg', await renderVegaLiteSvg(spec));
 */
export function memoryChartSpec(report: Report, options: MemoryChartOptions = {}): TopLevelSpec | null {
  const samples = report.memory.samples;
  if (samples.length === 0) return null;
  const width = options.width ?? 860;
  const height = options.height ?? 300;
  const start = report.run.startedAt;
  const end = Math.max(report.run.startedAt + (report.run.durationMs ?? 0), samples.at(-1)!.time);
  const time = timeScale(end - start);
  const size = sizeScale(maxValue(samples));
  const x = (t: number) => (t - start) / time.divisor;
  const y = (bytes: number) => bytes / size.divisor;

  const present = SERIES.filter((series) => samples.some((sample) => sample[series.key] !== null));
  const lines = downsample(samples, Math.max(50, Math.floor(width / 2))).flatMap((sample) =>
    present.flatMap((series) => {
      const value = sample[series.key];
      return value === null ? [] : [{ t: x(sample.time), series: series.label, value: y(value) }];
    }),
  );
  const xDomain = [0, x(end)];
  const xAxis = {
    title: `time since start (${time.unit})`,
    grid: false,
    tickCount: 8,
    labelFlush: true,
  };

  const layers: unknown[] = [];
  const bands = verdictBands(report, end).map((band) => ({ ...band, from: x(band.from), to: x(band.to) }));
  if (bands.length > 0) {
    layers.push({
      name: 'verdict_bands',
      data: { values: bands },
      mark: { type: 'rect', opacity: 0.09 },
      encoding: {
        x: { field: 'from', type: 'quantitative', scale: { domain: xDomain }, axis: xAxis },
        x2: { field: 'to' },
        color: { field: 'color', type: 'nominal', scale: null, legend: null },
      },
    });
  }
  const floor = present.find((series) => series.key === 'heapFloor');
  // One legend for colour, width and dash (same field, same settings: Vega-Lite merges them), so
  // the floor's key is bold and the ArrayBuffers' dashed, as in the plot.
  const legend = {
    orient: 'top',
    direction: 'horizontal',
    title: null,
    symbolType: 'stroke',
    columnPadding: 18,
    labelLimit: 260,
    // A horizontal legend does not wrap by itself: a narrow chart gets it in rows.
    columns: Math.max(1, Math.min(present.length, Math.floor(width / 170))),
  };
  layers.push({
    name: 'memory_series',
    data: { values: lines.filter((row) => row.series !== floor?.label) },
    mark: { type: 'line', strokeCap: 'round', strokeJoin: 'round', clip: true },
    encoding: {
      x: { field: 't', type: 'quantitative', scale: { domain: xDomain, nice: false }, axis: xAxis },
      y: {
        field: 'value',
        type: 'quantitative',
        scale: { zero: true, nice: true },
        axis: { title: `memory (${size.unit})`, tickCount: 6, format: '~r' },
      },
      // The legend lists every series, the floor included, though the floor has its own layer.
      color: {
        field: 'series',
        type: 'nominal',
        scale: { domain: present.map((s) => s.label), range: present.map((s) => s.color) },
        legend,
      },
      strokeWidth: {
        field: 'series',
        type: 'nominal',
        scale: { domain: present.map((s) => s.label), range: present.map((s) => s.width) },
        sort: present.map((s) => s.label),
        legend,
      },
      strokeDash: {
        field: 'series',
        type: 'nominal',
        scale: { domain: present.map((s) => s.label), range: present.map((s) => s.dash) },
        sort: present.map((s) => s.label),
        legend,
      },
    },
  });
  // A separate layer because interpolation is per mark: the floor only changes at a major GC, so it
  // is a step; drawn last, on top of the sawtooth it summarises.
  if (floor !== undefined) {
    layers.push({
      name: 'heap_floor',
      data: { values: lines.filter((row) => row.series === floor.label) },
      mark: {
        type: 'line',
        interpolate: 'step-after',
        color: floor.color,
        strokeWidth: floor.width,
        clip: true,
      },
      encoding: {
        x: { field: 't', type: 'quantitative' },
        y: { field: 'value', type: 'quantitative' },
      },
    });
  }

  const leak = report.verdict.leakCalledAt;
  if (leak !== null) {
    const verdict = report.verdict.history.find((point) => point.leaking);
    const growth = verdict?.growthBytesPerMinute;
    layers.push({
      name: 'leak_called',
      data: {
        values: [
          {
            t: x(leak),
            label: `leak called${growth === null || growth === undefined ? '' : ` · ${formatGrowth(growth)}`}`,
          },
        ],
      },
      layer: [
        {
          mark: { type: 'rule', color: '#b3261e', strokeWidth: 1.5, strokeDash: [5, 3] },
          encoding: { x: { field: 't', type: 'quantitative' } },
        },
        {
          mark: {
            type: 'text',
            align: 'left',
            baseline: 'top',
            dx: 5,
            y: 6,
            color: '#b3261e',
            fontWeight: 600,
            fontSize: 11,
          },
          encoding: { x: { field: 't', type: 'quantitative' }, text: { field: 'label' } },
        },
      ],
    });
  }
  layers.push(hoverTargets(samples, present, start, x, width, height));
  if (report.alerts.length > 0) {
    layers.push({
      name: 'alerts',
      data: {
        values: report.alerts.map((alert) => ({
          t: x(alert.time),
          severity: alert.severity,
          tip: `+${formatDuration(alert.time - start)} · ${alert.severity}: ${alert.message}`,
        })),
      },
      mark: { type: 'point', shape: 'triangle-down', filled: true, size: 70, y: -7, opacity: 0.9 },
      encoding: {
        x: { field: 't', type: 'quantitative' },
        description: { field: 'tip' },
        color: {
          field: 'severity',
          type: 'nominal',
          scale: { domain: ['warning', 'critical'], range: [ALERT_COLORS.warning, ALERT_COLORS.critical] },
          legend: null,
        },
      },
    });
  }
  if (report.snapshots.length > 0) {
    layers.push({
      name: 'snapshots',
      data: {
        values: report.snapshots.map((snapshot) => ({
          t: x(snapshot.time),
          tip: `+${formatDuration(snapshot.time - start)} · heap snapshot (${snapshot.reason}), ${formatBytes(snapshot.bytes)}: ${snapshot.file}`,
        })),
      },
      mark: { type: 'point', shape: 'diamond', filled: true, size: 60, y: height + 1, color: '#5b3fa8' },
      encoding: { x: { field: 't', type: 'quantitative' }, description: { field: 'tip' } },
    });
  }

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(options.title === undefined ? {} : { title: options.title }),
    width,
    height,
    config: CHART_CONFIG,
    // Each layer brings its own data; scales are shared.
    resolve: { scale: { color: 'independent', strokeWidth: 'independent', strokeDash: 'independent' } },
    layer: layers,
  } as TopLevelSpec;
}

/** Layers whose marks carry a hover text (Vega's aria description, turned into SVG `<title>`s). */
export const TOOLTIP_LAYERS = ['hover_targets', 'alerts', 'snapshots'] as const;

const MAX_HOVER_TARGETS = 300;

/**
 * Invisible full-height strips, one per (thinned) sample, each described with the figures at that
 * moment: hovering the chart shows them (SVG `<title>`) and the page's CSS lights the strip up —
 * a readout without a script.
 */
function hoverTargets(
  samples: readonly MemoryPoint[],
  present: readonly Series[],
  start: number,
  x: (time: number) => number,
  width: number,
  height: number,
): unknown {
  const stride = Math.max(1, Math.ceil(samples.length / Math.min(MAX_HOVER_TARGETS, width / 3)));
  const picked = samples.filter((_, index) => index % stride === 0);
  const values = picked.map((sample, index) => {
    const previous = picked[index - 1];
    const next = picked[index + 1];
    const lines = present.flatMap((series) => {
      const value = sample[series.key];
      return value === null ? [] : [`${series.label}: ${formatBytes(value)}`];
    });
    return {
      from: x(previous === undefined ? sample.time : (previous.time + sample.time) / 2),
      to: x(next === undefined ? sample.time : (sample.time + next.time) / 2),
      tip: [`+${formatDuration(sample.time - start)}`, ...lines].join('\n'),
    };
  });
  return {
    name: 'hover_targets',
    data: { values },
    mark: { type: 'rect', fill: '#3d6fa8', fillOpacity: 0, y: 0, y2: height },
    encoding: {
      x: { field: 'from', type: 'quantitative' },
      x2: { field: 'to' },
      description: { field: 'tip' },
    },
  };
}

/** Runs of `growing` and `leak` verdicts as time ranges (other statuses are left unshaded). */
function verdictBands(report: Report, end: number): { from: number; to: number; color: string }[] {
  const bands: { from: number; to: number; color: string }[] = [];
  const history = report.verdict.history;
  history.forEach((verdict, index) => {
    const color = BAND_COLORS[verdict.status];
    if (color === undefined) return;
    const to = history[index + 1]?.time ?? end;
    const previous = bands.at(-1);
    if (previous !== undefined && previous.color === color && previous.to === verdict.time) previous.to = to;
    else bands.push({ from: verdict.time, to, color });
  });
  return bands;
}

function timeScale(spanMs: number): AxisUnit {
  if (spanMs <= 3 * 60_000) return { divisor: 1000, unit: 's' };
  if (spanMs <= 3 * 3_600_000) return { divisor: 60_000, unit: 'min' };
  if (spanMs <= 3 * 86_400_000) return { divisor: 3_600_000, unit: 'h' };
  return { divisor: 86_400_000, unit: 'days' };
}

function sizeScale(maxBytes: number): AxisUnit {
  if (maxBytes >= 2e9) return { divisor: 1e9, unit: 'GB' };
  if (maxBytes >= 2e6) return { divisor: 1e6, unit: 'MB' };
  return { divisor: 1e3, unit: 'kB' };
}

function maxValue(samples: readonly MemoryPoint[]): number {
  let max = 0;
  for (const sample of samples) {
    for (const series of SERIES) {
      const value = sample[series.key];
      if (value !== null && value > max) max = value;
    }
  }
  return max;
}

/**
 * At most ~2 points per bucket and series: each bucket keeps the samples holding its minimum and
 * maximum RSS, heap used, heap floor and external memory, so spikes and the sawtooth's depth survive
 * thinning (plain striding would cut the peaks off). Samples are kept whole, so the floor stays exact
 * at its steps.
 */
export function downsample(samples: readonly MemoryPoint[], buckets: number): MemoryPoint[] {
  if (samples.length <= buckets * 2) return [...samples];
  const kept = new Set<number>([0, samples.length - 1]);
  const perBucket = samples.length / buckets;
  for (let bucket = 0; bucket < buckets; bucket++) {
    const from = Math.floor(bucket * perBucket);
    const to = Math.min(samples.length, Math.floor((bucket + 1) * perBucket));
    for (const key of ['rss', 'heapUsed', 'heapFloor', 'external'] as const) {
      let min = -1;
      let max = -1;
      for (let i = from; i < to; i++) {
        const value = samples[i]![key];
        if (value === null) continue;
        if (min < 0 || value < samples[min]![key]!) min = i;
        if (max < 0 || value > samples[max]![key]!) max = i;
      }
      if (min >= 0) kept.add(min);
      if (max >= 0) kept.add(max);
    }
  }
  return [...kept].sort((a, b) => a - b).map((index) => samples[index]!);
}
