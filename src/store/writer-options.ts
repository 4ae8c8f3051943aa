import { checkFunction, checkNumber, checkObject } from '../agent/option-checks.ts';
import type { StoreError } from '../errors.ts';
import { DEFAULT_BUSY_TIMEOUT_MS } from './open-database.ts';
import { type RetentionOptions, type RetentionPolicy, resolveRetention } from './retention.ts';

export interface HistoryWriterOptions {
  /** Rows wait in memory at most this long before they are committed. Default 1000 ms. */
  readonly flushIntervalMs?: number;
  /** Commit at once when this many rows wait. Default 5000. */
  readonly maxBatchRows?: number;
  /**
   * While the disk refuses writes, rows wait in memory and are retried; past this many, the oldest
   * are dropped (and counted in `stats.droppedRows`). Default 100 000 (a day of 1 s samples).
   */
  readonly maxPendingRows?: number;
  readonly retention?: RetentionOptions;
  /**
   * How long a commit waits for another process holding the file's write lock (a second writer)
   * before it fails with `ERR_STORE_WRITE` and is retried at the next flush. Default 5000 ms.
   */
  readonly busyTimeoutMs?: number;
  /** How often retention runs; the first pass runs at the first flush. Default 10 minutes. */
  readonly retentionIntervalMs?: number;
  /**
   * Called with what went wrong while writing in the background (`ERR_STORE_FULL`,
   * `ERR_STORE_WRITE`): when writes start failing (a trouble that comes back is reported again at
   * most once a minute), when rows start being dropped, and for rows SQLite refused.
   * Default: a process warning.
   */
  readonly onError?: (error: StoreError) => void;
  /** The clock retention measures ages with, and the default start and end times. Default `Date.now`. */
  readonly now?: () => number;
}

/** {@link HistoryWriterOptions} checked and completed. */
export interface WriterSettings {
  readonly flushIntervalMs: number;
  readonly maxBatchRows: number;
  readonly maxPendingRows: number;
  readonly busyTimeoutMs: number;
  readonly retentionIntervalMs: number;
  readonly retention: RetentionPolicy;
  readonly onError: (error: StoreError) => void;
  readonly now: () => number;
}

const KEYS = [
  'flushIntervalMs',
  'maxBatchRows',
  'maxPendingRows',
  'retention',
  'busyTimeoutMs',
  'retentionIntervalMs',
  'onError',
  'now',
];

/** Throws `InvalidOptionError` naming the first bad option. */
export function resolveWriterOptions(options: HistoryWriterOptions | undefined): WriterSettings {
  const o = checkObject('options', options, KEYS) ?? {};
  const ms = { min: 1, integer: true, unit: 'ms' } as const;
  const count = { min: 1, integer: true } as const;
  return {
    flushIntervalMs: checkNumber('flushIntervalMs', o.flushIntervalMs, { ...ms, min: 10 }) ?? 1000,
    maxBatchRows: checkNumber('maxBatchRows', o.maxBatchRows, count) ?? 5000,
    maxPendingRows: checkNumber('maxPendingRows', o.maxPendingRows, count) ?? 100_000,
    busyTimeoutMs:
      checkNumber('busyTimeoutMs', o.busyTimeoutMs, { ...ms, min: 0 }) ?? DEFAULT_BUSY_TIMEOUT_MS,
    retentionIntervalMs: checkNumber('retentionIntervalMs', o.retentionIntervalMs, ms) ?? 600_000,
    retention: resolveRetention(o.retention as RetentionOptions | undefined),
    onError:
      (checkFunction('onError', o.onError) as WriterSettings['onError'] | undefined) ??
      ((error) => process.emitWarning(error.message, { code: error.code })),
    now: (checkFunction('now', o.now) as (() => number) | undefined) ?? Date.now,
  };
}
