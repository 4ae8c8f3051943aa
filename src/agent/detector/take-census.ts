import { unlink } from 'node:fs/promises';
import type { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { runHeapAnalysis } from '../analysis-worker.ts';
import { captureHeapSnapshot } from '../capture.ts';
import { collectGarbage } from '../inspector-session.ts';
import {
  type Census,
  type ClassCount,
  classesFromSummary,
  countInstances,
  readMemoryFigures,
} from './census.ts';
import type { Constructor } from './counted-classes.ts';
import { PauseMeter } from './pause-meter.ts';

/** A `queryObjects` census: forced GC, memory figures, then one count per constructor. */
export async function queryObjectsCensus(
  session: Session,
  label: string,
  constructors: readonly { name: string; ctor: () => Constructor | undefined }[],
): Promise<Census> {
  const started = performance.now();
  const time = Date.now();
  const meter = new PauseMeter();
  let memory: Census['memory'];
  let classes: ClassCount[];
  let pauseMs: number;
  try {
    await collectGarbage(session);
    memory = readMemoryFigures();
    classes = await countInstances(session, constructors);
  } finally {
    pauseMs = meter.stop();
  }
  const durationMs = performance.now() - started;
  return { label, time, method: 'queryObjects', memory, classes, complete: false, pauseMs, durationMs };
}

export interface SnapshotCensusSettings {
  readonly dir: string;
  readonly keepSnapshots: boolean;
  /** Classes kept, largest retained size first. */
  readonly maxClasses: number;
  readonly signal: AbortSignal | undefined;
}

/**
 * A `heapSnapshot` census: forced GC, memory figures, a heap snapshot (the pause), then the heap
 * engine's class summary computed in a worker thread while the host runs.
 */
export async function heapSnapshotCensus(
  session: Session,
  label: string,
  settings: SnapshotCensusSettings,
): Promise<Census> {
  const { dir, keepSnapshots, maxClasses, signal } = settings;
  const started = performance.now();
  const time = Date.now();
  const meter = new PauseMeter();
  let memory: Census['memory'];
  let file: string;
  let pauseMs: number;
  try {
    await collectGarbage(session);
    memory = readMemoryFigures();
    ({ file } = await captureHeapSnapshot({ dir, label: `census-${label}`, signal }));
  } finally {
    pauseMs = meter.stop();
  }
  try {
    // The caller awaits the census: keep the process alive for it (a script's top-level await).
    const result = await runHeapAnalysis(
      { kind: 'analyze', files: [file], top: maxClasses },
      { signal, keepAlive: true },
    );
    return {
      label,
      time,
      method: 'heapSnapshot',
      memory,
      classes: classesFromSummary(result.summary),
      complete: result.summary.length < maxClasses,
      pauseMs,
      durationMs: performance.now() - started,
      ...(keepSnapshots ? { snapshotFile: file } : {}),
    };
  } finally {
    if (!keepSnapshots) await unlink(file).catch(() => {});
  }
}
