import type { LeakCulprit, TrendStatus } from '../agent/verdict.ts';
import { METRICS, type MetricKey } from './metric-catalog.ts';
import type { GaugeSample, HistogramSeries, Labels, MetricFamily } from './metric-family.ts';
import type { LabelledFigures, ProcessFigures } from './process-figures.ts';

// The series a verdict becomes, here and in the OpenTelemetry bridge: one per status and per culprit
// (1 for the current one, 0 for the others), growth and confidence per judged figure.
export const VERDICT_STATUSES: readonly TrendStatus[] = [
  'warming-up',
  'insufficient-data',
  'stable',
  'growing',
  'leak',
];
export const VERDICT_CULPRITS: readonly LeakCulprit[] = ['js-heap', 'external', 'native'];
export const JUDGED_FIGURES = ['heap', 'external', 'rss', 'native'] as const;

/**
 * Turns the figures of one or more processes into metric families, in catalog order. A figure a
 * process does not know is left out for that process (never written as 0): an absent series is
 * "unknown", a 0 would be a claim.
 * @example
 * renderExposition(familiesFromFigures([{ labels: {}, figures: { rss: 50e6 } }]));
 */
export function familiesFromFigures(processes: readonly LabelledFigures[]): MetricFamily[] {
  const gauges = new Map<MetricKey, GaugeSample[]>();
  const gc: HistogramSeries[] = [];
  const add = (key: MetricKey, labels: Labels, value: number | undefined) => {
    if (value === undefined || !Number.isFinite(value)) return;
    const samples = gauges.get(key);
    if (samples === undefined) gauges.set(key, [{ labels, value }]);
    else samples.push({ labels, value });
  };
  for (const { labels, figures } of processes) {
    addMemory(figures, labels, add);
    addVerdict(figures, labels, add);
    if (figures.gcPauses !== undefined) gc.push(...figures.gcPauses.series(labels));
    for (const entry of figures.classes ?? [])
      add('classObjects', { ...labels, class: entry.name }, entry.count);
  }
  const families: MetricFamily[] = [];
  for (const key of Object.keys(METRICS) as MetricKey[]) {
    const metric = METRICS[key];
    if (metric.type === 'histogram') {
      families.push({ name: metric.name, help: metric.help, type: 'histogram', series: gc });
    } else {
      families.push({ name: metric.name, help: metric.help, type: 'gauge', samples: gauges.get(key) ?? [] });
    }
  }
  return families;
}

type Add = (key: MetricKey, labels: Labels, value: number | undefined) => void;

function addMemory(figures: ProcessFigures, labels: Labels, add: Add): void {
  add('rss', labels, figures.rss);
  add('heapTotal', labels, figures.heapTotal);
  add('heapUsed', labels, figures.heapUsed);
  add('external', labels, figures.external);
  add('arrayBuffers', labels, figures.arrayBuffers);
  add('heapLimit', labels, figures.heapLimit);
  for (const space of figures.heapSpaces ?? []) {
    const spaceLabels = { ...labels, space: spaceLabel(space.name) };
    add('heapSpaceTotal', spaceLabels, space.size);
    add('heapSpaceUsed', spaceLabels, space.used);
    add('heapSpaceAvailable', spaceLabels, space.available);
  }
  add('heapFloor', labels, figures.heapFloor);
  add('detachedContexts', labels, figures.detachedContexts);
}

function addVerdict(figures: ProcessFigures, labels: Labels, add: Add): void {
  const verdict = figures.verdict;
  if (verdict === undefined) return;
  for (const figure of JUDGED_FIGURES) {
    const trend = verdict[figure];
    const figureLabels = { ...labels, figure };
    const perMinute = trend.growthBytesPerMinute;
    add('growth', figureLabels, perMinute === undefined ? undefined : perMinute / 60);
    add('confidence', figureLabels, trend.confidence);
  }
  for (const status of VERDICT_STATUSES)
    add('verdict', { ...labels, status }, verdict.status === status ? 1 : 0);
  add('leaking', labels, verdict.leaking ? 1 : 0);
  for (const culprit of VERDICT_CULPRITS)
    add('culprit', { ...labels, culprit }, verdict.culprit === culprit ? 1 : 0);
  const ms = verdict.timeToHeapLimitMs;
  add('timeToHeapLimit', labels, ms === undefined ? undefined : ms / 1000);
}

/** prom-client's spelling: `old_space` → `old`, so dashboards built for its default metrics match. */
export function spaceLabel(spaceName: string): string {
  return spaceName.endsWith('_space') ? spaceName.slice(0, -'_space'.length) : spaceName;
}
