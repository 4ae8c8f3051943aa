/**
 * A bounded, single-file delivery queue with retries and exponential backoff, shared by the webhook
 * and email sinks. `push` is synchronous and O(1): the host never waits for a slow receiver. When
 * the queue is full the oldest waiting item is dropped (the newest alert says the most about now).
 * Backoff timers are unref()ed, so a failing receiver never keeps the process alive.
 */

export interface DeliveryOptions {
  /** Name used in fault messages ("webhook", "email"). */
  readonly name: string;
  /** Extra attempts after the first for a retryable failure. */
  readonly retries: number;
  /** First backoff; doubles each attempt, with ±50 % jitter. */
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  /** Items waiting (not counting the one being sent). */
  readonly queueSize: number;
}

/** Thrown by a `send` function; `retryable: false` (e.g. HTTP 400) skips the remaining attempts. */
export class DeliveryFailure extends Error {
  readonly retryable: boolean;

  constructor(message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.retryable = retryable;
  }
}

/**
 * Delay before retry `attempt` (0-based): `backoffMs · 2^attempt`, capped at `maxBackoffMs`, times a
 * jitter factor in [0.5, 1.5) so that many processes failing together do not retry in step.
 */
export function backoffDelay(
  attempt: number,
  backoffMs: number,
  maxBackoffMs: number,
  random: number,
): number {
  return Math.min(maxBackoffMs, backoffMs * 2 ** attempt) * (0.5 + random);
}

export interface DeliveryCounts {
  readonly delivered: number;
  /** Items given up after all attempts. */
  readonly failed: number;
  /** Items dropped because the queue was full. */
  readonly dropped: number;
  /** Items waiting or in flight. */
  readonly pending: number;
}

export type DeliveryFault =
  | { readonly kind: 'failed'; readonly message: string; readonly cause: unknown }
  | { readonly kind: 'dropped'; readonly message: string };

export class DeliveryQueue<T> {
  private readonly send: (item: T, signal: AbortSignal) => Promise<void>;
  private readonly options: DeliveryOptions;
  private readonly onFault: (fault: DeliveryFault) => void;
  private readonly waiting: T[] = [];
  private active = false;
  private closed = false;
  private controller = new AbortController();
  private retryTimer: NodeJS.Timeout | undefined;
  private wakeRetry: (() => void) | undefined;
  private idleWaiters: (() => void)[] = [];
  private delivered = 0;
  private failed = 0;
  private dropped = 0;

  constructor(
    send: (item: T, signal: AbortSignal) => Promise<void>,
    options: DeliveryOptions,
    onFault: (fault: DeliveryFault) => void,
  ) {
    this.send = send;
    this.options = options;
    this.onFault = onFault;
  }

  push(item: T): void {
    if (this.closed) return;
    if (this.waiting.length >= this.options.queueSize) {
      this.waiting.shift();
      this.dropped++;
      this.onFault({
        kind: 'dropped',
        message: `${this.options.name}: queue full (${this.options.queueSize} waiting), the oldest alert was dropped; the receiver is down or slow.`,
      });
    }
    this.waiting.push(item);
    if (!this.active) void this.drain();
  }

  counts(): DeliveryCounts {
    return {
      delivered: this.delivered,
      failed: this.failed,
      dropped: this.dropped,
      pending: this.waiting.length + (this.active ? 1 : 0),
    };
  }

  /** Resolves when nothing waits and nothing is in flight (tests, graceful shutdown). */
  idle(): Promise<void> {
    if (!this.active && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops what waits, aborts what is in flight, cancels backoff timers. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.waiting.length = 0;
    this.controller.abort();
    clearTimeout(this.retryTimer);
    this.wakeRetry?.();
  }

  private async drain(): Promise<void> {
    this.active = true;
    try {
      for (let item = this.waiting.shift(); item !== undefined && !this.closed; item = this.waiting.shift()) {
        await this.deliver(item);
      }
    } finally {
      this.active = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private async deliver(item: T): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.send(item, this.controller.signal);
        this.delivered++;
        return;
      } catch (error) {
        if (this.closed) return;
        const retryable = !(error instanceof DeliveryFailure) || error.retryable;
        if (!retryable || attempt >= this.options.retries) {
          this.failed++;
          const reason = error instanceof Error ? error.message : String(error);
          this.onFault({
            kind: 'failed',
            message: `${this.options.name}: alert not delivered after ${attempt + 1} attempt(s): ${reason}`,
            cause: error,
          });
          return;
        }
        await this.sleep(this.backoff(attempt));
        if (this.closed) return;
      }
    }
  }

  private backoff(attempt: number): number {
    return backoffDelay(attempt, this.options.backoffMs, this.options.maxBackoffMs, Math.random());
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeRetry = resolve;
      this.retryTimer = setTimeout(resolve, ms);
      this.retryTimer.unref();
    });
  }
}
