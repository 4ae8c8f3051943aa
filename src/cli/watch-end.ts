import type { ExitEvent } from '../collector/events.ts';

type EndReason = ExitEvent['reason'];

/**
 * Signals that end watching as Ctrl-C does (SIGINT comes through the context's abort signal): a
 * service manager stopping memwatcher, or its terminal closed.
 */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];

export interface WatchEnd {
  /** The first reason given: `stopped` (Ctrl-C, SIGTERM, SIGHUP), `duration`, or what `end` said. */
  readonly reason: Promise<EndReason>;
  /** Ends watching (the source saw the process go: `exited`); later calls change nothing. */
  end(reason: EndReason): void;
  /** Stops listening for the signals and clears the `--duration` timer. */
  dispose(): void;
}

/**
 * When `watch` and `attach` stop watching: Ctrl-C, SIGTERM, SIGHUP, `--duration`, or the source
 * saying the process is gone.
 *
 * @example
 * const watching = watchEnd(context.signal, options.duration);
 * const sampler = new ProcSampler({ …, onGone: () => watching.end('exited') });
 * const reason = await watching.reason;
 * watching.dispose();
 */
export function watchEnd(signal: AbortSignal, durationMs: number | undefined): WatchEnd {
  let end: (reason: EndReason) => void = () => {};
  const reason = new Promise<EndReason>((resolve) => {
    end = resolve;
  });
  const stop = () => end('stopped');
  signal.addEventListener('abort', stop, { once: true });
  for (const name of STOP_SIGNALS) process.on(name, stop);
  const timer = durationMs === undefined ? undefined : setTimeout(() => end('duration'), durationMs);
  return {
    reason,
    end: (why) => end(why),
    dispose() {
      clearTimeout(timer);
      signal.removeEventListener('abort', stop);
      for (const name of STOP_SIGNALS) process.off(name, stop);
    },
  };
}
