import type { AlertMemory } from '../agent/alerts/alert.ts';
import type { AgentMessage, SampleMessage } from '../agent/ipc-protocol.ts';
import type { AlertOptions, LeakOptions, ResolvedWatcherOptions } from '../agent/options.ts';
import { resolveWatcherOptions } from '../agent/options.ts';
import { culpritTrend, type LeakVerdict } from '../agent/verdict.ts';
import { CollectorFaultError, type MemwatcherError } from '../errors.ts';
import { CollectorAlerts } from './alerting.ts';
import { EventBus, type EventSink } from './event-bus.ts';
import type { CollectorEvent, OutsideSampleEvent, WatchMethod } from './events.ts';
import { OutsideVerdict } from './outside-verdict.ts';

export interface CollectorOptions {
  /** How often the sources sample. Default 1000. */
  readonly intervalMs?: number;
  /** How the verdict judges (the agent's options; the same defaults: 10-minute window, 1-minute warm-up). */
  readonly leak?: LeakOptions;
  /** Rules, rate limit, webhook and email (the agent's options). Default: alert on a leak verdict. */
  readonly alerts?: Pick<AlertOptions, 'rules' | 'minIntervalMs' | 'webhook' | 'email'>;
  /** What went wrong while collecting (a sink, an alert delivery); also published as `error` events. */
  readonly onFault?: (error: MemwatcherError) => void;
  /** ms since epoch; default `Date.now`. */
  readonly now?: () => number;
}

/** What the collector knows about one watched process now: for status lines and the end of a run. */
export interface WatchedProcess {
  readonly pid: number;
  readonly method: WatchMethod;
  readonly time: number;
  readonly rss: number;
  readonly rssPeak: number | null;
  readonly heapUsed: number | null;
  readonly heapFloor: number | null;
  readonly processes: number;
  readonly verdict: LeakVerdict | undefined;
  /** Whether this process' verdict has been a leak at some point. */
  readonly leakCalled: boolean;
}

/** Passed to `onLeak` listeners, once per process. */
export interface LeakCall {
  readonly pid: number;
  readonly method: WatchMethod;
  readonly verdict: LeakVerdict;
}

/**
 * The hub of `run`, `watch` and `attach` (see the contract in `index.ts`): sources feed it, it judges
 * what no agent judged, evaluates alert rules for every process, and fans every event out to sinks.
 * The constructor is the only place it throws (`InvalidOptionError` for bad options).
 *
 * @example
 * const collector = new Collector({ intervalMs: 1000, leak: { windowMs: 120_000 } });
 * collector.subscribe((event) => events.write(`${JSON.stringify(event)}\n`));
 * collector.onLeak(({ pid, verdict }) => console.error(`${pid}: ${verdict.summary}`));
 * child.on('message', (message) => { if (isAgentMessage(message)) collector.acceptAgentMessage(message); });
 */
export class Collector {
  readonly settings: ResolvedWatcherOptions;
  private readonly bus: EventBus;
  private readonly alerts: CollectorAlerts;
  private readonly onFault: ((error: MemwatcherError) => void) | undefined;
  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly processes = new Map<number, WatchedProcess>();
  private readonly verdicts = new Map<number, OutsideVerdict>();
  private readonly leakListeners = new Set<(leak: LeakCall) => void>();
  private readonly leakCalledFor = new Set<number>();
  private latestPid: number | undefined;
  private reporting = false;

  constructor(options: CollectorOptions = {}) {
    this.settings = resolveWatcherOptions({
      ...(options.intervalMs === undefined ? {} : { intervalMs: options.intervalMs }),
      ...(options.leak === undefined ? {} : { leak: options.leak }),
      ...(options.alerts === undefined ? {} : { alerts: options.alerts }),
    });
    this.onFault = options.onFault;
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.bus = new EventBus((error) => this.fault(error));
    this.alerts = new CollectorAlerts(this.settings, {
      publish: (alert) =>
        this.bus.publish({ type: 'alert', source: 'collector', time: alert.time, pid: alert.pid, alert }),
      fault: (error) => this.fault(error),
    });
  }

  subscribe(sink: EventSink): () => void {
    return this.bus.subscribe(sink);
  }

  /** Publishes an event memwatcher made itself (`start`, `snapshot`, `analysis`, `exit`…) as it is. */
  publish(event: CollectorEvent): void {
    this.bus.publish(event);
  }

  /** Calls `listener` once per process, when its verdict first turns to leaking. */
  onLeak(listener: (leak: LeakCall) => void): () => void {
    this.leakListeners.add(listener);
    return () => this.leakListeners.delete(listener);
  }

  /** A process, or the one heard from most recently. */
  process(pid?: number): WatchedProcess | undefined {
    const key = pid ?? this.latestPid;
    return key === undefined ? undefined : this.processes.get(key);
  }

  /**
   * An agent's message (`memwatcher run` of a Node program). Published as it came; the agent judged its
   * own verdict, the collector evaluates alert rules on its samples.
   */
  acceptAgentMessage(message: AgentMessage): void {
    this.bus.publish(message);
    const known = this.processes.get(message.pid);
    switch (message.type) {
      case 'hello':
        this.remember(message.pid, { method: 'agent', time: message.time });
        break;
      case 'sample': {
        this.remember(message.pid, {
          method: 'agent',
          time: message.time,
          rss: message.rss,
          heapUsed: message.heapUsed,
          heapFloor: message.heapFloor,
        });
        this.alerts.consider(message.pid, agentMemory(message), known?.verdict, message.time);
        break;
      }
      case 'verdict':
        this.remember(message.pid, { method: 'agent', verdict: message.verdict });
        break;
      case 'leak':
        this.remember(message.pid, { method: 'agent', verdict: message.verdict });
        this.callLeak(message.pid, 'agent', message.verdict);
        break;
      default:
        break;
    }
  }

  /**
   * A reading of a process watched from outside (`/proc`, the inspector). Published, then judged: a
   * `verdict` event when the status changes, `leak` when it turns to leaking; alert rules evaluated.
   */
  acceptSample(sample: OutsideSampleEvent): void {
    this.bus.publish(sample);
    let judge = this.verdicts.get(sample.pid);
    if (judge === undefined) {
      judge = new OutsideVerdict(this.settings.leak, {
        intervalMs: this.settings.intervalMs,
        startedAt: this.startedAt,
      });
      this.verdicts.set(sample.pid, judge);
    }
    judge.add(sample);
    const previous = this.processes.get(sample.pid)?.verdict;
    const verdict = judge.judge(sample.time);
    this.remember(sample.pid, {
      method: sample.source,
      time: sample.time,
      rss: sample.rss,
      rssPeak: sample.rssPeak,
      heapUsed: sample.heapUsed,
      heapFloor: sample.heapFloor,
      processes: sample.processes,
      verdict,
    });
    const base = { source: 'collector', time: verdict.time, pid: sample.pid } as const;
    if (previous?.status !== verdict.status) this.bus.publish({ ...base, type: 'verdict', verdict });
    if (verdict.leaking && previous?.leaking !== true) {
      const trend = culpritTrend(verdict)!;
      this.bus.publish({
        ...base,
        type: 'leak',
        culprit: verdict.culprit!,
        growthBytesPerMinute: trend.growthBytesPerMinute ?? null,
        confidence: trend.confidence ?? null,
        timeToHeapLimitMs: verdict.timeToHeapLimitMs ?? null,
        summary: verdict.summary,
        verdict,
      });
      this.callLeak(sample.pid, sample.source, verdict);
    }
    this.alerts.consider(sample.pid, outsideMemory(sample), verdict, sample.time);
  }

  /**
   * Reports something that went wrong while collecting: an `error` event and `onFault`. Never throws.
   */
  fault(error: MemwatcherError): void {
    // A sink that fails on the `error` event itself must not loop.
    if (this.reporting) return;
    this.reporting = true;
    try {
      this.onFault?.(error);
      this.bus.publish({
        type: 'error',
        source: 'collector',
        time: this.now(),
        pid: this.latestPid ?? process.pid,
        code: error.code,
        message: error.message,
      });
    } catch {
      // Nobody left to tell.
    } finally {
      this.reporting = false;
    }
  }

  /** Stops alerting and waits (bounded by the sinks' own timeouts and retries) for queued deliveries. */
  async close(): Promise<void> {
    await this.alerts.flush();
    this.alerts.close();
  }

  private remember(pid: number, update: Partial<Omit<WatchedProcess, 'pid'>>): void {
    const known = this.processes.get(pid);
    const next: WatchedProcess = {
      pid,
      method: update.method ?? known?.method ?? 'proc',
      time: update.time ?? known?.time ?? this.now(),
      rss: update.rss ?? known?.rss ?? 0,
      rssPeak: update.rssPeak ?? known?.rssPeak ?? null,
      heapUsed: update.heapUsed === undefined ? (known?.heapUsed ?? null) : update.heapUsed,
      heapFloor: update.heapFloor === undefined ? (known?.heapFloor ?? null) : update.heapFloor,
      processes: update.processes ?? known?.processes ?? 1,
      verdict: update.verdict ?? known?.verdict,
      leakCalled: (known?.leakCalled ?? false) || update.verdict?.leaking === true,
    };
    this.processes.set(pid, next);
    this.latestPid = pid;
  }

  private callLeak(pid: number, method: WatchMethod, verdict: LeakVerdict): void {
    if (this.leakCalledFor.has(pid)) return;
    this.leakCalledFor.add(pid);
    for (const listener of this.leakListeners) {
      try {
        listener({ pid, method, verdict });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        this.fault(
          new CollectorFaultError('ERR_LEAK_EVIDENCE', `acting on the leak verdict failed: ${reason}`, {
            cause: error,
          }),
        );
      }
    }
  }
}

function agentMemory(sample: SampleMessage): AlertMemory {
  return {
    rss: sample.rss,
    heapTotal: sample.heapTotal,
    heapUsed: sample.heapUsed,
    external: sample.external,
    arrayBuffers: sample.arrayBuffers,
    heapLimit: sample.heapLimit,
    heapFloor: sample.heapFloor ?? undefined,
  };
}

/** Figures a source cannot read count as 0 (no rule fires on them); an unknown heap limit as infinite. */
function outsideMemory(sample: OutsideSampleEvent): AlertMemory {
  return {
    rss: sample.rss,
    heapTotal: sample.heapTotal ?? 0,
    heapUsed: sample.heapUsed ?? 0,
    external: sample.external ?? 0,
    arrayBuffers: sample.arrayBuffers ?? 0,
    heapLimit: sample.heapLimit ?? Number.POSITIVE_INFINITY,
    heapFloor: sample.heapFloor ?? undefined,
  };
}
