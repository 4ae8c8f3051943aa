import type { GcEvent } from '../agent/gc-observer.ts';
import type { MemoryWatcher } from '../agent/watcher.ts';
import { InvalidOptionError } from '../errors.ts';
import { renderExposition } from './exposition.ts';
import { familiesFromFigures } from './families.ts';
import { bucketBoundsProblem, DEFAULT_GC_BUCKETS_SECONDS, GcPauseHistogram } from './gc-pause-histogram.ts';
import type { MetricFamily, MetricsSource } from './metric-family.ts';
import type { ProcessFigures } from './process-figures.ts';
import { type ClassObjectCount, foldTopClasses } from './top-classes.ts';

/** Where class counts come from: typically the latest `LeakDetector` census. */
export type ClassCountsSource = () => readonly ClassObjectCount[] | undefined;

export interface WatcherMetricsOptions {
  /**
   * Live object counts by class, read at each scrape (keep it cheap: answer from the last census).
   * @example () => detector.censuses().at(-1)?.classes
   */
  readonly classes?: ClassCountsSource;
  /** Classes exposed by name; the rest are summed up as `class="other"`. 1–100, default 10. */
  readonly topClasses?: number;
  /** GC pause histogram bounds, in seconds. Default {@link DEFAULT_GC_BUCKETS_SECONDS}. */
  readonly gcBucketsSeconds?: readonly number[];
}

const DEFAULT_TOP_CLASSES = 10;
const MAX_TOP_CLASSES = 100;

/**
 * The metrics of a {@link MemoryWatcher} in this process: memory figures and the verdict read at each
 * scrape, GC pauses counted from every `gc` event from construction on. Reading costs a
 * `process.memoryUsage()` and two V8 statistics calls; nothing runs between scrapes except one
 * increment per GC.
 * @example
 * import { MemoryWatcher } from 'memwatcher';
 * import { WatcherMetrics } from 'memwatcher/metrics';
 *
 * const watcher = new MemoryWatcher().start();
 * const metrics = new WatcherMetrics(watcher);
 * console.log(await metrics.render()); // Prometheus text format
 */
export class WatcherMetrics implements MetricsSource {
  private readonly watcher: MemoryWatcher;
  private readonly classes: ClassCountsSource | undefined;
  private readonly topClasses: number;
  private readonly gcPauses: GcPauseHistogram;
  private readonly onGc = (event: GcEvent) => this.gcPauses.observe(event.kind, event.durationMs);
  private classesFailed = false;

  /** @throws {InvalidOptionError} when the watcher or an option is invalid. */
  constructor(watcher: MemoryWatcher, options: WatcherMetricsOptions = {}) {
    if (
      typeof watcher?.on !== 'function' ||
      typeof watcher.current !== 'function' ||
      typeof watcher.verdict !== 'function'
    ) {
      throw new InvalidOptionError('watcher', 'must be a MemoryWatcher (from the memwatcher package).');
    }
    this.watcher = watcher;
    this.classes = checkClassesSource(options.classes);
    this.topClasses = checkTopClasses(options.topClasses);
    const bounds = options.gcBucketsSeconds ?? DEFAULT_GC_BUCKETS_SECONDS;
    const problem = bucketBoundsProblem(bounds);
    if (problem !== undefined) throw new InvalidOptionError('gcBucketsSeconds', problem);
    this.gcPauses = new GcPauseHistogram(bounds);
    watcher.on('gc', this.onGc);
  }

  /** Bounds of the GC pause histogram, in seconds. */
  get gcBucketsSeconds(): readonly number[] {
    return this.gcPauses.bounds;
  }

  /** The figures as of now. */
  figures(): ProcessFigures {
    const sample = this.watcher.current();
    const classes = this.readClasses();
    return {
      rss: sample.rss,
      heapUsed: sample.heapUsed,
      heapTotal: sample.heapTotal,
      heapLimit: sample.heapLimit,
      external: sample.external,
      arrayBuffers: sample.arrayBuffers,
      heapSpaces: sample.heapSpaces,
      ...(sample.heapFloor === undefined ? {} : { heapFloor: sample.heapFloor }),
      detachedContexts: sample.detachedContexts,
      verdict: this.watcher.verdict(),
      gcPauses: this.gcPauses,
      ...(classes === undefined ? {} : { classes }),
    };
  }

  /** The families as of now, synchronously (the prom-client and OpenTelemetry bridges read these). */
  familiesNow(): MetricFamily[] {
    return familiesFromFigures([{ labels: {}, figures: this.figures() }]);
  }

  families(): Promise<readonly MetricFamily[]> {
    return Promise.resolve(this.familiesNow());
  }

  /** The Prometheus text exposition (format 0.0.4). */
  render(): Promise<string> {
    return Promise.resolve(renderExposition(this.familiesNow()));
  }

  /** Stops counting GC pauses (detaches from the watcher). Idempotent. */
  close(): void {
    this.watcher.off('gc', this.onGc);
  }

  private readClasses(): ClassObjectCount[] | undefined {
    if (this.classes === undefined) return undefined;
    try {
      const counts = this.classes();
      return Array.isArray(counts) ? foldTopClasses(counts, this.topClasses) : undefined;
    } catch (error) {
      // A scrape must not fail because the census did: the class series are left out this time.
      if (!this.classesFailed) {
        this.classesFailed = true;
        process.emitWarning(
          `memwatcher: the 'classes' source of the metrics threw (${error instanceof Error ? error.message : String(error)}); class counts are left out of scrapes while it fails.`,
          { type: 'MemwatcherWarning', code: 'ERR_METRICS_CLASSES' },
        );
      }
      return undefined;
    }
  }
}

function checkTopClasses(value: number | undefined): number {
  if (value === undefined) return DEFAULT_TOP_CLASSES;
  if (!Number.isInteger(value) || value < 1 || value > MAX_TOP_CLASSES) {
    throw new InvalidOptionError(
      'topClasses',
      `must be an integer from 1 to ${MAX_TOP_CLASSES} (got ${String(value)}): each class is one series per scrape.`,
    );
  }
  return value;
}

function checkClassesSource(source: ClassCountsSource | undefined): ClassCountsSource | undefined {
  if (source !== undefined && typeof source !== 'function') {
    throw new InvalidOptionError(
      'classes',
      'must be a function returning class counts, e.g. () => detector.censuses().at(-1)?.classes.',
    );
  }
  return source;
}
