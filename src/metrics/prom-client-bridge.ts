import type { GcEvent } from '../agent/gc-observer.ts';
import type { MemoryWatcher } from '../agent/watcher.ts';
import { InvalidOptionError, MetricsError } from '../errors.ts';
import { GC_KINDS } from './gc-pause-histogram.ts';
import { METRICS, type MetricDefinition } from './metric-catalog.ts';
import type { GaugeFamily, MetricFamily } from './metric-family.ts';
import { WatcherMetrics, type WatcherMetricsOptions } from './watcher-metrics.ts';

/**
 * The part of a prom-client `Registry` the bridge uses. Typed here, not imported, so that users
 * without prom-client can still compile against `memwatcher/metrics`.
 */
export interface PromClientRegistry {
  getSingleMetric(name: string): unknown;
  registerMetric(metric: never): void;
  removeSingleMetric(name: string): void;
}

/** What the bridge needs from the prom-client module: its `Gauge` and `Histogram` classes. */
interface PromClientModule {
  readonly Gauge: new (config: Record<string, unknown>) => PromGauge;
  readonly Histogram: new (config: Record<string, unknown>) => PromHistogram;
}
interface PromGauge {
  reset(): void;
  remove(labels?: Record<string, string>): void;
  set(labels: Record<string, string>, value: number): void;
}
interface PromHistogram {
  observe(labels: Record<string, string>, value: number): void;
  zero(labels: Record<string, string>): void;
}

export interface PromClientOptions extends WatcherMetricsOptions {
  /**
   * When the registry already holds a metric of the same name — prom-client's
   * `collectDefaultMetrics()` registers `process_resident_memory_bytes`, `nodejs_heap_size_*`,
   * `nodejs_external_memory_bytes`, `nodejs_heap_space_size_*` and `nodejs_gc_duration_seconds`:
   * - `skip` (default): keep theirs, register only what they lack. Theirs measure the same figures,
   *   except the GC histogram, which counts one pause per observer batch (ours counts every GC);
   * - `prefix`: register ours too, as `memwatcher_<name>` (`memwatcher_nodejs_gc_duration_seconds`).
   * Call `collectDefaultMetrics()` first: it throws on names registered before it.
   */
  readonly onNameClash?: 'skip' | 'prefix';
  /** The prom-client module to build metrics with; default `import('prom-client')`. */
  readonly promClient?: unknown;
}

export interface PromClientRegistration {
  /** Names registered in the registry, as they appear in the scrape. */
  readonly registered: readonly string[];
  /** Names left to the metrics already in the registry (`onNameClash: 'skip'`). */
  readonly skipped: readonly string[];
  /** Removes the registered metrics from the registry and stops counting GC pauses. Idempotent. */
  unregister(): void;
}

/**
 * Registers memwatcher's metrics for `watcher` in an application's own prom-client registry, so its
 * existing `/metrics` route serves them. Names prom-client's default metrics already use are skipped
 * or prefixed (see {@link PromClientOptions.onNameClash}); no second set of default metrics appears.
 * @throws {MetricsError} `ERR_METRICS_PEER_MISSING` without prom-client; `ERR_METRICS_ALREADY_REGISTERED`
 * when memwatcher's metrics are in that registry already.
 * @throws {InvalidOptionError} when an option is invalid.
 * @example
 * import client from 'prom-client';
 * import { MemoryWatcher } from 'memwatcher';
 * import { registerPromClientMetrics } from 'memwatcher/metrics';
 *
 * client.collectDefaultMetrics();
 * const watcher = new MemoryWatcher().start();
 * await registerPromClientMetrics(client.register, watcher);
 * app.get('/metrics', async (_req, res) => res.type(client.register.contentType).send(await client.register.metrics()));
 */
export async function registerPromClientMetrics(
  registry: PromClientRegistry,
  watcher: MemoryWatcher,
  options: PromClientOptions = {},
): Promise<PromClientRegistration> {
  if (
    typeof registry?.getSingleMetric !== 'function' ||
    typeof registry.registerMetric !== 'function' ||
    typeof registry.removeSingleMetric !== 'function'
  ) {
    throw new InvalidOptionError(
      'registry',
      'must be a prom-client Registry (client.register or new Registry()).',
    );
  }
  const onNameClash = options.onNameClash ?? 'skip';
  if (onNameClash !== 'skip' && onNameClash !== 'prefix') {
    throw new InvalidOptionError('onNameClash', `must be 'skip' or 'prefix' (got ${String(onNameClash)}).`);
  }
  const client = await loadPromClient(options.promClient);
  const plan = planNames(registry, onNameClash);
  const metrics = new WatcherMetrics(watcher, options);
  const cachedFamilies = scrapeCache(() => metrics.familiesNow());
  const registered: string[] = [];
  let gcListener: ((event: GcEvent) => void) | undefined;
  try {
    for (const [definition, name] of plan.register) {
      if (definition.type === 'histogram') {
        const histogram = new client.Histogram({
          name,
          help: definition.help,
          labelNames: definition.labels,
          buckets: metrics.gcBucketsSeconds,
          registers: [],
        });
        for (const kind of GC_KINDS) histogram.zero({ kind });
        gcListener = (event) => histogram.observe({ kind: event.kind }, event.durationMs / 1000);
        watcher.on('gc', gcListener);
        registry.registerMetric(histogram as never);
      } else {
        registry.registerMetric(gaugeFor(client, definition, name, cachedFamilies) as never);
      }
      registered.push(name);
    }
  } catch (error) {
    for (const name of registered) registry.removeSingleMetric(name);
    if (gcListener !== undefined) watcher.off('gc', gcListener);
    metrics.close();
    throw error;
  }
  let done = false;
  return {
    registered,
    skipped: plan.skipped,
    unregister() {
      if (done) return;
      done = true;
      for (const name of registered) registry.removeSingleMetric(name);
      if (gcListener !== undefined) watcher.off('gc', gcListener);
      metrics.close();
    },
  };
}

function planNames(
  registry: PromClientRegistry,
  onNameClash: 'skip' | 'prefix',
): { register: [MetricDefinition, string][]; skipped: string[] } {
  const register: [MetricDefinition, string][] = [];
  const skipped: string[] = [];
  for (const definition of Object.values(METRICS)) {
    const taken = registry.getSingleMetric(definition.name) !== undefined;
    if (!taken) {
      register.push([definition, definition.name]);
    } else if (definition.name.startsWith('memwatcher_')) {
      throw new MetricsError(
        'ERR_METRICS_ALREADY_REGISTERED',
        `${definition.name} is already in this registry: memwatcher's metrics were registered before. Call unregister() on the earlier registration first.`,
      );
    } else if (onNameClash === 'skip') {
      skipped.push(definition.name);
    } else {
      const renamed = `memwatcher_${definition.name}`;
      if (registry.getSingleMetric(renamed) !== undefined) {
        throw new MetricsError(
          'ERR_METRICS_ALREADY_REGISTERED',
          `${renamed} is already in this registry: memwatcher's metrics were registered before. Call unregister() on the earlier registration first.`,
        );
      }
      register.push([definition, renamed]);
    }
  }
  return { register, skipped };
}

/**
 * A gauge whose `collect` copies memwatcher's figures at scrape time. A figure memwatcher does not
 * know is removed rather than left at prom-client's 0 (a time to the heap limit of 0 would page
 * someone).
 */
function gaugeFor(
  client: PromClientModule,
  definition: MetricDefinition,
  name: string,
  families: () => readonly MetricFamily[],
): PromGauge {
  return new client.Gauge({
    name,
    help: definition.help,
    labelNames: definition.labels,
    registers: [],
    collect(this: PromGauge) {
      this.reset();
      const family = families().find((f) => f.name === definition.name) as GaugeFamily | undefined;
      const samples = family?.samples ?? [];
      if (definition.labels.length === 0 && samples.length === 0) this.remove();
      for (const sample of samples) this.set(sample.labels, sample.value);
    },
  });
}

/**
 * prom-client asks every metric to `collect` within the same turn of the event loop when it scrapes:
 * the figures are read once per scrape and forgotten at the next turn.
 */
function scrapeCache<T>(read: () => T): () => T {
  let cached: { value: T } | undefined;
  return () => {
    if (cached === undefined) {
      cached = { value: read() };
      setImmediate(() => {
        cached = undefined;
      });
    }
    return cached.value;
  };
}

async function loadPromClient(given: unknown): Promise<PromClientModule> {
  let candidate = given;
  if (candidate === undefined) {
    try {
      candidate = await import('prom-client');
    } catch (error) {
      throw new MetricsError(
        'ERR_METRICS_PEER_MISSING',
        'prom-client is not installed: install it (npm install prom-client) to register memwatcher metrics in its registry, or serve them with serveMetrics() instead.',
        { cause: error },
      );
    }
  }
  const module = candidate as Partial<PromClientModule> & { default?: Partial<PromClientModule> };
  const Gauge = module.Gauge ?? module.default?.Gauge;
  const Histogram = module.Histogram ?? module.default?.Histogram;
  if (typeof Gauge !== 'function' || typeof Histogram !== 'function') {
    throw new InvalidOptionError('promClient', 'must be the prom-client module (with Gauge and Histogram).');
  }
  return { Gauge, Histogram };
}
