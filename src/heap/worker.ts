import { parentPort, workerData } from 'node:worker_threads';
import { isMemwatcherError } from '../errors.ts';
import { analyzeSnapshots } from './analyze.ts';
import { retainerPath } from './describe.ts';
import { buildHeapGraph } from './graph.ts';
import { parseHeapSnapshot } from './parse.ts';
import type { AnalysisProgress, RetainerPathStep } from './types.ts';

/**
 * The engine in a worker thread, for callers that must not block their main thread (the in-process
 * agent, servers). Started with the request as `workerData`; posts `progress` messages, then exactly
 * one `result` or `error`, then exits.
 */

export type HeapWorkerRequest =
  | { kind: 'analyze'; files: string[]; top?: number }
  | { kind: 'retainerPath'; file: string; nodeId: number };

export type HeapWorkerMessage =
  | { type: 'progress'; progress: AnalysisProgress }
  | { type: 'result'; result: unknown }
  | { type: 'error'; code: string; message: string };

/** What V8 throws when a typed array cannot be allocated. */
const OUT_OF_MEMORY = /allocation failed|Invalid typed array length|Array buffer/i;

async function run(request: HeapWorkerRequest): Promise<unknown> {
  const onProgress = (progress: AnalysisProgress) => post({ type: 'progress', progress });
  switch (request.kind) {
    case 'analyze': {
      const options = request.top === undefined ? { onProgress } : { onProgress, top: request.top };
      return analyzeSnapshots(request.files, options);
    }
    case 'retainerPath':
      return findRetainerPath(request.file, request.nodeId, onProgress);
    default:
      throw new TypeError(
        `unknown heap worker request ${JSON.stringify((request as { kind?: unknown }).kind)}`,
      );
  }
}

function findRetainerPath(
  file: string,
  nodeId: number,
  onProgress: (progress: AnalysisProgress) => void,
): RetainerPathStep[] | null {
  const snapshot = parseHeapSnapshot(file, {
    onProgress: (done, total) => onProgress({ snapshot: 0, phase: 'parse', done, total }),
  });
  const graph = buildHeapGraph(snapshot, (phase, done, total) =>
    onProgress({ snapshot: 0, phase, done, total }),
  );
  const ids = snapshot.nodeId;
  for (let node = 0; node < snapshot.nodeCount; node++) {
    if (ids[node] !== nodeId) continue;
    const path = retainerPath(graph, node);
    return path.length === 0 ? null : path;
  }
  return null;
}

function post(message: HeapWorkerMessage): void {
  parentPort?.postMessage(message);
}

run(workerData as HeapWorkerRequest).then(
  (result) => post({ type: 'result', result }),
  (error: unknown) => {
    if (isMemwatcherError(error)) {
      post({ type: 'error', code: error.code, message: error.message });
    } else if (error instanceof RangeError && OUT_OF_MEMORY.test(error.message)) {
      post({
        type: 'error',
        code: 'ERR_ANALYSIS_OUT_OF_MEMORY',
        message: `the snapshot is too large for this machine's free memory (${error.message})`,
      });
    } else {
      const message = error instanceof Error ? error.message : String(error);
      post({ type: 'error', code: 'ERR_INTERNAL', message });
    }
  },
);
