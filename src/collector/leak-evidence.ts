import { mkdir } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { CollectorFaultError, isMemwatcherError } from '../errors.ts';
import type { AnalysisResult } from '../heap/types.ts';
import type { AnalysisEvent } from './events.ts';

export interface SnapshotSeriesRequest {
  /** Existing directory the snapshots go to. */
  readonly dir: string;
  readonly count: number;
  /** Between the end of one snapshot and the start of the next. */
  readonly intervalMs: number;
  /** Added to the file names. */
  readonly label: string;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Takes a series of heap snapshots of one process whose object ids match (one inspector session held
 * across the series) and resolves with their files, in order. `run` asks the agent over IPC
 * (`AgentChannel.snapshotSeries`); `attach` takes them through its inspector connection.
 */
export type SnapshotSeriesCapture = (request: SnapshotSeriesRequest) => Promise<readonly string[]>;

export interface LeakEvidenceOptions {
  readonly pid: number;
  readonly capture: SnapshotSeriesCapture;
  readonly dir: string;
  /** Default 3: with two, a one-time fill between them looks like a leak. */
  readonly count?: number;
  readonly intervalMs: number;
  /** Classes, suspects and largest objects kept in the analysis. Default 10. */
  readonly top?: number;
  readonly signal?: AbortSignal | undefined;
  /** Receives the `analysis` event. */
  readonly publish: (event: AnalysisEvent) => void;
  /** Called when the snapshots are written and the analysis starts. */
  readonly onAnalyzing?: (files: readonly string[]) => void;
  readonly now?: () => number;
}

/**
 * `--on-leak snapshot`: a series of heap snapshots of the leaking process, analyzed in a worker thread
 * (the heap engine never runs on the collector's thread), published as an `analysis` event. Rejects
 * with `CollectorFaultError` (`ERR_LEAK_EVIDENCE`) or `AbortedError`.
 *
 * @example
 * const result = await captureLeakEvidence({ pid, capture: channel.snapshotSeries, dir, intervalMs: 10_000,
 *   publish: (event) => collector.publish(event) });
 * process.stderr.write(renderLeakSuspects(result, { color: false, top: 5 }));
 */
export async function captureLeakEvidence(options: LeakEvidenceOptions): Promise<AnalysisResult> {
  const now = options.now ?? Date.now;
  const count = options.count ?? 3;
  try {
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
  } catch (cause) {
    throw new CollectorFaultError(
      'ERR_LEAK_EVIDENCE',
      `cannot create the snapshot directory ${options.dir}: ${(cause as Error).message}`,
      { cause },
    );
  }
  const files = await options.capture({
    dir: options.dir,
    count,
    intervalMs: options.intervalMs,
    label: 'leak',
    signal: options.signal,
  });
  options.onAnalyzing?.(files);
  // Loaded here: a run that never leaks never pays for the engine.
  const { runHeapAnalysis } = await import('../agent/analysis-worker.ts');
  const started = performance.now();
  let result: AnalysisResult;
  try {
    // The agent's copy of the result type is a subset of the engine's; the worker sends the whole.
    result = (await runHeapAnalysis(
      { kind: 'analyze', files: [...files], top: options.top ?? 10 },
      { signal: options.signal, keepAlive: true },
    )) as unknown as AnalysisResult;
  } catch (cause) {
    if (isMemwatcherError(cause) && cause.code === 'ERR_ABORTED') throw cause;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new CollectorFaultError('ERR_LEAK_EVIDENCE', `analyzing the heap snapshots failed: ${reason}`, {
      cause,
    });
  }
  options.publish({
    type: 'analysis',
    source: 'collector',
    time: now(),
    pid: options.pid,
    files,
    durationMs: Math.round(performance.now() - started),
    suspectCount: result.suspects.length,
    result,
  });
  return result;
}
