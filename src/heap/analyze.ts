import { statSync } from 'node:fs';
import { AbortedError, InvalidOptionError, SnapshotMismatchError } from '../errors.ts';
import { nodeLabel, nodeTypeName, retainerPath, ScriptUrls, sourceLocation } from './describe.ts';
import { ClassDiff } from './diff.ts';
import { buildHeapGraph, buildHeapGraphParallel, type HeapGraph } from './graph.ts';
import { combineSuspects, findCandidateGroups, isGrowing, measureGroups } from './leaks.ts';
import { EngineThread, PARALLEL_MIN_BYTES, parseSnapshotFile } from './parallel.ts';
import { readMaxObjectId } from './parse.ts';
import { ROOT_ORDINAL } from './retention.ts';
import { isShared } from './shared-snapshot.ts';
import { selfSizeOf } from './snapshot.ts';
import { sortedUint32 } from './sort.ts';
import type {
  AnalysisPhase,
  AnalysisResult,
  AnalyzeOptions,
  ClassSummaryEntry,
  LargestObject,
  SnapshotInfo,
} from './types.ts';

const DEFAULT_TOP = 20;
// An object passing this share of its retained size to one dominated object is a wrapper.
const WRAPPER_SHARE = 0.9;

/**
 * Analyzes one snapshot (summary, largest objects) or several snapshots of one process in
 * chronological order (also the diff first → last and the leak suspects). Only one snapshot's graph
 * is in memory at a time: the last one first (it decides what to look for), then each earlier one.
 *
 * @example
 * const result = await analyzeSnapshots(['1.heapsnapshot', '2.heapsnapshot', '3.heapsnapshot']);
 * for (const suspect of result.suspects) console.log(suspect.name, suspect.growth, suspect.retainedSize);
 */
export async function analyzeSnapshots(
  files: string[],
  options: AnalyzeOptions = {},
): Promise<AnalysisResult> {
  if (files.length === 0) throw new InvalidOptionError('files', 'give at least one heap snapshot');
  const top = options.top ?? DEFAULT_TOP;
  if (!Number.isInteger(top) || top < 1)
    throw new InvalidOptionError('top', `must be a positive integer, got ${top}`);
  // A second thread pays off on big snapshots only (starting it costs ~50 ms).
  const always = options.parallel === 'always';
  const thread = always || (options.parallel !== false && files.some(isBig)) ? new EngineThread() : undefined;
  try {
    return await analyzeWith(files, options, top, thread, always ? 0 : PARALLEL_MIN_BYTES);
  } finally {
    await thread?.close();
  }
}

async function analyzeWith(
  files: string[],
  options: AnalyzeOptions,
  top: number,
  thread: EngineThread | undefined,
  parallelMinBytes: number,
): Promise<AnalysisResult> {
  const { signal } = options;
  const last = files.length - 1;
  const progress = (snapshot: number) => (phase: AnalysisPhase, done: number, total: number) =>
    options.onProgress?.({ snapshot, phase, done, total });
  const checkpoint = async () => {
    // Lets abort signals and progress output through between phases of synchronous work.
    await new Promise((resolve) => setImmediate(resolve));
    if (signal?.aborted) throw new AbortedError('Analysis was aborted.');
  };

  // Where each earlier snapshot's objects end: any larger id was allocated after it.
  const boundaries: number[] = [];
  for (let i = 0; i < last; i++) {
    await checkpoint();
    boundaries.push(readMaxObjectId(files[i]!, parseOptions(progress(i), signal)).maxObjectId);
  }
  for (let i = 1; i < boundaries.length; i++) {
    if (boundaries[i]! < boundaries[i - 1]!) throw outOfOrder(files[i - 1]!, files[i]!);
  }

  const infos: SnapshotInfo[] = new Array(files.length);
  await checkpoint();
  const lastGraph = await analyzeOne(files[last]!, last, progress, signal, thread, parallelMinBytes);
  infos[last] = infoOf(files[last]!, lastGraph);
  if (last > 0 && lastGraph.maxObjectId < boundaries[last - 1]!)
    throw outOfOrder(files[last - 1]!, files[last]!);
  const lastScripts = new ScriptUrls(lastGraph);
  const summary = summarize(lastGraph, top, lastScripts);
  const largest = largestObjects(lastGraph, top, lastScripts);
  if (last === 0) return { snapshots: infos, summary, largest, suspects: [] };

  progress(last)('suspects', 0, 1);
  const groups = findCandidateGroups(lastGraph, boundaries, lastScripts);
  const measured: { counts: number[]; retained: number[] }[] = new Array(files.length);
  measured[last] = measureGroups(lastGraph, groups);
  progress(last)('diff', 0, 1);
  const diff = new ClassDiff();
  diff.addAdded(lastGraph, boundaries[0]!);
  const lastSortedIds = sortedUint32(lastGraph.snapshot.nodeId);

  for (let i = 0; i < last; i++) {
    await checkpoint();
    const graph = await analyzeOne(files[i]!, i, progress, signal, thread, parallelMinBytes);
    infos[i] = infoOf(files[i]!, graph);
    measured[i] = measureGroups(graph, groups);
    if (i === 0) diff.addRemoved(graph, lastSortedIds);
  }
  groups.forEach((group, index) => {
    group.counts = measured.map((snapshot) => snapshot.counts[index]!);
    group.retained = measured.map((snapshot) => snapshot.retained[index]!);
  });
  const suspects = combineSuspects(groups.filter(isGrowing)).slice(0, top);
  return { snapshots: infos, summary, largest, diff: diff.result(top), suspects };
}

async function analyzeOne(
  file: string,
  index: number,
  progress: (snapshot: number) => (phase: AnalysisPhase, done: number, total: number) => void,
  signal: AbortSignal | undefined,
  thread: EngineThread | undefined,
  parallelMinBytes: number,
): Promise<HeapGraph> {
  const snapshot = await parseSnapshotFile(file, {
    ...parseOptions(progress(index), signal),
    thread,
    parallelMinBytes,
  });
  if (thread !== undefined && isShared(snapshot))
    return buildHeapGraphParallel(snapshot, thread, progress(index));
  return buildHeapGraph(snapshot, progress(index));
}

function isBig(file: string): boolean {
  try {
    return statSync(file).size >= PARALLEL_MIN_BYTES;
  } catch {
    // Unreadable files are reported by the parser with a proper message.
    return false;
  }
}

function parseOptions(
  report: (phase: AnalysisPhase, done: number, total: number) => void,
  signal: AbortSignal | undefined,
) {
  const options: { onProgress: (done: number, total: number) => void; signal?: AbortSignal } = {
    onProgress: (done, total) => report('parse', done, total),
  };
  if (signal !== undefined) options.signal = signal;
  return options;
}

function infoOf(file: string, graph: HeapGraph): SnapshotInfo {
  return {
    file,
    nodeCount: graph.snapshot.nodeCount,
    edgeCount: graph.snapshot.edgeCount,
    totalSize: graph.totalSize,
  };
}

function outOfOrder(earlier: string, later: string): SnapshotMismatchError {
  return new SnapshotMismatchError(
    `${later} holds older objects than ${earlier}: give snapshots of one process in the order they were taken`,
  );
}

function summarize(graph: HeapGraph, top: number, scripts: ScriptUrls): ClassSummaryEntry[] {
  const { aggregates, snapshot } = graph;
  const indexes: number[] = [];
  for (let i = 0; i < aggregates.size; i++) if (aggregates.count[i]! > 0) indexes.push(i);
  indexes.sort((a, b) => aggregates.retainedSize[b]! - aggregates.retainedSize[a]!);
  return indexes.slice(0, top).map((i) => {
    const entry: ClassSummaryEntry = {
      name: snapshot.strings.get(aggregates.classIndex[i]!),
      type: snapshot.nodeTypeNames[aggregates.type[i]!] ?? 'unknown',
      count: aggregates.count[i]!,
      selfSize: aggregates.selfSize[i]!,
      retainedSize: aggregates.retainedSize[i]!,
    };
    if (aggregates.type[i] === graph.types.node.object) {
      const location = sourceLocation(graph, aggregates.firstNode[i]!, scripts);
      if (location !== undefined) entry.location = location;
    }
    return entry;
  });
}

/**
 * The objects that retain the most, among what a program creates (objects, closures, strings, arrays
 * of its own), leaving out the root's own children (the global object retains nearly everything) and
 * wrappers: objects that pass nearly all they retain on to one object they dominate (a module wrapper →
 * its scope → the array that really holds the memory). Listing the whole chain would fill the list with
 * one fact; the object where memory fans out is the one to show (MAT's accumulation point).
 */
function largestObjects(graph: HeapGraph, top: number, scripts: ScriptUrls): LargestObject[] {
  const { snapshot, types, dominators } = graph;
  const t = types.node;
  const eligible = new Uint8Array(256);
  for (const type of [t.object, t.closure, t.native, t.string, t.consString, t.slicedString, t.regexp]) {
    if (type >= 0) eligible[type] = 1;
  }
  const rootChildren = new Set<number>();
  for (let e = snapshot.firstEdge[ROOT_ORDINAL]!; e < snapshot.firstEdge[ROOT_ORDINAL + 1]!; e++) {
    rootChildren.add(snapshot.edgeTo[e]!);
  }
  const retained = dominators.retainedSize;
  const largestChild = new Float64Array(snapshot.nodeCount);
  for (let node = 1; node < snapshot.nodeCount; node++) {
    // Only a child that could itself be listed makes its parent a wrapper: an object whose memory
    // sits in its own internal array (a Registry and its items store) is the holder to show.
    if (eligible[snapshot.nodeType[node]!] === 0) continue;
    const parent = dominators.idom[node]!;
    if (retained[node]! > largestChild[parent]!) largestChild[parent] = retained[node]!;
  }
  // Keep the best `top` in a small sorted array: top is tens, nodes are millions.
  const best: number[] = [];
  for (let node = 1; node < snapshot.nodeCount; node++) {
    if (eligible[snapshot.nodeType[node]!] === 0 || rootChildren.has(node)) continue;
    const size = retained[node]!;
    if (largestChild[node]! >= WRAPPER_SHARE * size) continue;
    if (best.length === top && size <= retained[best[best.length - 1]!]!) continue;
    let position = best.length;
    while (position > 0 && retained[best[position - 1]!]! < size) position--;
    best.splice(position, 0, node);
    if (best.length > top) best.pop();
  }
  return best.map((node) => {
    const entry: LargestObject = {
      id: snapshot.nodeId[node]!,
      name: nodeLabel(graph, node),
      type: nodeTypeName(graph, node),
      selfSize: selfSizeOf(snapshot, node),
      retainedSize: retained[node]!,
      retainerPath: retainerPath(graph, node),
    };
    const location = sourceLocation(graph, node, scripts);
    if (location !== undefined) entry.location = location;
    return entry;
  });
}
