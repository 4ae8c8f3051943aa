import { computeClassNames } from './class-names.ts';
import { computeDistances, type Distances } from './distances.ts';
import {
  computeDominators,
  computeRetainedSizes,
  type Dominators,
  type DominatorTree,
} from './dominators.ts';
import type { EngineThread } from './parallel.ts';
import { attributeInternalSizes, essentialEdges, markPageOwned } from './retention.ts';
import { toShared } from './shared-snapshot.ts';
import type { HeapSnapshot, TypeIndices } from './snapshot.ts';
import { typeIndices } from './snapshot.ts';
import { aggregateClasses, type ClassAggregates } from './summary.ts';
import type { AnalysisPhase } from './types.ts';

/** A snapshot with everything derived from it: dominators, retained sizes, distances, classes. */
export interface HeapGraph {
  snapshot: HeapSnapshot;
  types: TypeIndices;
  dominators: DominatorTree;
  distances: Distances;
  /** Class name (string index) of every node, DevTools' naming. */
  classIndex: Uint32Array;
  aggregates: ClassAggregates;
  /** Sum of self sizes. */
  totalSize: number;
  /** Largest object id: every object allocated after this snapshot has a larger one. */
  maxObjectId: number;
}

export type GraphProgress = (phase: AnalysisPhase, done: number, total: number) => void;

export function buildHeapGraph(snapshot: HeapSnapshot, onProgress?: GraphProgress): HeapGraph {
  const types = typeIndices(snapshot);
  const total = snapshot.nodeCount;
  onProgress?.('index', 0, total);
  const scratch = attributeInternalSizes(snapshot, types);
  const pageOwned = markPageOwned(snapshot, types);
  const essential = essentialEdges(snapshot, types, pageOwned);
  onProgress?.('index', total, total);
  const dominators = computeDominators(snapshot, essential, onProgress);
  onProgress?.('distances', 0, total);
  const distances = computeDistances(snapshot, types, scratch);
  onProgress?.('summary', 0, total);
  const classIndex = computeClassNames(snapshot, types);
  return finishGraph(snapshot, types, dominators, distances, classIndex, onProgress);
}

/**
 * The same on two threads: while this one computes dominators (the longest chain of work), the
 * engine thread attributes internal sizes, computes distances and names classes, on the same shared
 * columns. Nothing the two write overlaps until the results are joined; then retained sizes, which need
 * both, are computed here.
 */
export async function buildHeapGraphParallel(
  snapshot: HeapSnapshot,
  thread: EngineThread,
  onProgress?: GraphProgress,
): Promise<HeapGraph> {
  const types = typeIndices(snapshot);
  const total = snapshot.nodeCount;
  onProgress?.('index', 0, total);
  const side = thread.run<GraphSideResult>({ task: 'graphSide', snapshot: toShared(snapshot) });
  // Keep a rejection from going unhandled while this thread is busy below.
  side.catch(() => {});
  const pageOwned = markPageOwned(snapshot, types);
  const essential = essentialEdges(snapshot, types, pageOwned);
  onProgress?.('index', total, total);
  const dominators = computeDominators(snapshot, essential, onProgress);
  const result = await side;
  const largeSelfSizes = snapshot.largeSelfSizes as Map<number, number>;
  largeSelfSizes.clear();
  for (const [node, size] of result.largeSelfSizes) largeSelfSizes.set(node, size);
  // Strings the worker made up (class names like `(system)`) get the same indices here.
  for (const name of result.addedStrings) snapshot.strings.add(name);
  return finishGraph(snapshot, types, dominators, result.distances, result.classIndex, onProgress);
}

/** What the engine thread computes for `buildHeapGraphParallel`. */
export interface GraphSideResult {
  distances: Distances;
  classIndex: Uint32Array;
  addedStrings: string[];
  largeSelfSizes: [number, number][];
}

/** The engine thread's half of `buildHeapGraphParallel`. */
export function graphSide(snapshot: HeapSnapshot): GraphSideResult {
  const types = typeIndices(snapshot);
  const scratch = attributeInternalSizes(snapshot, types);
  const distances = computeDistances(snapshot, types, scratch);
  const before = snapshot.strings.size;
  const classIndex = computeClassNames(snapshot, types);
  const addedStrings: string[] = [];
  for (let i = before; i < snapshot.strings.size; i++) addedStrings.push(snapshot.strings.get(i));
  return { distances, classIndex, addedStrings, largeSelfSizes: [...snapshot.largeSelfSizes] };
}

function finishGraph(
  snapshot: HeapSnapshot,
  types: TypeIndices,
  dominators: Dominators,
  distances: Distances,
  classIndex: Uint32Array,
  onProgress: GraphProgress | undefined,
): HeapGraph {
  const total = snapshot.nodeCount;
  onProgress?.('retained sizes', 0, total);
  const tree = { ...dominators, retainedSize: computeRetainedSizes(snapshot, dominators) };
  onProgress?.('summary', 0, total);
  const aggregates = aggregateClasses(snapshot, types.node.object, classIndex, tree);
  onProgress?.('summary', total, total);
  let totalSize = 0;
  for (let i = 0; i < aggregates.size; i++) totalSize += aggregates.selfSize[i]!;
  let maxObjectId = 0;
  const ids = snapshot.nodeId;
  for (let i = 0; i < total; i++) if (ids[i]! > maxObjectId) maxObjectId = ids[i]!;
  return { snapshot, types, dominators: tree, distances, classIndex, aggregates, totalSize, maxObjectId };
}
