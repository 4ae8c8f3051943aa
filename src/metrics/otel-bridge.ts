import type { GcEvent } from '../agent/gc-observer.ts';
import type { MemoryWatcher } from '../agent/watcher.ts';
import { InvalidOptionError, MetricsError } from '../errors.ts';
import { JUDGED_FIGURES, VERDICT_CULPRITS, VERDICT_STATUSES } from './families.ts';
import { bucketBoundsProblem } from './gc-pause-histogram.ts';
import type { ProcessFigures } from './process-figures.ts';
import { WatcherMetrics, type WatcherMetricsOptions } from './watcher-metrics.ts';

/** An asynchronous instrument, as `@opentelemetry/api` hands it out. */
export type OpenTelemetryObservable = object;
type Attributes = Record<string, string>;
interface BatchResult {
  observe(observable: OpenTelemetryObservable, value: number, attributes?: Attributes): void;
}
type BatchCallback = (result: BatchResult) => void;

/**
 * The part of an OpenTelemetry `Meter` (`@opentelemetry/api` ≥ 1.7) the bridge uses. Typed here, not
 * imported, so that users without OpenTelemetry can still compile against `memwatcher/metrics`.
 */
export interface OpenTelemetryMeter {
  createObservableGauge(
    name: string,
    options?: { description?: string; unit?: string },
  ): OpenTelemetryObservable;
  createObservableUpDownCounter(
    name: string,
    options?: { description?: string; unit?: string },
  ): OpenTelemetryObservable;
  createHistogram(
    name: string,
    options?: { description?: string; unit?: string; advice?: { explicitBucketBoundaries?: number[] } },
  ): { record(value: number, attributes?: Attributes): void };
  addBatchObservableCallback(callback: BatchCallback, observables: OpenTelemetryObservable[]): void;
  removeBatchObservableCallback(callback: BatchCallback, observables: OpenTelemetryObservable[]): void;
}

export interface OpenTelemetryOptions extends WatcherMetricsOptions {
  /** Default: `metrics.getMeter('memwatcher')` of `@opentelemetry/api` (the global MeterProvider). */
  readonly meter?: OpenTelemetryMeter;
  /** Bounds of `v8js.gc.duration`, in seconds. Default: the semantic conventions' advice, 0.01, 0.1, 1, 10. */
  readonly gcDurationBoundaries?: readonly number[];
}

export interface OpenTelemetryRegistration {
  /** Stops observing and recording (the instruments stay with the meter, silent). Idempotent. */
  close(): void;
}

/** `v8js.gc.duration` bucket advice of the OpenTelemetry semantic conventions. */
const SEMCONV_GC_BOUNDARIES = [0.01, 0.1, 1, 10];

/**
 * The same figures as the Prometheus metrics, as OpenTelemetry instruments. Semantic-convention names
 * where the conventions (v1.45) define them — `process.memory.usage` (RSS), `v8js.memory.heap.used`,
 * `v8js.memory.heap.space.size`, `.available_size`, `.physical_size` (per `v8js.heap.space.name`),
 * `v8js.gc.duration` (per `v8js.gc.type`, every GC entry recorded) — and `memwatcher.*` for the rest:
 * `memwatcher.memory.external`, `memwatcher.memory.array_buffers`, `memwatcher.heap.limit`,
 * `memwatcher.heap.floor`, `memwatcher.growth.rate` and `memwatcher.growth.confidence` (per
 * `memwatcher.figure`), `memwatcher.leak.verdict` (per `memwatcher.verdict.status`),
 * `memwatcher.leaking`, `memwatcher.leak.culprit` (per `memwatcher.leak.culprit`),
 * `memwatcher.heap.time_to_limit`, `memwatcher.contexts.detached`, `memwatcher.class.objects` (per
 * `memwatcher.class.name`). Memory is read once per collection, in one batch callback.
 * @throws {MetricsError} `ERR_METRICS_PEER_MISSING` when no meter is given and `@opentelemetry/api` is missing.
 * @throws {InvalidOptionError} when an option is invalid.
 * @example
 * import { metrics } from '@opentelemetry/api';
 * import { registerOpenTelemetryMetrics } from 'memwatcher/metrics';
 *
 * const watcher = new MemoryWatcher().start();
 * await registerOpenTelemetryMetrics(watcher, { meter: metrics.getMeter('my-service') });
 */
export async function registerOpenTelemetryMetrics(
  watcher: MemoryWatcher,
  options: OpenTelemetryOptions = {},
): Promise<OpenTelemetryRegistration> {
  const boundaries = options.gcDurationBoundaries ?? SEMCONV_GC_BOUNDARIES;
  const problem = bucketBoundsProblem(boundaries);
  if (problem !== undefined) throw new InvalidOptionError('gcDurationBoundaries', problem);
  const meter = options.meter ?? (await globalMeter());
  if (
    typeof meter?.createObservableGauge !== 'function' ||
    typeof meter.addBatchObservableCallback !== 'function' ||
    typeof meter.createHistogram !== 'function'
  ) {
    throw new InvalidOptionError('meter', 'must be an OpenTelemetry Meter (metrics.getMeter(name)).');
  }
  const metrics = new WatcherMetrics(watcher, options);
  const bytes = (name: string, description: string) =>
    meter.createObservableUpDownCounter(name, { description, unit: 'By' });
  const gauge = (name: string, description: string, unit: string) =>
    meter.createObservableGauge(name, { description, unit });
  const instruments = {
    rss: bytes('process.memory.usage', 'The amount of physical memory in use (resident set size).'),
    heapUsed: bytes('v8js.memory.heap.used', 'Heap Memory size allocated.'),
    spaceSize: bytes('v8js.memory.heap.space.size', 'Total heap memory size pre-allocated for a heap space.'),
    spaceAvailable: bytes('v8js.memory.heap.space.available_size', 'Heap space available size.'),
    spacePhysical: bytes('v8js.memory.heap.space.physical_size', 'Committed size of a heap space.'),
    external: bytes(
      'memwatcher.memory.external',
      'Memory of C++ objects bound to JS objects (Buffers included).',
    ),
    arrayBuffers: bytes('memwatcher.memory.array_buffers', 'Memory of ArrayBuffers and SharedArrayBuffers.'),
    heapLimit: gauge(
      'memwatcher.heap.limit',
      'Size the V8 heap may not grow beyond (heap_size_limit).',
      'By',
    ),
    heapFloor: gauge('memwatcher.heap.floor', 'JS heap left after the latest major GC.', 'By'),
    growth: gauge('memwatcher.growth.rate', 'Growth over the verdict window (Theil-Sen slope).', 'By/s'),
    confidence: gauge('memwatcher.growth.confidence', 'Probability that the figure really grows.', '1'),
    verdict: gauge('memwatcher.leak.verdict', '1 for the current verdict status, 0 for the others.', '1'),
    leaking: gauge('memwatcher.leaking', '1 when the leak verdict says the process leaks, else 0.', '1'),
    culprit: gauge('memwatcher.leak.culprit', '1 for the memory that leaks, 0 for the others.', '1'),
    timeToLimit: gauge(
      'memwatcher.heap.time_to_limit',
      'Projected time until the heap floor reaches the limit.',
      's',
    ),
    detached: gauge('memwatcher.contexts.detached', 'Contexts detached but not yet collected.', '{context}'),
    classes: gauge(
      'memwatcher.class.objects',
      'Live objects of the top classes at the latest census.',
      '{object}',
    ),
  };
  const observables = Object.values(instruments);
  const callback: BatchCallback = (result) => observeFigures(result, instruments, metrics.figures());
  const gcDuration = meter.createHistogram('v8js.gc.duration', {
    description: 'Garbage collection duration.',
    unit: 's',
    advice: { explicitBucketBoundaries: [...boundaries] },
  });
  const onGc = (event: GcEvent) => gcDuration.record(event.durationMs / 1000, { 'v8js.gc.type': event.kind });
  meter.addBatchObservableCallback(callback, observables);
  watcher.on('gc', onGc);
  let closed = false;
  return {
    close() {
      if (closed) return;
      closed = true;
      meter.removeBatchObservableCallback(callback, observables);
      watcher.off('gc', onGc);
      metrics.close();
    },
  };
}

type Instruments = Record<
  | 'rss'
  | 'heapUsed'
  | 'spaceSize'
  | 'spaceAvailable'
  | 'spacePhysical'
  | 'external'
  | 'arrayBuffers'
  | 'heapLimit'
  | 'heapFloor'
  | 'growth'
  | 'confidence'
  | 'verdict'
  | 'leaking'
  | 'culprit'
  | 'timeToLimit'
  | 'detached'
  | 'classes',
  OpenTelemetryObservable
>;

function observeFigures(result: BatchResult, on: Instruments, figures: ProcessFigures): void {
  const observe = (
    instrument: OpenTelemetryObservable,
    value: number | undefined,
    attributes?: Attributes,
  ) => {
    if (value !== undefined && Number.isFinite(value)) result.observe(instrument, value, attributes);
  };
  observe(on.rss, figures.rss);
  for (const space of figures.heapSpaces ?? []) {
    const attributes = { 'v8js.heap.space.name': space.name };
    observe(on.heapUsed, space.used, attributes);
    observe(on.spaceSize, space.size, attributes);
    observe(on.spaceAvailable, space.available, attributes);
    observe(on.spacePhysical, space.physical, attributes);
  }
  observe(on.external, figures.external);
  observe(on.arrayBuffers, figures.arrayBuffers);
  observe(on.heapLimit, figures.heapLimit);
  observe(on.heapFloor, figures.heapFloor);
  observe(on.detached, figures.detachedContexts);
  const verdict = figures.verdict;
  if (verdict !== undefined) {
    for (const figure of JUDGED_FIGURES) {
      const trend = verdict[figure];
      const perMinute = trend.growthBytesPerMinute;
      observe(on.growth, perMinute === undefined ? undefined : perMinute / 60, {
        'memwatcher.figure': figure,
      });
      observe(on.confidence, trend.confidence, { 'memwatcher.figure': figure });
    }
    for (const status of VERDICT_STATUSES) {
      observe(on.verdict, verdict.status === status ? 1 : 0, { 'memwatcher.verdict.status': status });
    }
    observe(on.leaking, verdict.leaking ? 1 : 0);
    for (const culprit of VERDICT_CULPRITS) {
      observe(on.culprit, verdict.culprit === culprit ? 1 : 0, { 'memwatcher.leak.culprit': culprit });
    }
    const ms = verdict.timeToHeapLimitMs;
    observe(on.timeToLimit, ms === undefined ? undefined : ms / 1000);
  }
  for (const entry of figures.classes ?? []) {
    observe(on.classes, entry.count, { 'memwatcher.class.name': entry.name });
  }
}

async function globalMeter(): Promise<OpenTelemetryMeter> {
  try {
    const api = await import('@opentelemetry/api');
    return api.metrics.getMeter('memwatcher') as unknown as OpenTelemetryMeter;
  } catch (error) {
    throw new MetricsError(
      'ERR_METRICS_PEER_MISSING',
      '@opentelemetry/api is not installed: install it (npm install @opentelemetry/api) and an SDK, or pass a meter.',
      { cause: error },
    );
  }
}
