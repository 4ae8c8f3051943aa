import { formatBytes } from '../agent/human-format.ts';
import type { LeakVerdict, MemoryTrend } from '../agent/verdict.ts';
import type { WatchedProcess } from './collector.ts';

/** The part of a stream the status line needs; `process.stderr` fits. */
export interface StatusStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): boolean;
}

export interface StatusLine {
  /** Redraws the line with the process' latest figures (at most 4 times a second). */
  update(process: WatchedProcess): void;
  /**
   * Prints a line of its own (a leak called, an alert, a fault) above the status line. On a pipe
   * this is all that is printed.
   */
  say(text: string): void;
  /** Erases the line. Safe to call twice. */
  stop(): void;
}

const MIN_REDRAW_MS = 250;

/**
 * One redrawn line on a terminal: `pid 4242  RSS 61.2 MB  heap 18.0 MB  floor 12.1 MB  +1.5 MB/min  growing`.
 * Not a terminal, or `quiet`: no live line (nothing fancy in a pipe or a log), only `say` lines.
 *
 * @example
 * const status = createStatusLine({ stream: process.stderr, quiet: false });
 * collector.subscribe(() => status.update(collector.process()!));
 */
export function createStatusLine(options: {
  readonly stream: StatusStream;
  readonly quiet: boolean;
  readonly color?: boolean;
  readonly now?: () => number;
}): StatusLine {
  const { stream } = options;
  const now = options.now ?? Date.now;
  const live = !options.quiet && stream.isTTY === true;
  let drawn = '';
  let lastDrawAt = Number.NEGATIVE_INFINITY;
  const clear = () => {
    if (drawn !== '') stream.write('\r\u001b[K');
    drawn = '';
  };
  return {
    update(process) {
      if (!live) return;
      const time = now();
      if (time - lastDrawAt < MIN_REDRAW_MS) return;
      lastDrawAt = time;
      // Never let the line wrap: a wrapped line cannot be redrawn with \r. Unknown width: 80.
      const width = Math.max(20, (stream.columns || 80) - 1);
      const text = describeStatus(process);
      drawn = text.length > width ? text.slice(0, width) : text;
      stream.write(`\r${drawn}\u001b[K`);
    },
    say(text) {
      const line = drawn;
      clear();
      stream.write(`${text}\n`);
      if (line !== '') {
        drawn = line;
        stream.write(line);
      }
    },
    stop: clear,
  };
}

/**
 * The status line's text.
 *
 * @example
 * describeStatus(process); // 'memwatcher: pid 4242  RSS 61.2 MB  heap 18.0 MB  floor 12.1 MB  +1.5 MB/min  stable'
 */
export function describeStatus(process: WatchedProcess): string {
  const parts = [`memwatcher: pid ${process.pid}`];
  const tree = process.processes > 1 ? ` (${process.processes} processes)` : '';
  parts.push(`RSS ${formatBytes(process.rss)}${tree}`);
  if (process.heapUsed !== null) parts.push(`heap ${formatBytes(process.heapUsed)}`);
  if (process.heapFloor !== null) parts.push(`floor ${formatBytes(process.heapFloor)}`);
  const verdict = process.verdict;
  if (verdict !== undefined) {
    const growth = judgedTrend(verdict, process.method).growthBytesPerMinute;
    if (growth !== undefined) parts.push(`${growth >= 0 ? '+' : '-'}${formatBytes(Math.abs(growth))}/min`);
    parts.push(verdict.leaking ? 'LEAK' : verdict.status);
  } else {
    parts.push('warming-up');
  }
  return parts.join('  ');
}

/** The figure whose growth the line shows: the culprit, else the heap floor (agent) or RSS (outside). */
function judgedTrend(verdict: LeakVerdict, method: WatchedProcess['method']): MemoryTrend {
  switch (verdict.culprit) {
    case 'js-heap':
      return verdict.heap;
    case 'external':
      return verdict.external;
    case 'native':
      return verdict.native;
    default:
      return method === 'proc' ? verdict.rss : verdict.heap;
  }
}
