import type { SnapshotProgress } from '../inspector-client/heap-snapshot-file.ts';
import { formatBytes } from '../report/analysis-text.ts';
import type { ProgressStream } from './progress.ts';

const MIN_REDRAW_MS = 100;

export interface CaptureProgress {
  update(progress: SnapshotProgress): void;
  /** Erases the line; call before printing anything else. Safe to call twice. */
  stop(): void;
}

/**
 * One redrawn stderr line while a heap snapshot is taken from another process: V8's own progress
 * while it walks the heap, then the bytes streamed to the file. Only on a TTY, at most 10 redraws/s.
 *
 * @example
 * const progress = createCaptureProgress(context.stderr, { quiet, label: `process ${pid}` });
 * try { await takeHeapSnapshotToFile(connection, file, { onProgress: progress.update }); } finally { progress.stop(); }
 */
export function createCaptureProgress(
  stream: ProgressStream,
  options: { quiet: boolean; label: string; now?: () => number },
): CaptureProgress {
  if (options.quiet || stream.isTTY !== true) return { update() {}, stop() {} };
  const now = options.now ?? performance.now.bind(performance);
  const startedAt = now();
  let lastDrawAt = Number.NEGATIVE_INFINITY;
  let drawn = false;
  return {
    update(progress) {
      const time = now();
      if (time - lastDrawAt < MIN_REDRAW_MS) return;
      lastDrawAt = time;
      const elapsed = `${((time - startedAt) / 1000).toFixed(1)}s`;
      const step =
        progress.phase === 'snapshot'
          ? `walking the heap  ${progress.total > 0 ? Math.min(100, Math.floor((progress.done / progress.total) * 100)) : 0}%`
          : `writing  ${formatBytes(progress.done)}`;
      const text = `memwatcher: heap snapshot of ${options.label}  ${step}  ${elapsed}`;
      const width = Math.max(20, (stream.columns || 80) - 1);
      stream.write(`\r${text.length > width ? text.slice(0, width) : text}\u001b[K`);
      drawn = true;
    },
    stop() {
      if (drawn) stream.write('\r\u001b[K');
      drawn = false;
    },
  };
}
