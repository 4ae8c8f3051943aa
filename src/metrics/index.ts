/**
 * `memwatcher/metrics`: memwatcher's figures for Prometheus and OpenTelemetry. Kept out of the main
 * entry so a watched process loads none of it unless asked; `prom-client` and `@opentelemetry/api`
 * are optional peers, loaded only by the bridge that needs them.
 */
export {
  type MetricsHandlerOptions,
  type MetricsServer,
  type MetricsServerOptions,
  metricsRequestHandler,
  type RendersMetrics,
  serveMetrics,
} from '../server/metrics-endpoint.ts';
export { PROMETHEUS_CONTENT_TYPE, renderExposition } from './exposition.ts';
export { FleetMetrics, type FleetMetricsOptions } from './fleet-metrics.ts';
export { DEFAULT_GC_BUCKETS_SECONDS } from './gc-pause-histogram.ts';
export { METRICS, type MetricDefinition } from './metric-catalog.ts';
export type {
  GaugeFamily,
  GaugeSample,
  HistogramFamily,
  HistogramSeries,
  Labels,
  MetricFamily,
  MetricsSource,
} from './metric-family.ts';
export {
  type OpenTelemetryMeter,
  type OpenTelemetryObservable,
  type OpenTelemetryOptions,
  type OpenTelemetryRegistration,
  registerOpenTelemetryMetrics,
} from './otel-bridge.ts';
export {
  type PromClientOptions,
  type PromClientRegistration,
  type PromClientRegistry,
  registerPromClientMetrics,
} from './prom-client-bridge.ts';
export type { ClassObjectCount } from './top-classes.ts';
export { type ClassCountsSource, WatcherMetrics, type WatcherMetricsOptions } from './watcher-metrics.ts';
