import { formatBytes } from '../agent/human-format.ts';
import { culpritTrend, type LeakVerdict, type MemoryTrend } from '../agent/verdict.ts';
import type { WatchedProcess } from './collector.ts';

/** The part of a stream the status line needs; `process.stderr` fits. */
export interface StatusStream {
  isTTY?: boolean;
  columns?: number;
  rows?: number;
  write(text: string): boolean;
  on?(event: 'resize', listener: () => void): unknown;
  off?(event: 'resize', listener: () => void): unknown;
}

export interface StatusLine {
  /** Redraws the line with the process' latest figures (at most 4 times a second). */
  update(process: WatchedProcess): void;
  /**
   * Prints a line of its own (a leak called, an alert, a fault), where the program's output goes.
   * On a pipe this is all that is printed.
   */
  say(text: string): void;
  /** Gives the bottom row back to the terminal. Safe to call twice. */
  stop(): void;
}

const MIN_REDRAW_MS = 250;
const ESC = '\u001b';

/**
 * On a terminal, the bottom row shows `memwatcher: pid 4242  RSS 61.2 MB  heap 18.0 MB  floor 12.1 MB
 * +1.5 MB/min  growing`, redrawn in place. The watched program writes to the same terminal, so the
 * row is taken out of the scrolling region (as apt's progress line is): the program's output and
 * memwatcher's own lines scroll above it and neither overwrites the other. The region is given back on
 * `stop`, on resize (and taken again), and when the process exits, however it exits.
 * Not a terminal, or `quiet`: no live line (nothing fancy in a pipe or a log), only `say` lines.
 *
 * @example
 * const status = createStatusLine({ stream: process.stderr, quiet: false });
 * collector.subscribe(() => status.update(collector.process()!));
 */
export function createStatusLine(options: {
  readonly stream: StatusStream;
  readonly quiet: boolean;
  readonly now?: () => number;
  /** Where to register the last-chance cleanup; `process` by default. */
  readonly exitHooks?: {
    on(event: 'exit', listener: () => void): unknown;
    off(event: 'exit', listener: () => void): unknown;
  };
}): StatusLine {
  const { stream } = options;
  const now = options.now ?? Date.now;
  const exitHooks = options.exitHooks ?? process;
  const live = !options.quiet && stream.isTTY === true && (stream.rows ?? 0) >= 3;
  let reservedRows = 0;
  let text = '';
  let lastDrawAt = Number.NEGATIVE_INFINITY;

  const release = () => {
    if (reservedRows === 0) return;
    // Save the cursor, reset the scrolling region, clear the status row, restore the cursor.
    stream.write(`${ESC}7${ESC}[r${ESC}[${reservedRows};1H${ESC}[2K${ESC}8`);
    reservedRows = 0;
  };
  const reserve = () => {
    const rows = stream.rows ?? 0;
    if (rows < 3) return;
    // A newline first: if the cursor is on the bottom row, what is there scrolls up out of the way.
    stream.write(`\n${ESC}[1A${ESC}7${ESC}[1;${rows - 1}r${ESC}8`);
    reservedRows = rows;
  };
  const draw = () => {
    // Never let the line wrap onto a row it does not own. Unknown width: 80.
    const width = Math.max(20, (stream.columns || 80) - 1);
    const shown = text.length > width ? text.slice(0, width) : text;
    stream.write(`${ESC}7${ESC}[${reservedRows};1H${ESC}[2K${shown}${ESC}8`);
  };
  const onResize = () => {
    release();
    reserve();
    if (reservedRows !== 0 && text !== '') draw();
  };
  const stop = () => {
    if (reservedRows === 0 && text === '') return;
    release();
    text = '';
    stream.off?.('resize', onResize);
    exitHooks.off('exit', release);
  };

  return {
    update(process) {
      if (!live) return;
      const time = now();
      if (time - lastDrawAt < MIN_REDRAW_MS) return;
      lastDrawAt = time;
      if (reservedRows === 0 && text === '') {
        reserve();
        stream.on?.('resize', onResize);
        // A second Ctrl-C exits at once: the terminal must not keep a shortened scrolling region.
        exitHooks.on('exit', release);
      }
      text = describeStatus(process);
      if (reservedRows !== 0) draw();
    },
    say(line) {
      stream.write(`${line}\n`);
    },
    stop,
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
  return culpritTrend(verdict) ?? (method === 'proc' ? verdict.rss : verdict.heap);
}
