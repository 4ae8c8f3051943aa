/**
 * Every Prometheus metric memwatcher exposes. Where prom-client's default metrics measure the same
 * thing, the name is prom-client's (so existing dashboards keep working); the rest carry the
 * `memwatcher_` prefix. Base units only (bytes, seconds), as Prometheus' naming rules ask: growth is
 * in bytes per second here even though the watcher speaks of bytes per minute.
 */
export interface MetricDefinition {
  readonly name: string;
  readonly type: 'gauge' | 'histogram';
  readonly help: string;
  /** Labels of its own, besides the per-process ones (`pid`, `command`) the CLI adds. */
  readonly labels: readonly string[];
}

function define(name: string, type: 'gauge' | 'histogram', help: string, labels: readonly string[] = []) {
  return { name, type, help, labels } as const satisfies MetricDefinition;
}

export const METRICS = {
  rss: define('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.'),
  heapTotal: define('nodejs_heap_size_total_bytes', 'gauge', 'Process heap size from Node.js in bytes.'),
  heapUsed: define('nodejs_heap_size_used_bytes', 'gauge', 'Process heap size used from Node.js in bytes.'),
  external: define('nodejs_external_memory_bytes', 'gauge', 'Node.js external memory size in bytes.'),
  arrayBuffers: define(
    'memwatcher_array_buffers_bytes',
    'gauge',
    'Memory of ArrayBuffers and SharedArrayBuffers (every Buffer included), in bytes; part of external memory.',
  ),
  heapLimit: define(
    'memwatcher_heap_limit_bytes',
    'gauge',
    'Size the V8 heap may not grow beyond (heap_size_limit), in bytes.',
  ),
  heapSpaceTotal: define(
    'nodejs_heap_space_size_total_bytes',
    'gauge',
    'Process heap space size total from Node.js in bytes.',
    ['space'],
  ),
  heapSpaceUsed: define(
    'nodejs_heap_space_size_used_bytes',
    'gauge',
    'Process heap space size used from Node.js in bytes.',
    ['space'],
  ),
  heapSpaceAvailable: define(
    'nodejs_heap_space_size_available_bytes',
    'gauge',
    'Process heap space size available from Node.js in bytes.',
    ['space'],
  ),
  heapFloor: define(
    'memwatcher_heap_floor_bytes',
    'gauge',
    'JS heap left after the latest major GC (the floor the leak verdict judges), in bytes.',
  ),
  growth: define(
    'memwatcher_growth_bytes_per_second',
    'gauge',
    'Growth over the verdict window (Theil-Sen slope), in bytes per second: figure="heap" is the post-GC heap floor.',
    ['figure'],
  ),
  confidence: define(
    'memwatcher_growth_confidence_ratio',
    'gauge',
    'Probability that the figure really grows (1 - one-sided Mann-Kendall p-value), 0 to 1.',
    ['figure'],
  ),
  verdict: define(
    'memwatcher_leak_verdict',
    'gauge',
    'Leak verdict: 1 for the current status (warming-up, insufficient-data, stable, growing, leak), 0 for the others.',
    ['status'],
  ),
  leaking: define('memwatcher_leaking', 'gauge', '1 when the leak verdict says the process leaks, else 0.'),
  culprit: define(
    'memwatcher_leak_culprit',
    'gauge',
    'Where the process leaks: 1 for the leaking memory (js-heap, external, native), 0 for the others.',
    ['culprit'],
  ),
  timeToHeapLimit: define(
    'memwatcher_time_to_heap_limit_seconds',
    'gauge',
    'Projected time until the heap floor reaches the heap limit at the current growth; absent when the heap does not grow.',
  ),
  detachedContexts: define(
    'memwatcher_detached_contexts',
    'gauge',
    'Contexts (vm contexts, iframes) detached but not yet collected; above zero for long suggests a leak.',
  ),
  gcDuration: define(
    'nodejs_gc_duration_seconds',
    'histogram',
    'Garbage collection duration by kind, one of major, minor, incremental or weakcb; every GC entry counted.',
    ['kind'],
  ),
  classObjects: define(
    'memwatcher_class_objects',
    'gauge',
    'Live objects of the classes with the most instances at the latest census; the rest summed up as class="other".',
    ['class'],
  ),
} as const;

export type MetricKey = keyof typeof METRICS;

/** Every name memwatcher may expose, including the `_bucket`/`_sum`/`_count` series of histograms. */
export function exposedSeriesNames(): Set<string> {
  const names = new Set<string>();
  for (const metric of Object.values(METRICS)) {
    names.add(metric.name);
    if (metric.type === 'histogram') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
    }
  }
  return names;
}
