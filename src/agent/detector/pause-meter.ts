import { performance } from 'node:perf_hooks';

/**
 * Measures the longest stall of the host's event loop while an operation runs: a 1 ms timer notes
 * how late each tick comes. Inspector work (a forced GC, a heap snapshot) runs as a V8 task between
 * our awaits, so timing our own code would miss it; the gap between ticks does not. The result is an
 * upper bound (±1 ms of timer granularity) and includes any blocking work the host does meanwhile.
 */
export class PauseMeter {
  #last = performance.now();
  #longest = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor() {
    this.#schedule();
  }

  /** Stops measuring; the longest stall seen, in ms. */
  stop(): number {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#note();
    return this.#longest;
  }

  #note(): void {
    const now = performance.now();
    this.#longest = Math.max(this.#longest, now - this.#last);
    this.#last = now;
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.#note();
      if (this.#timer !== undefined) this.#schedule();
    }, 1);
    this.#timer.unref();
  }
}
