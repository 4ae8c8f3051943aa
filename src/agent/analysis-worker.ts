import { stat } from 'node:fs/promises';
import { totalmem } from 'node:os';
import { Worker } from 'node:worker_threads';
import { AbortedError, HeapAnalysisError, InvalidOptionError } from '../errors.ts';
import type {
  AnalysisProgress,
  HeapWorkerMessage,
  HeapWorkerRequest,
  HeapWorkerResults,
} from './analysis-types.ts';

export interface HeapAnalysisOptions {
  /** Aborting terminates the worker at once and rejects with `AbortedError`. */
  signal?: AbortSignal | undefined;
  /** Called for every progress message; errors it throws are ignored. */
  onProgress?: (progress: AnalysisProgress) => void;
  /**
   * Keep the host alive until the answer comes. Default false: the worker is `unref()`ed, so a host
   * that has nothing else to do exits without waiting (right for background work). Set it when the
   * caller awaits the answer, e.g. a script's top-level `await`, or the process would exit under it.
   */
  keepAlive?: boolean;
  /**
   * Cap on the worker's JS heap, in MB. Default: 512 MB plus twice the snapshot files' size, at most
   * half the machine's memory. The engine keeps the graph in typed arrays (outside this cap); the cap
   * turns a runaway analysis into `ERR_ANALYSIS_OUT_OF_MEMORY` instead of starving the host.
   */
  maxHeapMb?: number;
}

type RequestOf<K extends HeapWorkerRequest['kind']> = Extract<HeapWorkerRequest, { kind: K }>;

// Sources run through type stripping (`.ts`); the published package is compiled (`.js`).
const workerExtension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/**
 * Runs the heap engine (`src/heap/worker`) in a worker thread, so that parsing and analysing a
 * snapshot never blocks the host's event loop. The worker is `unref()`ed unless `keepAlive` is set
 * (by default it never keeps the host alive), does not inherit the host's preload modules (`--import`,
 * `--require`), and is terminated when the answer arrives, on abort, and on failure.
 *
 * Rejects with `HeapAnalysisError` (the engine's code, e.g. `ERR_SNAPSHOT_TRUNCATED`, or
 * `ERR_ANALYSIS_OUT_OF_MEMORY` / `ERR_ANALYSIS_CRASHED` / `ERR_ANALYSIS_UNAVAILABLE`),
 * `AbortedError` or `InvalidOptionError`.
 *
 * @example
 * const path = await runHeapAnalysis({ kind: 'retainerPath', file, nodeId: 123457 });
 * console.log(path?.map((step) => step.edge || step.node).join(' → '));
 */
export function runHeapAnalysis<K extends HeapWorkerRequest['kind']>(
  request: RequestOf<K>,
  options: HeapAnalysisOptions = {},
): Promise<HeapWorkerResults[K]> {
  return runHeapWorker(new URL(`../heap/worker${workerExtension}`, import.meta.url), request, options);
}

/** `runHeapAnalysis` with the worker file given: tests use it with a stand-in worker. */
export async function runHeapWorker<K extends HeapWorkerRequest['kind']>(
  workerUrl: URL,
  request: RequestOf<K>,
  options: HeapAnalysisOptions = {},
): Promise<HeapWorkerResults[K]> {
  validateRequest(request);
  const { signal, onProgress } = options;
  if (signal?.aborted) throw new AbortedError('The heap analysis was aborted before it started.');
  const maxHeapMb = options.maxHeapMb ?? (await defaultHeapLimitMb(request));
  if (signal?.aborted) throw new AbortedError('The heap analysis was aborted before it started.');

  return new Promise<HeapWorkerResults[K]>((resolve, reject) => {
    let worker: Worker;
    try {
      worker = new Worker(workerUrl, {
        workerData: request,
        name: 'memwatcher heap analysis',
        execArgv: workerExecArgv(process.execArgv),
        env: envWithoutPreloads(process.env),
        resourceLimits: { maxOldGenerationSizeMb: maxHeapMb },
        // stdout/stderr stay the host's: piping them (`stdout: true`) would keep the host alive even
        // with the worker unref()ed. The engine prints nothing; its failures arrive as messages.
      });
    } catch (cause) {
      reject(
        new HeapAnalysisError('ERR_ANALYSIS_UNAVAILABLE', `Could not start the heap analysis worker.`, {
          cause,
        }),
      );
      return;
    }

    let settled = false;
    const settle = (error: Error | undefined, result?: unknown): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate().catch(() => {});
      if (error === undefined) resolve(result as HeapWorkerResults[K]);
      else reject(error);
    };
    const onAbort = (): void => settle(new AbortedError('The heap analysis was aborted.'));
    signal?.addEventListener('abort', onAbort, { once: true });

    worker.on('message', (message: HeapWorkerMessage) => {
      if (message?.type === 'progress') {
        try {
          onProgress?.(message.progress);
        } catch {
          // A failing progress callback must not stop the analysis.
        }
      } else if (message?.type === 'result') {
        const problem = resultProblem(request.kind, message.result);
        if (problem === undefined) settle(undefined, message.result);
        else settle(new HeapAnalysisError('ERR_ANALYSIS_CRASHED', `The heap analysis worker ${problem}.`));
      } else if (message?.type === 'error') {
        settle(new HeapAnalysisError(String(message.code), String(message.message)));
      }
    });
    worker.on('error', (error: Error & { code?: string }) => settle(crashError(error, maxHeapMb)));
    worker.on('exit', (exitCode) => {
      settle(
        new HeapAnalysisError(
          'ERR_ANALYSIS_CRASHED',
          `The heap analysis worker exited (code ${exitCode}) without an answer.`,
        ),
      );
    });
    // After the listeners: adding a 'message' listener refs the worker's port again.
    if (options.keepAlive !== true) worker.unref();
  });
}

function validateRequest(request: HeapWorkerRequest): void {
  if (request?.kind === 'analyze') {
    const files: unknown = request.files;
    if (
      !Array.isArray(files) ||
      files.length === 0 ||
      files.some((file) => typeof file !== 'string' || file === '')
    ) {
      throw new InvalidOptionError('files', 'give one or more heap snapshot file paths.');
    }
  } else if (request?.kind === 'retainerPath') {
    if (typeof request.file !== 'string' || request.file === '') {
      throw new InvalidOptionError('file', 'give the heap snapshot file to search.');
    }
    if (!Number.isSafeInteger(request.nodeId) || request.nodeId <= 0) {
      throw new InvalidOptionError('nodeId', `must be a positive snapshot object id, got ${request.nodeId}.`);
    }
  } else {
    throw new InvalidOptionError(
      'kind',
      `must be 'analyze' or 'retainerPath', got ${String((request as { kind?: unknown } | undefined)?.kind)}.`,
    );
  }
}

function resultProblem(kind: HeapWorkerRequest['kind'], result: unknown): string | undefined {
  if (kind === 'retainerPath') {
    return result === null || Array.isArray(result)
      ? undefined
      : 'answered a retainer path request with no path';
  }
  const summary = (result as { summary?: unknown } | null)?.summary;
  return Array.isArray(summary) ? undefined : 'answered an analysis request with no summary';
}

function crashError(error: Error & { code?: string }, maxHeapMb: number): HeapAnalysisError {
  if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new HeapAnalysisError(
      'ERR_ANALYSIS_OUT_OF_MEMORY',
      `The heap analysis ran out of memory (worker heap limit ${maxHeapMb} MB). Analyse the snapshot with \`memwatcher analyze\` on a machine with more memory, or raise maxHeapMb.`,
      { cause: error },
    );
  }
  if (
    error.code === 'ERR_MODULE_NOT_FOUND' ||
    error.code === 'MODULE_NOT_FOUND' ||
    error.code === 'ERR_WORKER_PATH' ||
    error.code === 'ERR_WORKER_INIT_FAILED'
  ) {
    return new HeapAnalysisError(
      'ERR_ANALYSIS_UNAVAILABLE',
      `The heap analysis worker could not be loaded (${error.message}); is the memwatcher package complete?`,
      { cause: error },
    );
  }
  return new HeapAnalysisError('ERR_ANALYSIS_CRASHED', `The heap analysis worker crashed: ${error.message}`, {
    cause: error,
  });
}

async function defaultHeapLimitMb(request: HeapWorkerRequest): Promise<number> {
  const files = request.kind === 'analyze' ? request.files : [request.file];
  let bytes = 0;
  for (const file of files)
    bytes += await stat(file).then(
      (stats) => stats.size,
      () => 0,
    );
  const mb = 1024 * 1024;
  const ceiling = Math.max(512, Math.floor(totalmem() / mb / 2));
  return Math.min(ceiling, 512 + Math.ceil((2 * bytes) / mb));
}

const preloadFlags = ['--import', '--require', '-r', '--loader', '--experimental-loader'];

/** Host flags the engine worker may need; the rest stay out (process-wide ones make `new Worker` throw). */
const workerFlags = ['--experimental-strip-types', '--experimental-transform-types', '--no-warnings'];
const workerFlagsWithValue = ['--conditions', '-C', '--disable-warning'];

/**
 * The worker gets only the host flags it may need from an allowlist: not the host's preloads (an APM
 * agent, `memwatcher/register` itself have no business in our worker), and not process-wide flags,
 * which `new Worker` rejects (`ERR_WORKER_INVALID_EXEC_ARGV`).
 */
export function workerExecArgv(args: readonly string[]): string[] {
  const kept: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    if (workerFlags.includes(arg)) {
      kept.push(arg);
    } else if (workerFlagsWithValue.includes(arg) && index + 1 < args.length) {
      kept.push(arg, args[index + 1]!);
      index += 1;
    } else if (workerFlagsWithValue.some((flag) => arg.startsWith(`${flag}=`))) {
      kept.push(arg);
    }
  }
  return kept;
}

/** Workers read NODE_OPTIONS from their env: drop its preloads, keep everything else. */
export function envWithoutPreloads(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const options = env.NODE_OPTIONS;
  if (options === undefined || options.trim() === '') return env;
  // Tokens as Node splits them: runs of non-space characters and double-quoted strings.
  const tokens = options.match(/(?:[^\s"]+|"(?:\\.|[^"\\])*")+/g) ?? [];
  const unquoted = tokens.map((token) => token.replace(/^"|"$/g, ''));
  const keptIndexes = new Set<number>();
  for (let index = 0; index < tokens.length; index += 1) {
    const flag = unquoted[index]!;
    if (preloadFlags.includes(flag)) index += 1;
    else if (!preloadFlags.some((name) => flag.startsWith(`${name}=`))) keptIndexes.add(index);
  }
  const kept = tokens.filter((_, index) => keptIndexes.has(index));
  if (kept.length === tokens.length) return env;
  return { ...env, NODE_OPTIONS: kept.join(' ') };
}
