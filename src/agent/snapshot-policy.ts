import { isMemwatcherError, type MemwatcherError, SnapshotCaptureError } from '../errors.ts';
import { reasonOf } from './alerts/dispatcher.ts';
import type { CapturedSnapshot, CaptureOptions } from './capture.ts';
import type { ResolvedWatcherOptions } from './options.ts';

export type SnapshotReason = 'on-demand' | 'leak' | 'near-heap-limit';

/** Emitted as `snapshot-start` just before the host pauses for a heap snapshot. */
export interface SnapshotStartEvent {
  readonly time: number;
  readonly reason: SnapshotReason;
  readonly dir: string;
}

/** Emitted as `snapshot` when a heap snapshot file is complete. */
export interface SnapshotEvent extends CapturedSnapshot {
  readonly time: number;
  readonly reason: SnapshotReason;
}

/** What `captureSnapshot()` resolves to; it never rejects. */
export type SnapshotOutcome =
  | ({ readonly status: 'captured' } & SnapshotEvent)
  | {
      readonly status: 'skipped';
      readonly reason: SnapshotReason;
      /** `in-progress`: another snapshot is being taken; `rate-limited` / `limit-reached`: automatic captures only. */
      readonly why: 'in-progress' | 'rate-limited' | 'limit-reached';
    }
  | { readonly status: 'failed'; readonly reason: SnapshotReason; readonly error: MemwatcherError };

type Capture = (options: CaptureOptions) => Promise<CapturedSnapshot>;

/**
 * Loaded on the first snapshot only: capture pulls in node:crypto and node:fs/promises, ~8 MB of RSS
 * that a watcher which never takes a snapshot should not cost its host.
 */
const captureOnDemand: Capture = async (options) =>
  (await import('./capture.ts')).captureHeapSnapshot(options);

/**
 * When heap snapshots are taken: on demand, on a leak verdict (opt-in), near the heap limit
 * (opt-in). Automatic captures are rate-limited and capped per watcher; one capture at a time.
 */
export class SnapshotPolicy {
  private readonly settings: ResolvedWatcherOptions['snapshots'];
  private readonly hooks: {
    readonly now: () => number;
    readonly announce: (event: SnapshotStartEvent) => void;
    readonly done: (event: SnapshotEvent) => void;
    readonly fault: (error: MemwatcherError) => void;
  };
  private readonly capture: Capture;
  private inProgress = false;
  private lastAutomatic = Number.NEGATIVE_INFINITY;
  private automaticCount = 0;
  private controller = new AbortController();

  constructor(
    settings: ResolvedWatcherOptions['snapshots'],
    hooks: SnapshotPolicy['hooks'],
    capture: Capture = captureOnDemand,
  ) {
    this.settings = settings;
    this.hooks = hooks;
    this.capture = capture;
  }

  /** An automatic capture, if the policy allows one now. Never rejects; failures go to `fault`. */
  automatic(reason: Exclude<SnapshotReason, 'on-demand'>): void {
    if (this.inProgress || this.automaticCount >= this.settings.maxCount) return;
    const now = this.hooks.now();
    if (now - this.lastAutomatic < this.settings.minIntervalMs) return;
    this.lastAutomatic = now;
    this.automaticCount++;
    void this.take(reason, this.settings.dir, `auto-${reason}`).then((outcome) => {
      if (outcome.status === 'failed') this.hooks.fault(outcome.error);
    });
  }

  /** Captures now unless another capture is running. */
  take(reason: SnapshotReason, dir: string, label: string | undefined): Promise<SnapshotOutcome> {
    if (this.inProgress) return Promise.resolve({ status: 'skipped', reason, why: 'in-progress' });
    this.inProgress = true;
    return this.run(reason, dir, label).finally(() => {
      this.inProgress = false;
    });
  }

  close(): void {
    this.controller.abort();
    this.controller = new AbortController();
  }

  private async run(
    reason: SnapshotReason,
    dir: string,
    label: string | undefined,
  ): Promise<SnapshotOutcome> {
    try {
      this.hooks.announce({ time: this.hooks.now(), reason, dir });
      // Let listeners of `snapshot-start` act (flush a log line, tell a load balancer) before the pause.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const captured = await this.capture({
        dir,
        signal: this.controller.signal,
        ...(label === undefined ? {} : { label }),
      });
      const event: SnapshotEvent = { ...captured, time: this.hooks.now(), reason };
      this.hooks.done(event);
      return { status: 'captured', ...event };
    } catch (error) {
      const coded = isMemwatcherError(error)
        ? error
        : new SnapshotCaptureError('ERR_SNAPSHOT_CAPTURE', dir, `heap snapshot failed: ${reasonOf(error)}`, {
            cause: error,
          });
      return { status: 'failed', reason, error: coded };
    }
  }
}
