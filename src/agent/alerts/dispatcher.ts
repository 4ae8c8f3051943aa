import type { AgentFaultCode } from '../../errors.ts';
import { askTopGrowingClasses, type GrowingClassesSource } from '../census-hook.ts';
import type { ResolvedWatcherOptions } from '../options.ts';
import type { LeakVerdict } from '../verdict.ts';
import type { AlertMemory, MemoryAlert } from './alert.ts';
import type { DeliveryFault, DeliveryQueue } from './delivery-queue.ts';
import { createEmailSink } from './email-sink.ts';
import { logAlert } from './log-sink.ts';
import { AlertRateLimiter, evaluateRules } from './rules.ts';
import { createWebhookSink } from './webhook-sink.ts';

export type FaultReporter = (code: AgentFaultCode, message: string, cause?: unknown) => void;

/**
 * Turns rule hits into alerts and hands them to every sink: the `onAlert` callback, the `alert`
 * event, webhook, email and logger. Each sink is isolated: one that throws, rejects or hangs affects
 * neither the others nor the host.
 */
export class AlertDispatcher {
  private readonly options: ResolvedWatcherOptions;
  private readonly emitAlert: (alert: MemoryAlert) => void;
  private readonly census: () => GrowingClassesSource | undefined;
  private readonly fault: FaultReporter;
  private readonly limiter: AlertRateLimiter;
  private readonly webhook: DeliveryQueue<MemoryAlert> | undefined;
  private readonly email: { readonly queue: DeliveryQueue<MemoryAlert>; close(): void } | undefined;
  /** Read on the first alert: `node:os` is loaded then, not with the agent. */
  private host: string | undefined;
  private closed = false;

  constructor(
    options: ResolvedWatcherOptions,
    hooks: {
      readonly emitAlert: (alert: MemoryAlert) => void;
      readonly census: () => GrowingClassesSource | undefined;
      readonly fault: FaultReporter;
    },
  ) {
    this.options = options;
    this.emitAlert = hooks.emitAlert;
    this.census = hooks.census;
    this.fault = hooks.fault;
    this.limiter = new AlertRateLimiter(options.alerts.minIntervalMs);
    const onDeliveryFault = (fault: DeliveryFault) =>
      this.fault(
        fault.kind === 'dropped' ? 'ERR_ALERT_DROPPED' : 'ERR_ALERT_DELIVERY',
        fault.message,
        fault.kind === 'failed' ? fault.cause : undefined,
      );
    const { webhook, email } = options.alerts;
    this.webhook = webhook === undefined ? undefined : createWebhookSink(webhook, onDeliveryFault);
    this.email = email === undefined ? undefined : createEmailSink(email, onDeliveryFault);
  }

  /** Evaluates the rules; alerts that pass the rate limit are dispatched asynchronously. */
  consider(memory: AlertMemory, verdict: LeakVerdict | undefined, now: number): void {
    if (this.closed) return;
    const drafts = evaluateRules(this.options.alerts.rules, memory, verdict, this.options.leak.confidence);
    for (const draft of drafts) {
      if (!this.limiter.allow(draft, now)) continue;
      this.host ??= process.getBuiltinModule('node:os').hostname();
      void this.dispatch({ ...draft, time: now, memory, verdict, pid: process.pid, hostname: this.host });
    }
  }

  /** Webhook and email queues, for diagnostics and tests. */
  queues(): { webhook?: DeliveryQueue<MemoryAlert>; email?: DeliveryQueue<MemoryAlert> } {
    return {
      ...(this.webhook === undefined ? {} : { webhook: this.webhook }),
      ...(this.email === undefined ? {} : { email: this.email.queue }),
    };
  }

  close(): void {
    this.closed = true;
    this.webhook?.close();
    this.email?.close();
  }

  private async dispatch(base: Omit<MemoryAlert, 'topGrowingClasses'>): Promise<void> {
    try {
      const census = this.census();
      const classes =
        census === undefined || this.options.alerts.topClasses === 0
          ? undefined
          : await askTopGrowingClasses(
              census,
              this.options.alerts.topClasses,
              this.options.alerts.censusTimeoutMs,
              (e) =>
                this.fault(
                  'ERR_CENSUS',
                  `the census failed: ${reasonOf(e)}; the alert goes out without classes.`,
                  e,
                ),
            );
      if (this.closed) return;
      const alert: MemoryAlert = classes === undefined ? base : { ...base, topGrowingClasses: classes };
      this.callHost(alert);
      this.emitAlert(alert);
      this.webhook?.push(alert);
      this.email?.queue.push(alert);
      const logger = this.options.alerts.logger;
      if (logger !== undefined) {
        logAlert(logger, alert, (e) =>
          this.fault('ERR_HOST_CALLBACK', `the alert logger threw: ${reasonOf(e)}`, e),
        );
      }
    } catch (error) {
      this.fault('ERR_AGENT_INTERNAL', `alert dispatch failed: ${reasonOf(error)}`, error);
    }
  }

  private callHost(alert: MemoryAlert): void {
    const onAlert = this.options.onAlert;
    if (onAlert === undefined) return;
    const report = (e: unknown) => this.fault('ERR_HOST_CALLBACK', `onAlert threw: ${reasonOf(e)}`, e);
    try {
      const result = onAlert(alert);
      if (result instanceof Promise) result.catch(report);
    } catch (error) {
      report(error);
    }
  }
}

export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
