import { randomBytes } from 'node:crypto';
import { writeSync } from 'node:fs';
import { type FileHandle, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  AbortedError,
  InvalidOptionError,
  isMemwatcherError,
  type SnapshotCaptureCode,
  SnapshotCaptureError,
} from '../errors.ts';
import { acquireInspectorSession, inspectorCall } from './inspector-session.ts';

export interface CaptureOptions {
  /** Existing, writable directory the snapshot goes to. */
  dir: string;
  /** Short tag added to the file name (`[A-Za-z0-9._-]`, other characters become `_`, cut at 64). */
  label?: string;
  /** Checked before and after the snapshot: V8 cannot be interrupted while it writes one. */
  signal?: AbortSignal | undefined;
}

export interface CapturedSnapshot {
  /** Absolute or dir-relative path of the finished `.heapsnapshot` file (mode 0600). */
  file: string;
  bytes: number;
  /** Wall time from the call to the renamed file. The host is paused for most of it. */
  durationMs: number;
}

let captureCount = 0;
// Snapshot chunks arrive as events on the shared session: two snapshots at once would interleave.
let snapshotQueue: Promise<unknown> = Promise.resolve();

/**
 * Writes a heap snapshot of this thread to `dir` as `heap-<pid>-<time>-<n>[-label].heapsnapshot`.
 *
 * The file is created with mode 0600 (snapshots hold every string in the heap: tokens, passwords) and
 * written under a temporary name in the same directory, renamed only when complete, so a reader never
 * sees half a snapshot under the final name; on failure the temporary file is removed. The host's
 * JavaScript is paused while V8 builds and serializes the snapshot (roughly 1–2 s per 100 MB of heap).
 * Captures run one at a time. Object ids match between two snapshots only if the agent's inspector
 * session stayed connected in between: hold `acquireInspectorSession()` across them.
 *
 * Rejects with `SnapshotCaptureError` (`ERR_SNAPSHOT_DIR`, `ERR_SNAPSHOT_NO_SPACE`, `ERR_SNAPSHOT_CAPTURE`),
 * `InspectorError` or `AbortedError`.
 *
 * @example
 * import { captureHeapSnapshot } from 'memwatcher';
 * const { file, bytes } = await captureHeapSnapshot({ dir: '/var/tmp', label: 'before-deploy' });
 * console.log(`${file}: ${bytes} bytes`);
 */
export async function captureHeapSnapshot(options: CaptureOptions): Promise<CapturedSnapshot> {
  const { dir, signal } = options;
  if (typeof dir !== 'string' || dir === '') {
    throw new InvalidOptionError('dir', 'give the directory the heap snapshot should be written to.');
  }
  if (options.label !== undefined && typeof options.label !== 'string') {
    throw new InvalidOptionError('label', `must be a string, got ${typeof options.label}.`);
  }
  const started = performance.now();
  throwIfAborted(signal);

  const name = snapshotFileName(options.label);
  const file = join(dir, name);
  // Same directory as the final file, so the rename stays on one file system (atomic).
  const partial = join(dir, `.${name}.${randomBytes(4).toString('hex')}.partial`);
  let handle: FileHandle | undefined;
  try {
    try {
      // 'wx': never reuse a file someone else prepared; the mode applies at creation, no chmod window.
      handle = await open(partial, 'wx', 0o600);
    } catch (cause) {
      throw writeFailure(cause, file, dir);
    }
    throwIfAborted(signal);
    const fd = handle.fd;
    const bytes = await oneAtATime(() => streamSnapshot(fd, file, dir));
    throwIfAborted(signal);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(partial, file);
    return { file, bytes, durationMs: performance.now() - started };
  } catch (error) {
    await handle?.close().catch(() => {});
    await unlink(partial).catch(() => {});
    if (isMemwatcherError(error)) throw error;
    throw writeFailure(error, file, dir);
  }
}

/**
 * The chunks arrive while V8 holds the main thread for the whole snapshot, so they are written with
 * synchronous writes as they come: async writes could only start after the snapshot, by which time
 * every chunk would be queued in memory (as big as the file).
 */
async function streamSnapshot(fd: number, file: string, dir: string): Promise<number> {
  const lease = await acquireInspectorSession();
  const { session } = lease;
  let bytes = 0;
  let writeError: unknown;
  const onChunk = (message: { params: { chunk: string } }): void => {
    if (writeError !== undefined) return;
    try {
      const data = Buffer.from(message.params.chunk, 'utf8');
      let offset = 0;
      while (offset < data.length) offset += writeSync(fd, data, offset, data.length - offset);
      bytes += data.length;
    } catch (error) {
      writeError = error;
    }
  };
  session.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  try {
    await inspectorCall('HeapProfiler.takeHeapSnapshot', () =>
      session.post('HeapProfiler.takeHeapSnapshot', { reportProgress: false }),
    );
  } finally {
    session.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
    lease.release();
  }
  if (writeError !== undefined) throw writeFailure(writeError, file, dir);
  return bytes;
}

function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
  const run = snapshotQueue.then(work, work);
  snapshotQueue = run.catch(() => {});
  return run;
}

function snapshotFileName(label: string | undefined): string {
  const time = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').replace('.', '-').slice(0, -1);
  const tag = label === undefined || label === '' ? '' : `-${label.replace(/[^\w.-]/g, '_').slice(0, 64)}`;
  captureCount += 1;
  return `heap-${process.pid}-${time}-${captureCount}${tag}.heapsnapshot`;
}

function writeFailure(cause: unknown, file: string, dir: string): SnapshotCaptureError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  const reason = cause instanceof Error ? cause.message : String(cause);
  let kind: SnapshotCaptureCode = 'ERR_SNAPSHOT_CAPTURE';
  let advice = 'the heap snapshot was not written.';
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG') {
    kind = 'ERR_SNAPSHOT_NO_SPACE';
    advice = `no space left for the heap snapshot in ${dir} (a snapshot needs about the size of the JS heap, or more); free space or choose another directory.`;
  } else if (['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM', 'EROFS', 'EISDIR'].includes(code ?? '')) {
    kind = 'ERR_SNAPSHOT_DIR';
    advice = `cannot write a heap snapshot in ${dir}: give an existing directory this process may write to.`;
  }
  return new SnapshotCaptureError(kind, file, `${advice} (${reason})`, { cause });
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError('The heap snapshot was aborted; no file was written.');
}
