import { parentPort } from 'node:worker_threads';
import { isMemwatcherError, SnapshotFormatError } from '../errors.ts';
import { ByteReader } from './byte-reader.ts';
import { graphSide } from './graph.ts';
import { type Header, SnapshotParser } from './parse.ts';
import { fromShared, type SharedSnapshot } from './shared-snapshot.ts';

/**
 * The engine's second thread: takes pieces of one analysis (see parallel.ts) so both cores of a
 * machine work on a big snapshot. Columns live on SharedArrayBuffers; nothing is copied.
 */

export type EngineTask =
  | { id: number; task: 'parseEdges'; file: string; from: number; header: Header; chunkSize?: number }
  | { id: number; task: 'graphSide'; snapshot: SharedSnapshot };

/** A task as callers give it (the thread adds the id). */
export type EngineTaskInput = EngineTask extends infer T
  ? T extends unknown
    ? Omit<T, 'id'>
    : never
  : never;

export type EngineReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; code: string; message: string; offset?: number }
  | { id: -1; progress: number };

function parseEdges(task: Extract<EngineTask, { task: 'parseEdges' }>) {
  const reader = new ByteReader(task.file, task.chunkSize);
  let reported = 0;
  try {
    const parser = new SnapshotParser(reader, {
      shared: true,
      onProgress: (done) => {
        // Bytes of the edges section only, as a delta: the main thread adds its own.
        const start = Math.max(reported, task.from);
        if (done > start) {
          parentPort?.postMessage({ id: -1, progress: done - start } satisfies EngineReply);
          reported = done;
        }
      },
    });
    return parser.parseEdgesAfter(task.from, task.header);
  } finally {
    reader.close();
  }
}

parentPort?.on('message', (task: EngineTask) => {
  try {
    if (task.task === 'parseEdges') {
      parentPort?.postMessage({ id: task.id, ok: true, result: parseEdges(task) } satisfies EngineReply);
    } else {
      const result = graphSide(fromShared(task.snapshot));
      // Moved, not copied: these arrays are the worker's own.
      const transfer = [
        result.distances.distance.buffer,
        result.distances.parentEdge.buffer,
        result.classIndex.buffer,
      ];
      parentPort?.postMessage(
        { id: task.id, ok: true, result } satisfies EngineReply,
        transfer as ArrayBuffer[],
      );
    }
  } catch (error) {
    const reply: EngineReply = isMemwatcherError(error)
      ? { id: task.id, ok: false, code: error.code, message: error.message }
      : {
          id: task.id,
          ok: false,
          code: 'ERR_INTERNAL',
          message: error instanceof Error ? error.message : String(error),
        };
    if (error instanceof SnapshotFormatError && error.offset !== undefined) reply.offset = error.offset;
    parentPort?.postMessage(reply);
  }
});
