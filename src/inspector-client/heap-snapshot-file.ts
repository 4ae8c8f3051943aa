import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AbortedError, isMemwatcherError, SnapshotCaptureError } from '../errors.ts';
import type { CdpConnection } from './cdp-connection.ts';

export interface SnapshotProgress {
  /** `snapshot`: V8 walks the heap (done/total in objects); `write`: the file is streamed (bytes). */
  readonly phase: 'snapshot' | 'write';
  readonly done: number;
  readonly total: number;
}

export interface HeapSnapshotFileOptions {
  readonly onProgress?: (progress: SnapshotProgress) => void;
  /** Aborting stops waiting and removes the partial file (V8 finishes the snapshot in the target). */
  readonly signal?: AbortSignal;
}

export interface HeapSnapshotFile {
  readonly file: string;
  readonly bytes: number;
  readonly durationMs: number;
}

/**
 * Takes a heap snapshot of the attached process (`HeapProfiler.takeHeapSnapshot`) and streams its
 * chunks (`HeapProfiler.addHeapSnapshotChunk`) to `file`: written under a temporary name created
 * 0600 (heaps hold secrets), renamed into place when complete, so a reader never sees half a
 * snapshot and a failure leaves nothing. Enables the HeapProfiler domain and leaves it enabled:
 * disabling it makes V8 forget object ids, and snapshots of one series are compared by id.
 * Throws `SnapshotCaptureError` (`ERR_SNAPSHOT_DIR`, `ERR_SNAPSHOT_NO_SPACE`, `ERR_SNAPSHOT_CAPTURE`),
 * `AttachError` when the connection fails, `AbortedError` when aborted.
 *
 * @example
 * const { bytes } = await takeHeapSnapshotToFile(attached.connection, 'app.heapsnapshot');
 */
export async function takeHeapSnapshotToFile(
  connection: CdpConnection,
  file: string,
  options: HeapSnapshotFileOptions = {},
): Promise<HeapSnapshotFile> {
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  const startedAt = performance.now();
  const temporary = join(dirname(file), `.${basename(file)}.${randomBytes(4).toString('hex')}.partial`);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(temporary, 'wx', 0o600);
  } catch (cause) {
    throw new SnapshotCaptureError(
      'ERR_SNAPSHOT_DIR',
      file,
      `Cannot create the snapshot file in ${dirname(file)}: ${(cause as Error).message}. Pass -o with a writable path.`,
      { cause },
    );
  }

  let bytes = 0;
  let writeError: unknown;
  // Chunks arrive faster than a slow disk takes them: chain the writes, in order.
  let writing: Promise<void> = Promise.resolve();
  const stopChunks = connection.on('HeapProfiler.addHeapSnapshotChunk', (params) => {
    const chunk = Buffer.from((params as { chunk: string }).chunk, 'utf8');
    writing = writing.then(async () => {
      if (writeError !== undefined) return;
      try {
        await handle.write(chunk);
        bytes += chunk.length;
        onProgress?.({ phase: 'write', done: bytes, total: 0 });
      } catch (error) {
        writeError = error;
      }
    });
  });
  const stopProgress = connection.on('HeapProfiler.reportHeapSnapshotProgress', (params) => {
    const { done, total } = params as { done: number; total: number };
    onProgress?.({ phase: 'snapshot', done, total });
  });
  let aborted: (() => void) | undefined;
  const abortedPromise = new Promise<never>((_, reject) => {
    aborted = () => reject(new AbortedError('Interrupted while taking the heap snapshot.'));
    signal?.addEventListener('abort', aborted, { once: true });
  });
  abortedPromise.catch(() => {});

  let complete = false;
  try {
    await Promise.race([connection.send('HeapProfiler.enable'), abortedPromise]);
    await Promise.race([
      // The answer comes after the last chunk; a big heap takes minutes, so no time limit.
      connection.send('HeapProfiler.takeHeapSnapshot', { reportProgress: true }, { timeoutMs: 0 }),
      abortedPromise,
    ]);
    await writing;
    if (writeError !== undefined) throw writeError;
    if (bytes === 0) {
      throw new SnapshotCaptureError(
        'ERR_SNAPSHOT_CAPTURE',
        file,
        `Process ${connection.pid} sent an empty heap snapshot.`,
      );
    }
    await handle.sync();
    await handle.close();
    await rename(temporary, file);
    complete = true;
    return { file, bytes, durationMs: performance.now() - startedAt };
  } catch (error) {
    if (isMemwatcherError(error)) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new SnapshotCaptureError(
      code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG'
        ? 'ERR_SNAPSHOT_NO_SPACE'
        : 'ERR_SNAPSHOT_CAPTURE',
      file,
      `Writing the heap snapshot ${file} failed: ${(error as Error).message}.`,
      { cause: error },
    );
  } finally {
    stopChunks();
    stopProgress();
    if (aborted !== undefined) signal?.removeEventListener('abort', aborted);
    if (!complete) {
      await handle.close().catch(() => {});
      await rm(temporary, { force: true });
    }
  }
}
