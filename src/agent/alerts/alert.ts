import type { GrowingClass } from '../census-hook.ts';
import type { LeakVerdict } from '../verdict.ts';

/**
 * Which rule raised an alert:
 * - `heapUsedAbove`, `rssAbove`, `externalAbove`: a size above an absolute number of bytes;
 * - `heapLimitShareAbove`: JS heap in use above a share of the heap limit (0.9 = 90 %);
 * - `growthAbove`: significant growth of the heap floor, external memory or RSS above bytes/minute;
 * - `timeToHeapLimitBelow`: the growing heap floor would reach the heap limit sooner than this (ms);
 * - `leak`: the leak verdict says the process leaks.
 */
export type AlertRuleName =
  | 'heapUsedAbove'
  | 'rssAbove'
  | 'externalAbove'
  | 'heapLimitShareAbove'
  | 'growthAbove'
  | 'timeToHeapLimitBelow'
  | 'leak';

export type AlertSeverity = 'warning' | 'critical';

/** Memory figures at the moment of an alert. */
export interface AlertMemory {
  readonly rss: number;
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
  readonly heapLimit: number;
  readonly heapFloor: number | undefined;
}

/** What every sink receives (callback, `alert` event, webhook body, email, log line). */
export interface MemoryAlert {
  readonly rule: AlertRuleName;
  /** For `growthAbove`: which figure grows (`heap`, `external` or `rss`). */
  readonly subject?: 'heap' | 'external' | 'rss';
  readonly severity: AlertSeverity;
  /** ms since epoch. */
  readonly time: number;
  /** One line for humans, starting with what crossed which threshold. */
  readonly message: string;
  /** The measured value (bytes, bytes/minute, a share, or ms, as the rule says). */
  readonly value: number;
  readonly threshold: number;
  readonly memory: AlertMemory;
  readonly verdict: LeakVerdict | undefined;
  /** From the attached census, largest growth first; absent when no census is attached or it did not answer. */
  readonly topGrowingClasses?: readonly GrowingClass[];
  readonly pid: number;
  readonly hostname: string;
}
