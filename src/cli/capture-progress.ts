import type { SnapshotProgress } from '../inspector-client/heap-snapshot-file.ts';
import { formatBytes } from '../report/analysis-text.ts';
import { createRedrawnLine, type ProgressStream } from './progress.ts';

export interface CaptureProgress {
  update(progress: SnapshotProgress): void;
  /** Erases the line; call before printing anything else. Safe to call twice. */
  stop(): void;
}

/**
 * One redrawn stderr line while a heap snapshot is taken from another process: V8's own progress
 * while it walks the heap, then the bytes streamed to the file. Only on a TTY, at most 10 redraws/s
 * (the redrawing of `analyze`'s progress line).
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
  const line = createRedrawnLine(stream);
  const startedAt = now();
  return {
    update(progress) {
      const time = now();
      line.draw(time, () => {
        const elapsed = `${((time - startedAt) / 1000).toFixed(1)}s`;
        const step =
          progress.phase === 'snapshot'
            ? `walking the heap  ${progress.total > 0 ? Math.min(100, Math.floor((progress.done / progress.total) * 100)) : 0}%`
            : `writing  ${formatBytes(progress.done)}`;
        return `memwatcher: heap snapshot of ${options.label}  ${step}  ${elapsed}`;
      });
    },
    stop: line.stop,
  };
}
