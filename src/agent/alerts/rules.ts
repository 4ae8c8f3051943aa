import { formatBytes, formatDuration, formatGrowth } from '../human-format.ts';
import { culpritTrend, type LeakVerdict, type MemoryTrend } from '../verdict.ts';
import type { AlertMemory, AlertRuleName, MemoryAlert } from './alert.ts';

/**
 * Thresholds that raise alerts. Every rule is off unless set, except `leak` (on by default).
 * @example
 * { rssAbove: 1.5 * 1024 ** 3, heapLimitShareAbove: 0.85, growthAbove: 5 * 1024 ** 2, timeToHeapLimitBelow: 3_600_000 }
 */
export interface AlertRules {
  /** Bytes of JS heap in use. */
  readonly heapUsedAbove?: number;
  /** Bytes of resident memory. */
  readonly rssAbove?: number;
  /** Bytes of external memory (Buffers, ArrayBuffers, native objects held by JS). */
  readonly externalAbove?: number;
  /** Share of the heap limit in use, between 0 and 1. */
  readonly heapLimitShareAbove?: number;
  /** Bytes per minute of significant growth of the heap floor, external memory or RSS. */
  readonly growthAbove?: number;
  /** Milliseconds: projected time until the heap floor reaches the heap limit. */
  readonly timeToHeapLimitBelow?: number;
  /** Alert on a leak verdict. Default true. */
  readonly leak?: boolean;
}

/** An alert before the census is asked and identity fields are added. */
export type AlertDraft = Pick<MemoryAlert, 'rule' | 'severity' | 'message' | 'value' | 'threshold'> & {
  readonly subject?: 'heap' | 'external' | 'rss';
};

/**
 * Evaluates every rule against the latest figures and verdict. Pure: rate limiting is separate.
 * `confidence` is the level a trend must reach for `growthAbove`.
 */
export function evaluateRules(
  rules: AlertRules,
  memory: AlertMemory,
  verdict: LeakVerdict | undefined,
  confidence: number,
): AlertDraft[] {
  const drafts: AlertDraft[] = [];
  const above = (rule: AlertRuleName, what: string, value: number, threshold: number | undefined) => {
    if (threshold !== undefined && value > threshold) {
      drafts.push({
        rule,
        severity: 'warning',
        value,
        threshold,
        message: `${what} ${formatBytes(value)} is above ${formatBytes(threshold)}`,
      });
    }
  };
  above('heapUsedAbove', 'JS heap in use', memory.heapUsed, rules.heapUsedAbove);
  above('rssAbove', 'RSS', memory.rss, rules.rssAbove);
  above('externalAbove', 'external memory', memory.external, rules.externalAbove);

  const share = memory.heapUsed / memory.heapLimit;
  if (rules.heapLimitShareAbove !== undefined && share > rules.heapLimitShareAbove) {
    drafts.push({
      rule: 'heapLimitShareAbove',
      severity: 'critical',
      value: share,
      threshold: rules.heapLimitShareAbove,
      message: `JS heap in use is ${(share * 100).toFixed(1)}% of the ${formatBytes(memory.heapLimit)} heap limit (threshold ${(rules.heapLimitShareAbove * 100).toFixed(0)}%)`,
    });
  }
  if (verdict === undefined) return drafts;

  if (rules.growthAbove !== undefined) {
    const threshold = rules.growthAbove;
    const trends: ['heap' | 'external' | 'rss', string, MemoryTrend][] = [
      ['heap', 'JS heap floor', verdict.heap],
      ['external', 'external memory', verdict.external],
      ['rss', 'RSS', verdict.rss],
    ];
    for (const [subject, what, trend] of trends) {
      const growth = trend.growthBytesPerMinute;
      const certain = trend.confidence !== undefined && trend.confidence >= confidence;
      const judged = trend.status === 'growing' || trend.status === 'leak' || trend.status === 'stable';
      if (growth !== undefined && growth > threshold && certain && judged) {
        drafts.push({
          rule: 'growthAbove',
          subject,
          severity: 'warning',
          value: growth,
          threshold,
          message: `${what} grows ${formatGrowth(growth)} (threshold ${formatGrowth(threshold)}, confidence ${(trend.confidence! * 100).toFixed(1)}%)`,
        });
      }
    }
  }
  const timeToLimit = verdict.timeToHeapLimitMs;
  if (
    rules.timeToHeapLimitBelow !== undefined &&
    timeToLimit !== undefined &&
    timeToLimit < rules.timeToHeapLimitBelow
  ) {
    drafts.push({
      rule: 'timeToHeapLimitBelow',
      severity: 'critical',
      value: timeToLimit,
      threshold: rules.timeToHeapLimitBelow,
      message: `at ${formatGrowth(verdict.heap.growthBytesPerMinute)} the JS heap reaches its ${formatBytes(verdict.heapLimit)} limit in ~${formatDuration(timeToLimit)}`,
    });
  }
  if (rules.leak !== false && verdict.leaking) {
    drafts.push({
      rule: 'leak',
      severity: 'critical',
      value: leakGrowth(verdict),
      threshold: 0,
      message: `memory leak: ${verdict.summary}`,
    });
  }
  return drafts;
}

function leakGrowth(verdict: LeakVerdict): number {
  return (culpritTrend(verdict) ?? verdict.heap).growthBytesPerMinute ?? 0;
}

/**
 * At most one alert per rule (and subject) per `minIntervalMs`: a condition that holds for an hour
 * raises one alert, then a reminder per interval, not one per sample.
 */
export class AlertRateLimiter {
  private readonly minIntervalMs: number;
  private readonly lastSent = new Map<string, number>();

  constructor(minIntervalMs: number) {
    this.minIntervalMs = minIntervalMs;
  }

  allow(draft: AlertDraft, now: number): boolean {
    const key = draft.subject === undefined ? draft.rule : `${draft.rule}:${draft.subject}`;
    const last = this.lastSent.get(key);
    if (last !== undefined && now - last < this.minIntervalMs) return false;
    this.lastSent.set(key, now);
    return true;
  }
}
