import type { AnalysisProgress } from '../heap/types.ts';
import { formatBytes } from '../report/analysis-text.ts';

/** The part of a stream progress needs; `process.stderr` fits. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): boolean;
}

export interface ProgressOptions {
  stream: ProgressStream;
  /** `--quiet`: never draw. */
  quiet: boolean;
  /** How many snapshots the run covers, for `snapshot 2/3`. */
  snapshotCount: number;
  /** Milliseconds; injectable so tests control time. */
  now?: () => number;
}

export interface ProgressLine {
  /** Pass as the engine's `onProgress`. */
  update(progress: AnalysisProgress): void;
  /** Erases the line; call before printing results. Safe to call twice. */
  stop(): void;
}

const minRedrawMs = 100;

/**
 * One redrawn line on stderr for long phases: phase, percentage, bytes/s while parsing, elapsed.
 * Draws only on a TTY and without `--quiet`, at most 10 times a second.
 *
 * @example
 * const progress = createProgress({ stream: process.stderr, quiet: false, snapshotCount: files.length });
 * try { result = await analyzeSnapshots(files, { onProgress: progress.update }); } finally { progress.stop(); }
 */
export function createProgress(options: ProgressOptions): ProgressLine {
  const { stream, snapshotCount } = options;
  const now = options.now ?? performance.now.bind(performance);
  if (options.quiet || stream.isTTY !== true) return { update() {}, stop() {} };

  const line = createRedrawnLine(stream);
  const startedAt = now();
  let phaseKey = '';
  let phaseStartedAt = startedAt;

  const update = (progress: AnalysisProgress) => {
    const time = now();
    const key = `${progress.snapshot}:${progress.phase}`;
    if (key !== phaseKey) {
      phaseKey = key;
      phaseStartedAt = time;
    }
    line.draw(time, () => describeProgress(progress, snapshotCount, time - phaseStartedAt, time - startedAt));
  };
  return { update, stop: line.stop };
}

/** The redrawing under a progress line (here, and a heap snapshot's in `capture-progress.ts`). */
export interface RedrawnLine {
  /** Redraws the line with `text()`, unless it was drawn less than 100 ms before `time`. */
  draw(time: number, text: () => string): void;
  /** Erases the line, if drawn. Safe to call twice. */
  stop(): void;
}

/** One line on a terminal, redrawn in place with `\r`; the caller checks it is a terminal. */
export function createRedrawnLine(stream: ProgressStream): RedrawnLine {
  let lastDrawAt = Number.NEGATIVE_INFINITY;
  let drawn = false;
  return {
    draw(time, text) {
      if (time - lastDrawAt < minRedrawMs) return;
      lastDrawAt = time;
      const shown = text();
      // Never let the line wrap: a wrapped line cannot be redrawn with \r.
      // A terminal of unknown size reports 0 columns.
      const width = Math.max(20, (stream.columns || 80) - 1);
      stream.write(`\r${shown.length > width ? shown.slice(0, width) : shown}\u001b[K`);
      drawn = true;
    },
    stop() {
      if (drawn) stream.write('\r\u001b[K');
      drawn = false;
    },
  };
}

/** `snapshot 2/3  parse  42%  118.2 MB/s  3.4s` */
export function describeProgress(
  progress: AnalysisProgress,
  snapshotCount: number,
  phaseElapsedMs: number,
  totalElapsedMs: number,
): string {
  const parts = [`memwatcher: snapshot ${progress.snapshot + 1}/${snapshotCount}`, progress.phase];
  if (progress.total > 0) {
    parts.push(`${Math.min(100, Math.floor((progress.done / progress.total) * 100))}%`);
  }
  if (progress.phase === 'parse' && phaseElapsedMs > 0) {
    parts.push(`${formatBytes(Math.round((progress.done / phaseElapsedMs) * 1000))}/s`);
  }
  parts.push(`${(totalElapsedMs / 1000).toFixed(1)}s`);
  return parts.join('  ');
}
