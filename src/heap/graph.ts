import { computeClassNames } from './class-names.ts';
import { computeDistances, type Distances } from './distances.ts';
import { computeDominators, type DominatorTree } from './dominators.ts';
import { attributeInternalSizes, essentialEdges, markPageOwned } from './retention.ts';
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
  attributeInternalSizes(snapshot, types);
  const pageOwned = markPageOwned(snapshot, types);
  const essential = essentialEdges(snapshot, types, pageOwned);
  onProgress?.('index', total, total);
  const dominators = computeDominators(snapshot, essential, onProgress);
  onProgress?.('distances', 0, total);
  const distances = computeDistances(snapshot, types);
  onProgress?.('summary', 0, total);
  const classIndex = computeClassNames(snapshot, types);
  const aggregates = aggregateClasses(snapshot, types.node.object, classIndex, dominators);
  onProgress?.('summary', total, total);
  let totalSize = 0;
  for (let i = 0; i < aggregates.size; i++) totalSize += aggregates.selfSize[i]!;
  let maxObjectId = 0;
  const ids = snapshot.nodeId;
  for (let i = 0; i < total; i++) if (ids[i]! > maxObjectId) maxObjectId = ids[i]!;
  return { snapshot, types, dominators, distances, classIndex, aggregates, totalSize, maxObjectId };
}
