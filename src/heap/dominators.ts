import { type EssentialEdges, ROOT_ORDINAL } from './retention.ts';
import { type HeapSnapshot, SELF_SIZE_OVERFLOW } from './snapshot.ts';

/**
 * Dominator tree and retained sizes with the SEMI-NCA algorithm: semidominators as in Lengauer–Tarjan
 * (path compression over a DFS spanning tree), then each immediate dominator as the nearest common
 * ancestor of parent and semidominator. Same results as LT (dominators are unique), fewer passes and
 * no buckets; in practice faster on large graphs.
 *   L. Georgiadis, R. E. Tarjan, R. F. Werneck. "Finding Dominators in Practice." JGAA 10(1), 2006.
 *   T. Lengauer, R. E. Tarjan. "A Fast Algorithm for Finding Dominators in a Flowgraph." TOPLAS 1979.
 *
 * Only essential edges (see retention.ts) count. Nodes the root does not reach through them are
 * attached to the root as DevTools does: first those with no retaining edge at all (retained only
 * weakly), each with its own subtree and the root as its one retainer, then any left over (cycles of
 * garbage) one by one, as DFS children of the root but without a retaining edge from it — so garbage
 * pointing at live objects does not change the live objects' dominators. Every node gets a dominator,
 * and unreachable memory shows up under the root instead of vanishing.
 *
 * Vertices are numbered 1…n in DFS preorder; 0 means "none". All loops are iterative: the heap graph
 * has paths millions of nodes long and recursion would overflow the stack.
 */

export interface Dominators {
  /** Immediate dominator of each node (node ordinals); the root's is itself. */
  idom: Uint32Array;
  /** Node ordinals in DFS preorder: every node comes after its immediate dominator. */
  order: Uint32Array;
}

export interface DominatorTree extends Dominators {
  /** Self size plus everything the node dominates, in bytes. */
  retainedSize: Float64Array;
}

export type DominatorProgress = (phase: 'dominators' | 'retained sizes', done: number, total: number) => void;

export function computeDominators(
  snapshot: HeapSnapshot,
  essential: EssentialEdges,
  onProgress?: DominatorProgress,
): Dominators {
  const { nodeCount, firstEdge, edgeTo } = snapshot;
  const bits = essential.bits;
  const isEssential = (edge: number) => ((bits[edge >>> 3]! >>> (edge & 7)) & 1) !== 0;
  // Nodes without a retaining edge are attached to the root. (Reused as scratch below: the caller
  // must not use it after this call.)
  const inDegree = essential.inDegree;
  const predTotal = essential.count;

  // Depth-first preorder over essential edges. Arrays are indexed by preorder number (1…n) unless
  // named for nodes; 0 means "none".
  const pre = new Uint32Array(nodeCount + 1); // node → preorder number
  const vertex = new Uint32Array(nodeCount + 1); // preorder number → node
  const parent = new Uint32Array(nodeCount + 1); // preorder number → parent's preorder number
  const cursor = new Uint32Array(nodeCount + 1); // node → next edge to look at
  let n = 0;
  const depthFirst = (start: number, parentNumber: number) => {
    pre[start] = ++n;
    vertex[n] = start;
    parent[n] = parentNumber;
    cursor[start] = firstEdge[start]!;
    let v = start;
    for (;;) {
      let e = cursor[v]!;
      const end = firstEdge[v + 1]!;
      let next = -1;
      for (; e < end; e++) {
        if (!isEssential(e)) continue;
        const w = edgeTo[e]!;
        if (pre[w] === 0) {
          next = w;
          e++;
          break;
        }
      }
      cursor[v] = e;
      if (next >= 0) {
        pre[next] = ++n;
        vertex[n] = next;
        parent[n] = pre[v]!;
        cursor[next] = firstEdge[next]!;
        v = next;
      } else {
        if (v === start) return;
        v = vertex[parent[pre[v]!]!]!;
      }
    }
  };
  depthFirst(ROOT_ORDINAL, 0);
  const rootNumber = 1;
  if (n < nodeCount) {
    for (let v = 0; v < nodeCount; v++) {
      if (pre[v] === 0 && inDegree[v] === 0) depthFirst(v, rootNumber);
    }
    for (let v = 0; v < nodeCount; v++) {
      if (pre[v] === 0) {
        pre[v] = ++n;
        vertex[n] = v;
        parent[n] = rootNumber;
      }
    }
  }
  onProgress?.('dominators', nodeCount * 0.3, nodeCount);

  // Retainers by preorder number, as preorder numbers (CSR): the main loop below then walks them in
  // order instead of jumping around node space. predStart[w] is a fill cursor first, then shifted.
  const preds = new Uint32Array(predTotal);
  const predStart = new Uint32Array(n + 2);
  for (let w = 1; w <= n; w++) predStart[w + 1] = predStart[w]! + inDegree[vertex[w]!]!;
  for (let node = 0; node < nodeCount; node++) {
    const from = pre[node]!;
    for (let e = firstEdge[node]!, end = firstEdge[node + 1]!; e < end; e++) {
      if (isEssential(e)) preds[predStart[pre[edgeTo[e]!]!]!++] = from;
    }
  }
  for (let w = n + 1; w > 1; w--) predStart[w] = predStart[w - 1]!;
  predStart[1] = 0;
  onProgress?.('dominators', nodeCount * 0.45, nodeCount);

  const semi = pre; // reuse: node → number is done with
  const label = inDegree; // reuse
  const ancestor = new Uint32Array(nodeCount + 1);
  const stack = cursor; // reuse: the DFS is done with it
  for (let w = 1; w <= n; w++) {
    semi[w] = w;
    label[w] = w;
  }

  // Semidominators, highest preorder number first.
  for (let w = n; w >= 2; w--) {
    let s = w;
    const start = predStart[w]!;
    const end = predStart[w + 1]!;
    // Retained by nothing (only weakly): attached to the root, which counts as its one retainer.
    if (start === end) s = rootNumber;
    for (let i = start; i < end; i++) {
      const v = preds[i]!;
      let candidate: number;
      if (v <= w) {
        candidate = v;
      } else {
        // v is processed and linked: evaluate with path compression (iteratively).
        let sp = 0;
        let x = v;
        while (ancestor[ancestor[x]!] !== 0) {
          stack[sp++] = x;
          x = ancestor[x]!;
        }
        while (sp > 0) {
          x = stack[--sp]!;
          const a = ancestor[x]!;
          if (semi[label[a]!]! < semi[label[x]!]!) label[x] = label[a]!;
          ancestor[x] = ancestor[a]!;
        }
        candidate = semi[label[v]!]!;
      }
      if (candidate < s) s = candidate;
    }
    semi[w] = s;
    ancestor[w] = parent[w]!;
    if ((w & 0xfffff) === 0) onProgress?.('dominators', nodeCount * (0.45 + (0.5 * (n - w)) / n), nodeCount);
  }

  // Immediate dominators: walk up from the parent until at or above the semidominator (NCA step).
  const idomNumber = parent; // computed in place: idom of smaller numbers is final when needed
  for (let w = 2; w <= n; w++) {
    let d = idomNumber[w]!;
    const s = semi[w]!;
    while (d > s) d = idomNumber[d]!;
    idomNumber[w] = d;
  }
  idomNumber[rootNumber] = rootNumber;

  const idom = new Uint32Array(nodeCount);
  const order = new Uint32Array(nodeCount);
  for (let w = 1; w <= n; w++) {
    const node = vertex[w]!;
    order[w - 1] = node;
    idom[node] = vertex[idomNumber[w]!]!;
  }
  onProgress?.('dominators', nodeCount, nodeCount);
  return { idom, order };
}

/** Self sizes summed up the dominator tree (children before parents: reverse preorder). */
export function computeRetainedSizes(snapshot: HeapSnapshot, dominators: Dominators): Float64Array {
  const { nodeCount, nodeSelfSize, largeSelfSizes } = snapshot;
  const { idom, order } = dominators;
  const retainedSize = new Float64Array(nodeCount);
  for (let i = 0; i < nodeCount; i++) {
    const size = nodeSelfSize[i]!;
    retainedSize[i] = size === SELF_SIZE_OVERFLOW ? (largeSelfSizes.get(i) ?? size) : size;
  }
  for (let i = nodeCount - 1; i >= 1; i--) {
    const node = order[i]!;
    retainedSize[idom[node]!]! += retainedSize[node]!;
  }
  return retainedSize;
}
