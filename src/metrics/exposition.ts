import type { GaugeFamily, HistogramFamily, Labels, MetricFamily } from './metric-family.ts';

/** The content type of Prometheus' text format 0.0.4, as Prometheus and prom-client send it. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Writes families in Prometheus' text exposition format 0.0.4: `# HELP` and `# TYPE` once per family,
 * escaped HELP text and label values, histograms as cumulative `_bucket{le}` series ending with
 * `le="+Inf"`, then `_sum` and `_count`. Families without samples are still declared, so a dashboard
 * can tell "no value yet" from "unknown metric".
 * @example
 * renderExposition([{ name: 'up', help: 'Up.', type: 'gauge', samples: [{ labels: {}, value: 1 }] }]);
 * // '# HELP up Up.\n# TYPE up gauge\nup 1\n'
 */
export function renderExposition(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    if (family.type === 'histogram') writeHistogram(family, lines);
    else writeGauge(family, lines);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function writeGauge(family: GaugeFamily, lines: string[]): void {
  for (const sample of family.samples) {
    lines.push(`${family.name}${formatLabels(sample.labels)} ${formatValue(sample.value)}`);
  }
}

function writeHistogram(family: HistogramFamily, lines: string[]): void {
  for (const series of family.series) {
    let cumulative = 0;
    for (let i = 0; i < series.bounds.length; i++) {
      cumulative += series.counts[i] ?? 0;
      const le = formatValue(series.bounds[i]!);
      lines.push(`${family.name}_bucket${formatLabels(series.labels, le)} ${cumulative}`);
    }
    lines.push(`${family.name}_bucket${formatLabels(series.labels, '+Inf')} ${series.count}`);
    lines.push(`${family.name}_sum${formatLabels(series.labels)} ${formatValue(series.sum)}`);
    lines.push(`${family.name}_count${formatLabels(series.labels)} ${series.count}`);
  }
}

function formatLabels(labels: Labels, le?: string): string {
  const parts: string[] = [];
  for (const name in labels) parts.push(`${name}="${escapeLabelValue(labels[name]!)}"`);
  if (le !== undefined) parts.push(`le="${le}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** Go's ParseFloat spellings, which Prometheus reads: `NaN`, `+Inf`, `-Inf`. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

/** HELP text: backslash and line feed are escaped (a raw line feed would end the comment). */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Label values: backslash, double quote and line feed are escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
