import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { type AgentFaultCode, AgentFaultError, InvalidOptionError, type MemwatcherError } from '../errors.ts';
import type { AlertMemory, MemoryAlert } from './alerts/alert.ts';
import type { DeliveryCounts } from './alerts/delivery-queue.ts';
import { AlertDispatcher, reasonOf } from './alerts/dispatcher.ts';
import type { GrowingClassesSource } from './census-hook.ts';
import type { DashboardServeOptions, ServedDashboard } from './dashboard-options.ts';
import { EnvelopeSeries } from './envelope-series.ts';
import { type GcEvent, GcObserver, type GcStats, type HeapFloorReading } from './gc-observer.ts';
import { type HistoryPoint, TieredHistory } from './history.ts';
import { type MemorySample, readMemorySample } from './memory-sample.ts';
import { type MemoryWatcherOptions, type ResolvedWatcherOptions, resolveWatcherOptions } from './options.ts';
import {
  type SnapshotEvent,
  type SnapshotOutcome,
  SnapshotPolicy,
  type SnapshotStartEvent,
} from './snapshot-policy.ts';
import { combineVerdict, judgeTrend, type LeakVerdict, pointsToJudge, type TrendStatus } from './verdict.ts';

/** Events of a {@link MemoryWatcher} and their arguments. */
export interface MemoryWatcherEvents {
  /** Every `intervalMs`. */
  sample: [sample: MemorySample];
  /** Every GC, of every kind (major ones carry the heap floor). */
  gc: [event: GcEvent];
  /** The status of the verdict or of one of its figures changed (`warming-up` → `stable` → `growing` → `leak` …). */
  verdict: [verdict: LeakVerdict];
  /** The verdict turned to "leaking". */
  leak: [verdict: LeakVerdict];
  alert: [alert: MemoryAlert];
  /** A heap snapshot is about to pause the process. */
  'snapshot-start': [event: SnapshotStartEvent];
  /** A heap snapshot file is complete. */
  snapshot: [event: SnapshotEvent];
  /** Something failed at run time (a sink, a listener, the census). The watcher keeps running. */
  error: [error: MemwatcherError];
}

/** Growth in bytes per minute over the verdict window (`undefined` until enough data). */
export interface GrowthRate {
  readonly heapBytesPerMinute: number | undefined;
  readonly externalBytesPerMinute: number | undefined;
  readonly rssBytesPerMinute: number | undefined;
}

/** Envelope buckets per verdict window: bounds the trend test to O(128²) pairs per figure. */
const BUCKETS_PER_WINDOW = 128;
/** Envelope capacity in buckets: four windows, enough for the verdict's three-window stretch. */
const ENVELOPE_CAPACITY = BUCKETS_PER_WINDOW * 4;

/**
 * Watches this process' memory from inside: samples, GC pauses, the heap floor after each major GC,
 * bounded history, a leak verdict, alerts and heap snapshots. A guest in the host process: options
 * are checked in the constructor (the only place it throws), timers are unref()ed, nothing is
 * thrown or rejected at run time (failures are `error` events), and `stop()` removes every hook.
 *
 * @example
 * import { MemoryWatcher } from 'memwatcher';
 *
 * const watcher = new MemoryWatcher({
 *   alerts: { rules: { heapLimitShareAbove: 0.85 }, webhook: 'https://hooks.example.com/memory' },
 * });
 * watcher.on('leak', (verdict) => console.warn(verdict.summary));
 * watcher.start();
 */
export class MemoryWatcher extends EventEmitter<MemoryWatcherEvents> {
  private readonly settings: ResolvedWatcherOptions;
  private readonly gc: GcObserver;
  private readonly historyBuffer: TieredHistory;
  private readonly heapFloors: EnvelopeSeries;
  private readonly externalFloors: EnvelopeSeries;
  private readonly rssEnvelope: EnvelopeSeries;
  private readonly nativeEnvelope: EnvelopeSeries;
  private readonly snapshots: SnapshotPolicy;
  private census: GrowingClassesSource | undefined;
  private dispatcher: AlertDispatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private latestFloor: number | undefined;
  private lastVerdict: LeakVerdict | undefined;
  private lastVerdictAt = Number.NEGATIVE_INFINITY;
  private lastSampleAt = 0;
  private lastGcPauseMs = 0;
  private lastGcCount = 0;
  private readonly warnedCodes = new Set<string>();

  /** @throws {InvalidOptionError} when an option is invalid. */
  constructor(options?: MemoryWatcherOptions) {
    super({ captureRejections: true });
    this.settings = resolveWatcherOptions(options);
    this.census = this.settings.census;
    this.historyBuffer = new TieredHistory(this.settings.historyTiers);
    const bucketMs = this.settings.leak.windowMs / BUCKETS_PER_WINDOW;
    this.heapFloors = new EnvelopeSeries(bucketMs, ENVELOPE_CAPACITY);
    this.externalFloors = new EnvelopeSeries(bucketMs, ENVELOPE_CAPACITY);
    this.rssEnvelope = new EnvelopeSeries(bucketMs, ENVELOPE_CAPACITY);
    this.nativeEnvelope = new EnvelopeSeries(bucketMs, ENVELOPE_CAPACITY);
    this.gc = new GcObserver({
      onGc: (event) => this.emitSafely('gc', event),
      onFloor: (floor) => this.onFloor(floor),
      onFault: (error) =>
        this.fault('ERR_AGENT_INTERNAL', `reading a GC entry failed: ${reasonOf(error)}`, error),
      wantsEvents: () => this.listenerCount('gc') > 0,
    });
    this.snapshots = new SnapshotPolicy(this.settings.snapshots, {
      now,
      announce: (event) => this.emitSafely('snapshot-start', event),
      done: (event) => this.emitSafely('snapshot', event),
      fault: (error) =>
        this.fault('ERR_SNAPSHOT_AUTO', `automatic heap snapshot failed: ${error.message}`, error),
    });
  }

  /** Starts sampling and observing GCs. Idempotent; a stopped watcher can be started again. */
  start(): this {
    if (this.timer !== undefined) return this;
    try {
      this.startedAt = now();
      this.lastSampleAt = this.startedAt;
      const gc = this.gc.stats();
      this.lastGcPauseMs = gc.pauseMs;
      this.lastGcCount = gc.count;
      this.dispatcher = new AlertDispatcher(this.settings, {
        emitAlert: (alert) => this.emitSafely('alert', alert),
        census: () => this.census,
        fault: (code, message, cause) => this.fault(code, message, cause),
      });
      this.gc.start();
      this.timer = setInterval(() => this.tick(), this.settings.intervalMs);
      this.timer.unref();
      this.tick();
    } catch (error) {
      this.fault('ERR_AGENT_INTERNAL', `starting the watcher failed: ${reasonOf(error)}`, error);
    }
    return this;
  }

  /** Stops sampling, disconnects the GC observer, closes alert queues. Idempotent. */
  stop(): this {
    clearInterval(this.timer);
    this.timer = undefined;
    this.gc.stop();
    this.dispatcher?.close();
    this.dispatcher = undefined;
    this.snapshots.close();
    return this;
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  /** The sampling interval in use. */
  get intervalMs(): number {
    return this.settings.intervalMs;
  }

  /** A fresh sample of the process' memory now (not added to the history). */
  current(): MemorySample {
    const time = now();
    const gc = this.gc.stats();
    return readMemorySample({
      time,
      heapFloor: this.latestFloor,
      gc,
      gcPauseMs: gc.pauseMs - this.lastGcPauseMs,
      gcCount: gc.count - this.lastGcCount,
      elapsedMs: time - this.lastSampleAt,
    });
  }

  /** Samples and downsampled points, oldest first; `since` in ms since epoch. */
  history(since?: number): HistoryPoint[] {
    return this.historyBuffer.points(since);
  }

  /** Growth over the verdict window, per figure. */
  growthRate(): GrowthRate {
    const verdict = this.verdict();
    return {
      heapBytesPerMinute: verdict.heap.growthBytesPerMinute,
      externalBytesPerMinute: verdict.external.growthBytesPerMinute,
      rssBytesPerMinute: verdict.rss.growthBytesPerMinute,
    };
  }

  /** The latest leak verdict (judged as samples arrive; judged now if none yet). */
  verdict(): LeakVerdict {
    return this.lastVerdict ?? this.judge(now(), this.current().heapLimit);
  }

  /** GC counts and pause times per kind since the watcher was created. */
  gcStats(): GcStats {
    return this.gc.stats();
  }

  /** Bytes held by the history ring buffers (fixed at construction). */
  get historyBytes(): number {
    return this.historyBuffer.retainedBytes;
  }

  /** Webhook and email delivery counters. */
  deliveries(): { webhook?: DeliveryCounts; email?: DeliveryCounts } {
    const queues = this.dispatcher?.queues() ?? {};
    return {
      ...(queues.webhook === undefined ? {} : { webhook: queues.webhook.counts() }),
      ...(queues.email === undefined ? {} : { email: queues.email.counts() }),
    };
  }

  /** Waits until queued webhook and email alerts are delivered or given up (for graceful shutdown). */
  async flushAlerts(): Promise<void> {
    const queues = this.dispatcher?.queues() ?? {};
    await Promise.all([queues.webhook?.idle(), queues.email?.idle()]);
  }

  /**
   * Attaches (or, with `undefined`, detaches) the census alerts take their top growing classes from.
   * @throws {InvalidOptionError} when `source` has no `topGrowingClasses` method.
   */
  setCensus(source: GrowingClassesSource | undefined): this {
    if (source !== undefined && typeof source.topGrowingClasses !== 'function') {
      throw new InvalidOptionError('census', 'must have a topGrowingClasses(limit) method.');
    }
    this.census = source;
    return this;
  }

  /**
   * Takes a heap snapshot now (the process pauses; `snapshot-start` is emitted first). Goes to
   * `dir`, else `snapshots.dir`, else the current directory. Never rejects: the outcome says
   * whether a file was written.
   * @example
   * const outcome = await watcher.captureSnapshot({ label: 'after-warmup' });
   * if (outcome.status === 'captured') console.log(outcome.file);
   */
  captureSnapshot(options?: { readonly dir?: string; readonly label?: string }): Promise<SnapshotOutcome> {
    const dir =
      options?.dir ?? (this.settings.snapshotsConfigured ? this.settings.snapshots.dir : process.cwd());
    return this.snapshots.take('on-demand', dir, options?.label);
  }

  /**
   * Serves the live dashboard (and `/metrics`) from this process, on 127.0.0.1 unless `host` says
   * otherwise, behind a token. The server code is loaded now, not before: a watcher that never
   * serves carries none of it. The server is unref()ed: it does not keep the process alive.
   * @throws {InvalidOptionError} a bad port, host or token; {DashboardError} the port is taken.
   * @example
   * const dashboard = await watcher.serve({ port: 8080 });
   * console.log(`memory dashboard: ${dashboard.openUrl}`);
   */
  async serve(options: DashboardServeOptions): Promise<ServedDashboard> {
    // By URL, as the engine worker is started: sources run as `.ts`, the package as compiled `.js`.
    const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    const server = (await import(new URL(`../server/serve-watcher${extension}`, import.meta.url).href)) as {
      serveWatcher: (watcher: MemoryWatcher, options: DashboardServeOptions) => Promise<ServedDashboard>;
    };
    return server.serveWatcher(this, options);
  }

  /** Async listeners that reject are reported like throwing ones. */
  override [EventEmitter.captureRejectionSymbol](error: Error, event: unknown, ..._args: unknown[]): void {
    this.fault(
      'ERR_HOST_CALLBACK',
      `an async '${String(event)}' listener rejected: ${reasonOf(error)}`,
      error,
    );
  }

  private tick(): void {
    try {
      const sample = this.current();
      const { time, gc } = sample;
      this.historyBuffer.add(sample);
      this.lastSampleAt = time;
      this.lastGcPauseMs = gc.pauseMs;
      this.lastGcCount = gc.count;
      this.rssEnvelope.add(time, sample.rss);
      this.nativeEnvelope.add(time, sample.rss - sample.heapTotal - sample.external);
      this.externalFloors.add(time, sample.external);
      this.emitSafely('sample', sample);

      // The envelopes change at most once per bucket, so judging more often would only cost CPU
      // (a busy server runs a major GC every second or so).
      if (time - this.lastVerdictAt >= this.heapFloors.bucketMs) {
        this.updateVerdict(time, sample.heapLimit);
      }
      this.dispatcher?.consider(alertMemory(sample), this.lastVerdict, time);
      const nearLimit = this.settings.snapshots.nearHeapLimit;
      if (
        this.settings.snapshotsConfigured &&
        nearLimit !== undefined &&
        sample.heapUsed / sample.heapLimit >= nearLimit
      ) {
        this.snapshots.automatic('near-heap-limit');
      }
    } catch (error) {
      this.fault('ERR_AGENT_INTERNAL', `sampling failed: ${reasonOf(error)}`, error);
    }
  }

  private onFloor(floor: HeapFloorReading): void {
    this.latestFloor = floor.heapFloor;
    this.heapFloors.add(floor.time, floor.heapFloor);
    this.externalFloors.add(floor.time, floor.externalFloor);
  }

  private updateVerdict(time: number, heapLimit: number): void {
    const previous = this.lastVerdict;
    const verdict = this.judge(time, heapLimit);
    this.lastVerdict = verdict;
    this.lastVerdictAt = time;
    if (previous === undefined || statusesDiffer(previous, verdict)) this.emitSafely('verdict', verdict);
    if (verdict.leaking && previous?.leaking !== true) {
      this.emitSafely('leak', verdict);
      if (this.settings.snapshotsConfigured && this.settings.snapshots.onLeak)
        this.snapshots.automatic('leak');
    }
  }

  private judge(time: number, heapLimit: number): LeakVerdict {
    const settings = this.settings.leak;
    const startedAt = this.timer === undefined && this.lastVerdict === undefined ? time : this.startedAt;
    const judgeSeries = (series: EnvelopeSeries, previous: TrendStatus | undefined) =>
      judgeTrend(
        pointsToJudge(series, settings, time, startedAt),
        settings,
        { now: time, startedAt },
        previous,
      );
    return combineVerdict({
      time,
      heap: judgeSeries(this.heapFloors, this.lastVerdict?.heap.status),
      external: judgeSeries(this.externalFloors, this.lastVerdict?.external.status),
      rss: judgeSeries(this.rssEnvelope, this.lastVerdict?.rss.status),
      native: judgeSeries(this.nativeEnvelope, this.lastVerdict?.native.status),
      heapLimit,
    });
  }

  private emitSafely<K extends keyof MemoryWatcherEvents & string>(
    event: K,
    ...args: MemoryWatcherEvents[K]
  ): void {
    if (this.listenerCount(event) === 0) return;
    try {
      (this.emit as (event: string, ...args: unknown[]) => boolean)(event, ...args);
    } catch (error) {
      this.fault('ERR_HOST_CALLBACK', `a '${event}' listener threw: ${reasonOf(error)}`, error);
    }
  }

  /**
   * Reports a run-time failure: the `error` event when someone listens, otherwise one process
   * warning per code (an `error` event with no listener would throw into the host).
   */
  private fault(code: AgentFaultCode, message: string, cause?: unknown): void {
    const error = new AgentFaultError(code, message, cause === undefined ? undefined : { cause });
    try {
      if (this.listenerCount('error') > 0) {
        this.emit('error', error);
        return;
      }
      if (this.warnedCodes.has(code)) return;
      this.warnedCodes.add(code);
      process.emitWarning(`memwatcher: ${message}`, { type: 'MemwatcherWarning', code });
    } catch {
      // An 'error' listener that throws has nowhere left to report to.
    }
  }
}

function statusesDiffer(a: LeakVerdict, b: LeakVerdict): boolean {
  return (
    a.status !== b.status ||
    a.heap.status !== b.heap.status ||
    a.external.status !== b.external.status ||
    a.rss.status !== b.rss.status ||
    a.native.status !== b.native.status
  );
}

function alertMemory(sample: MemorySample): AlertMemory {
  return {
    rss: sample.rss,
    heapTotal: sample.heapTotal,
    heapUsed: sample.heapUsed,
    external: sample.external,
    arrayBuffers: sample.arrayBuffers,
    heapLimit: sample.heapLimit,
    heapFloor: sample.heapFloor,
  };
}

/** Monotonic, in ms since epoch: immune to wall-clock jumps, comparable with `Date.now()`. */
function now(): number {
  return performance.timeOrigin + performance.now();
}
