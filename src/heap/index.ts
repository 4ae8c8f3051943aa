/**
 * `memwatcher/heap`: the heap snapshot engine. Pure computation over typed arrays; it reads the
 * snapshot files it is given and nothing else, and takes every option as an argument.
 *
 * @example
 * import { analyzeSnapshots } from 'memwatcher/heap';
 * const { suspects } = await analyzeSnapshots(['a.heapsnapshot', 'b.heapsnapshot', 'c.heapsnapshot']);
 */
export { analyzeSnapshots } from './analyze.ts';
export { buildHeapGraph, type HeapGraph } from './graph.ts';
export { type ParseOptions, parseHeapSnapshot, readMaxObjectId } from './parse.ts';
export type { HeapSnapshot } from './snapshot.ts';
export type {
  AnalysisPhase,
  AnalysisProgress,
  AnalysisResult,
  AnalyzeOptions,
  ClassDiffEntry,
  ClassSummaryEntry,
  LargestObject,
  LeakSuspect,
  RetainerPathStep,
  SnapshotInfo,
  SourceLocation,
} from './types.ts';
