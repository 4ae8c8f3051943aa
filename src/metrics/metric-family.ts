/**
 * The metrics model every output is built from: the Prometheus text, the prom-client bridge and the
 * OpenTelemetry bridge read the same families, so the three never disagree on a figure.
 */

/** Label name → value. Names follow Prometheus rules (`[a-zA-Z_][a-zA-Z0-9_]*`). */
export type Labels = Readonly<Record<string, string>>;

export interface GaugeSample {
  readonly labels: Labels;
  readonly value: number;
}

export interface GaugeFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge';
  readonly samples: readonly GaugeSample[];
}

/** One labelled histogram: `counts[i]` observations fell at or below `bounds[i]` (not cumulative). */
export interface HistogramSeries {
  readonly labels: Labels;
  /** Upper bounds in increasing order, without +Inf. */
  readonly bounds: readonly number[];
  /** One count per bound plus one for the observations above the last bound. */
  readonly counts: readonly number[];
  readonly sum: number;
  readonly count: number;
}

export interface HistogramFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'histogram';
  readonly series: readonly HistogramSeries[];
}

export type MetricFamily = GaugeFamily | HistogramFamily;

/** Anything that can be scraped: `WatcherMetrics` (in-process) and `FleetMetrics` (the CLI's processes). */
export interface MetricsSource {
  /** The families as of now. Never rejects for a source memwatcher built. */
  families(): Promise<readonly MetricFamily[]>;
}
