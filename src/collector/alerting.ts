import { hostname } from 'node:os';
import type { AlertMemory, MemoryAlert } from '../agent/alerts/alert.ts';
import type { DeliveryFault, DeliveryQueue } from '../agent/alerts/delivery-queue.ts';
import { createEmailSink } from '../agent/alerts/email-sink.ts';
import { AlertRateLimiter, evaluateRules } from '../agent/alerts/rules.ts';
import { createWebhookSink } from '../agent/alerts/webhook-sink.ts';
import type { ResolvedWatcherOptions } from '../agent/options.ts';
import type { LeakVerdict } from '../agent/verdict.ts';
import { CollectorFaultError } from '../errors.ts';

/**
 * The agent's alert rules and sinks, run in the memwatcher process for the processes it watches:
 * rules evaluated on every sample and verdict (rate-limited per process, rule and subject), alerts
 * published as events and delivered to the webhook and by email. Delivery never blocks sampling;
 * failures become faults.
 *
 * @example
 * const alerts = new CollectorAlerts(resolveWatcherOptions({ alerts: { rules: { rssAbove: 2 ** 30 } } }), {
 *   publish: (alert) => collector.publish(…), fault: (error) => console.error(error.message),
 * });
 * alerts.consider(pid, memory, verdict, Date.now());
 */
export class CollectorAlerts {
  private readonly settings: ResolvedWatcherOptions;
  private readonly publish: (alert: MemoryAlert) => void;
  private readonly limiters = new Map<number, AlertRateLimiter>();
  private readonly webhook: DeliveryQueue<MemoryAlert> | undefined;
  private readonly email: { readonly queue: DeliveryQueue<MemoryAlert>; close(): void } | undefined;
  private readonly host = hostname();
  private closed = false;

  constructor(
    settings: ResolvedWatcherOptions,
    hooks: {
      readonly publish: (alert: MemoryAlert) => void;
      readonly fault: (error: CollectorFaultError) => void;
    },
  ) {
    this.settings = settings;
    this.publish = hooks.publish;
    const onDeliveryFault = (fault: DeliveryFault) =>
      hooks.fault(
        new CollectorFaultError(
          fault.kind === 'dropped' ? 'ERR_ALERT_DROPPED' : 'ERR_ALERT_DELIVERY',
          fault.message,
          fault.kind === 'failed' ? { cause: fault.cause } : undefined,
        ),
      );
    const { webhook, email } = settings.alerts;
    this.webhook = webhook === undefined ? undefined : createWebhookSink(webhook, onDeliveryFault);
    this.email = email === undefined ? undefined : createEmailSink(email, onDeliveryFault);
  }

  /** Evaluates every rule for one process; alerts past the rate limit go out at once. */
  consider(pid: number, memory: AlertMemory, verdict: LeakVerdict | undefined, time: number): void {
    if (this.closed) return;
    const drafts = evaluateRules(this.settings.alerts.rules, memory, verdict, this.settings.leak.confidence);
    if (drafts.length === 0) return;
    let limiter = this.limiters.get(pid);
    if (limiter === undefined) {
      limiter = new AlertRateLimiter(this.settings.alerts.minIntervalMs);
      this.limiters.set(pid, limiter);
    }
    for (const draft of drafts) {
      if (!limiter.allow(draft, time)) continue;
      const alert: MemoryAlert = { ...draft, time, memory, verdict, pid, hostname: this.host };
      this.publish(alert);
      this.webhook?.push(alert);
      this.email?.queue.push(alert);
    }
  }

  /** Waits until queued alerts are delivered or given up (each sink has its own timeouts and retries). */
  async flush(): Promise<void> {
    await Promise.all([this.webhook?.idle(), this.email?.queue.idle()]);
  }

  close(): void {
    this.closed = true;
    this.webhook?.close();
    this.email?.close();
  }
}
