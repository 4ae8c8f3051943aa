import { Worker } from 'node:worker_threads';
import { MemwatcherError, type SnapshotFormatCode, SnapshotFormatError } from '../errors.ts';
import { ByteReader } from './byte-reader.ts';
import type { EngineReply, EngineTask, EngineTaskInput } from './engine-worker.ts';
import { type EdgeColumns, type ParseOptions, parseHeapSnapshot, SnapshotParser } from './parse.ts';
import type { HeapSnapshot } from './snapshot.ts';

/**
 * Parsing on two threads. V8 writes `nodes`, `edges`, …, `locations`, `strings`; `edges` is about
 * 60 % of the bytes. The main thread parses the header and `nodes`, then jumps to `locations` and
 * `strings` (found by searching back from the end of the file), while a worker finds `edges` and parses
 * it into shared memory. Files laid out any other way, and small files, are parsed on one thread.
 */

/** Below this size a second thread costs more to start than it saves. */
export const PARALLEL_MIN_BYTES = 64 << 20;

const workerUrl = new URL(
  `./engine-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`,
  import.meta.url,
);

/** A worker thread running engine tasks; one per analysis, closed at the end. */
export class EngineThread {
  private readonly worker: Worker;
  private nextId = 0;
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void; file: string }
  >();
  private onProgress: ((bytes: number) => void) | undefined;
  private failure: Error | undefined;

  constructor() {
    this.worker = new Worker(workerUrl);
    // Never keep a host process alive for our sake; a pending task keeps its own promise alive.
    this.worker.unref();
    this.worker.on('message', (reply: EngineReply) => {
      if ('progress' in reply) {
        this.onProgress?.(reply.progress);
        return;
      }
      const waiter = this.pending.get(reply.id);
      if (waiter === undefined) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.result);
      else waiter.reject(replyError(reply, waiter.file));
    });
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', (code) => {
      if (this.pending.size > 0)
        this.failAll(
          new MemwatcherError('ERR_ENGINE_WORKER', `the engine's worker thread exited (code ${code})`),
        );
    });
  }

  run<T>(task: EngineTaskInput, onProgress?: (bytes: number) => void): Promise<T> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    this.onProgress = onProgress;
    return new Promise<T>((resolve, reject) => {
      const file = 'file' in task ? task.file : task.snapshot.file;
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, file });
      this.worker.postMessage({ ...task, id } as EngineTask);
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private failAll(error: Error): void {
    this.failure = error;
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}

function replyError(reply: Extract<EngineReply, { ok: false }>, file: string): Error {
  if (reply.code.startsWith('ERR_SNAPSHOT_')) {
    // The worker's message already names the file (and offset); keep it as is.
    const error = new SnapshotFormatError(reply.code as SnapshotFormatCode, file, '', reply.offset);
    error.message = reply.message;
    return error;
  }
  return new MemwatcherError(reply.code, reply.message);
}

/**
 * Parses a snapshot, on two threads when it is big and laid out as V8 writes it.
 * `thread` is reused across the snapshots of one analysis.
 */
export async function parseSnapshotFile(
  file: string,
  options: ParseOptions & { thread?: EngineThread | undefined; parallelMinBytes?: number },
): Promise<HeapSnapshot> {
  const { thread, parallelMinBytes = PARALLEL_MIN_BYTES, ...parseOptions } = options;
  if (thread === undefined) return parseHeapSnapshot(file, parseOptions);
  const reader = new ByteReader(file, parseOptions.chunkSize);
  try {
    if (reader.fileSize < parallelMinBytes) return parseHeapSnapshot(file, parseOptions);
    let mainBytes = 0;
    let workerBytes = 0;
    const report = () =>
      parseOptions.onProgress?.(Math.min(mainBytes + workerBytes, reader.fileSize), reader.fileSize);
    const parser = new SnapshotParser(reader, {
      ...parseOptions,
      shared: true,
      onProgress: (done) => {
        mainBytes = done;
        report();
      },
    });
    const header = parser.parseHead();
    if (header === undefined) return parseHeapSnapshot(file, parseOptions);
    const headerEnd = reader.offset;
    const tail = parser.findTail(headerEnd);
    if (tail === undefined) return parseHeapSnapshot(file, parseOptions);
    const task: EngineTaskInput = { task: 'parseEdges', file, from: headerEnd, header };
    if (parseOptions.chunkSize !== undefined) task.chunkSize = parseOptions.chunkSize;
    const edgesParsed = thread.run<{ edges: EdgeColumns; end: number }>(task, (bytes) => {
      workerBytes += bytes;
      report();
    });
    // Keep a rejection from going unhandled while the main thread is busy below.
    edgesParsed.catch(() => {});
    if (!parser.parseNodesNext()) {
      await edgesParsed.catch(() => {});
      return parseHeapSnapshot(file, parseOptions);
    }
    const nodesEnd = reader.offset;
    parser.parseTail(tail.locationsAt, tail.stringsAt);
    const { edges, end } = await edgesParsed;
    const tailStart = tail.locationsAt >= 0 ? tail.locationsAt : tail.stringsAt;
    if (end <= nodesEnd || end > tailStart) {
      // Sections in an unexpected order: trust only the sequential parser.
      return parseHeapSnapshot(file, parseOptions);
    }
    return parser.assemble(edges);
  } finally {
    reader.close();
  }
}
