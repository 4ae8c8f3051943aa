import { ROOT_ORDINAL } from './retention.ts';
import type { HeapSnapshot, TypeIndices } from './snapshot.ts';

/**
 * Distances from the GC roots, the way DevTools computes them: a breadth-first search over non-weak
 * edges, first from the user roots (the root's non-synthetic children: the global object) so that
 * anything reachable from user code gets a short "user" distance, then from the root for the rest,
 * with distances offset by BASE_SYSTEM_DISTANCE. The BFS also records, for every node, the edge it was
 * first reached through: following those back gives the shortest retainer path, preferring paths
 * through user code.
 */

export const NO_DISTANCE = -5;
export const BASE_SYSTEM_DISTANCE = 100_000_000;
export const NO_EDGE = 0xffffffff;

export interface Distances {
  distance: Int32Array;
  /** Edge through which each node was first reached (NO_EDGE for the root and unreachable nodes). */
  parentEdge: Uint32Array;
}

/** `scratch`, when given and large enough, serves as the BFS queue (its content is overwritten). */
export function computeDistances(
  snapshot: HeapSnapshot,
  types: TypeIndices,
  scratch?: Uint32Array,
): Distances {
  const { nodeCount, firstEdge, edgeTo, edgeType, nodeType } = snapshot;
  const distance = new Int32Array(nodeCount).fill(NO_DISTANCE);
  const parentEdge = new Uint32Array(nodeCount).fill(NO_EDGE);
  const queue = scratch !== undefined && scratch.length >= nodeCount ? scratch : new Uint32Array(nodeCount);
  const weak = types.edge.weak;
  const synthetic = types.node.synthetic;

  let tail = 0;
  for (let e = firstEdge[ROOT_ORDINAL]!, end = firstEdge[ROOT_ORDINAL + 1]!; e < end; e++) {
    const node = edgeTo[e]!;
    if (nodeType[node] === synthetic || distance[node] !== NO_DISTANCE) continue;
    distance[node] = 1;
    parentEdge[node] = e;
    queue[tail++] = node;
  }
  const hadUserRoots = tail > 0;
  const breadthFirst = (head: number) => {
    while (head < tail) {
      const node = queue[head++]!;
      const next = distance[node]! + 1;
      for (let e = firstEdge[node]!, end = firstEdge[node + 1]!; e < end; e++) {
        if (edgeType[e] === weak) continue;
        const target = edgeTo[e]!;
        if (distance[target] !== NO_DISTANCE) continue;
        distance[target] = next;
        parentEdge[target] = e;
        queue[tail++] = target;
      }
    }
  };
  breadthFirst(0);
  const systemStart = tail;
  distance[ROOT_ORDINAL] = hadUserRoots ? BASE_SYSTEM_DISTANCE : 0;
  parentEdge[ROOT_ORDINAL] = NO_EDGE;
  queue[tail++] = ROOT_ORDINAL;
  breadthFirst(systemStart);
  return { distance, parentEdge };
}

/** Source node of an edge, found by binary search over firstEdge (paths are short; no N-sized index). */
export function edgeSource(snapshot: HeapSnapshot, edge: number): number {
  const firstEdge = snapshot.firstEdge;
  let low = 0;
  let high = snapshot.nodeCount - 1;
  while (low < high) {
    const mid = (low + high + 1) >>> 1;
    if (firstEdge[mid]! <= edge) low = mid;
    else high = mid - 1;
  }
  // The last node whose first edge is ≤ edge owns it: nodes without edges share their firstEdge
  // value with the next node, and the search lands past them.
  return low;
}

/** Edges from the root to `node`, in path order; empty for the root, undefined when unreachable. */
export function retainerEdges(
  snapshot: HeapSnapshot,
  distances: Distances,
  node: number,
): number[] | undefined {
  const edges: number[] = [];
  let current = node;
  for (let guard = 0; current !== ROOT_ORDINAL; guard++) {
    const edge = distances.parentEdge[current]!;
    if (edge === NO_EDGE || guard > snapshot.nodeCount) return undefined;
    edges.push(edge);
    current = edgeSource(snapshot, edge);
  }
  return edges.reverse();
}
