import type { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { collectGarbage } from '../agent/inspector-session.ts';
import { LeakAssertionError } from '../errors.ts';

/** The function under test: called with no arguments, sync or async. */
export type CallUnderTest = () => unknown;

/**
 * Calls the function under test in rounds and reads the heap floor after each: a full, precise GC
 * through the shared inspector session (no `--expose-gc`), then the live JS heap plus external memory
 * (Buffers and ArrayBuffers live outside the JS heap; a leak of them must count too).
 */
export class RoundRunner {
  readonly #fn: CallUnderTest;
  readonly #session: Session;
  #deadline: number;
  #timeoutMs: number;
  /** Whether `fn` returned a promise on its first call: then every call is awaited. */
  #async: boolean | undefined;
  #calls = 0;
  #callMs = 0;

  constructor(fn: CallUnderTest, session: Session, timeoutMs: number) {
    this.#fn = fn;
    this.#session = session;
    this.#timeoutMs = timeoutMs;
    this.#deadline = performance.now() + timeoutMs;
  }

  /** Calls made so far. */
  get calls(): number {
    return this.#calls;
  }

  /** Mean wall time of one call so far, in ms (0 before the first). */
  get msPerCall(): number {
    return this.#calls === 0 ? 0 : this.#callMs / this.#calls;
  }

  /** Milliseconds left before `timeout`. */
  get remainingMs(): number {
    return this.#deadline - performance.now();
  }

  /** Allows `ms` more from now (the heap snapshots of a detected leak get their own time). */
  extendDeadline(ms: number): void {
    this.#deadline = performance.now() + ms;
    this.#timeoutMs += ms;
  }

  /** `count` calls; an async function's calls run one after another, never concurrently. */
  async call(count: number): Promise<void> {
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      if (this.#async === false) {
        this.#fn();
        continue;
      }
      // The result is dropped at once: holding it (even the last one) would show up as retained.
      const pending = this.#fn();
      if (this.#async === undefined) this.#async = isPromiseLike(pending);
      if (this.#async) await this.#withinDeadline(pending as PromiseLike<unknown>);
      if (i % 64 === 63) this.#checkDeadline();
    }
    this.#calls += count;
    this.#callMs += performance.now() - started;
    this.#checkDeadline();
  }

  /** One full GC, then the heap floor in bytes. */
  async floor(): Promise<number> {
    await collectGarbage(this.#session);
    const { heapUsed, external } = process.memoryUsage();
    return heapUsed + external;
  }

  /** `count` calls, then the floor. */
  async round(count: number): Promise<number> {
    await this.call(count);
    return this.floor();
  }

  async #withinDeadline(pending: PromiseLike<unknown>): Promise<void> {
    const left = this.remainingMs;
    if (left <= 0) throw this.#timeoutError();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.#timeoutError()), left);
    });
    try {
      await Promise.race([pending, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  #checkDeadline(): void {
    if (this.remainingMs <= 0) throw this.#timeoutError();
  }

  #timeoutError(): LeakAssertionError {
    const perCall = this.msPerCall;
    const pace = this.#calls === 0 ? 'before its first call returned' : `after ${this.#calls} calls`;
    return new LeakAssertionError(
      'ERR_LEAK_ASSERTION_TIMEOUT',
      `assertNoLeak gave up after ${this.#timeoutMs} ms (timeout), ${pace}${
        perCall > 0 ? ` (${perCall.toFixed(2)} ms per call)` : ''
      }, without a verdict. Raise timeout, or lower iterations or rounds for a slow function; if the function never settles, that is the bug.`,
    );
  }
}

function isPromiseLike(value: unknown): boolean {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
