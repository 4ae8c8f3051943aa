import { ROOT_ORDINAL } from './retention.ts';
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

export interface DominatorTree {
  /** Immediate dominator of each node (node ordinals); the root's is itself. */
  idom: Uint32Array;
  /** Node ordinals in DFS preorder: every node comes after its immediate dominator. */
  order: Uint32Array;
  /** Self size plus everything the node dominates, in bytes. */
  retainedSize: Float64Array;
}

export type DominatorProgress = (phase: 'dominators' | 'retained sizes', done: number, total: number) => void;

export function computeDominators(
  snapshot: HeapSnapshot,
  essential: Uint8Array,
  onProgress?: DominatorProgress,
): DominatorTree {
  const { nodeCount, firstEdge, edgeTo } = snapshot;
  const isEssential = (edge: number) => ((essential[edge >>> 3]! >>> (edge & 7)) & 1) !== 0;

  // Retainers (essential edges only) in CSR form, by target node: firstPred[v] … firstPred[v+1].
  const firstPred = new Uint32Array(nodeCount + 1);
  let predTotal = 0;
  for (let node = 0; node < nodeCount; node++) {
    for (let e = firstEdge[node]!, end = firstEdge[node + 1]!; e < end; e++) {
      if (isEssential(e)) {
        firstPred[edgeTo[e]! + 1]!++;
        predTotal++;
      }
    }
  }
  for (let v = 0; v < nodeCount; v++) firstPred[v + 1]! += firstPred[v]!;
  const preds = new Uint32Array(predTotal);
  // Fill using firstPred[v] as a moving cursor, then shift back: saves a second N-sized array.
  for (let node = 0; node < nodeCount; node++) {
    for (let e = firstEdge[node]!, end = firstEdge[node + 1]!; e < end; e++) {
      if (isEssential(e)) preds[firstPred[edgeTo[e]!]!++] = node;
    }
  }
  for (let v = nodeCount; v > 0; v--) firstPred[v] = firstPred[v - 1]!;
  firstPred[0] = 0;
  onProgress?.('dominators', nodeCount * 0.2, nodeCount);

  // Depth-first preorder over essential edges.
  const pre = new Uint32Array(nodeCount); // node → preorder number
  const vertex = new Uint32Array(nodeCount + 1); // preorder number → node
  const parent = new Uint32Array(nodeCount + 1); // preorder number → parent's preorder number
  const cursor = new Uint32Array(nodeCount); // next edge to look at, per node
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
      if (pre[v] === 0 && firstPred[v] === firstPred[v + 1]) depthFirst(v, rootNumber);
    }
    for (let v = 0; v < nodeCount; v++) {
      if (pre[v] === 0) {
        pre[v] = ++n;
        vertex[n] = v;
        parent[n] = rootNumber;
      }
    }
  }
  onProgress?.('dominators', nodeCount * 0.4, nodeCount);

  // Predecessors renumbered to preorder numbers: the main loop then never touches node space.
  for (let i = 0; i < predTotal; i++) preds[i] = pre[preds[i]!]!;
  const semi = cursor; // reuse: cursor is done with
  const label = pre; // reuse: pre is done with (renumbered above)
  const ancestor = new Uint32Array(nodeCount + 1);
  const stack = new Uint32Array(nodeCount + 1);
  for (let w = 1; w <= n; w++) {
    semi[w - 1] = w; // semi is 0-based in storage: semi[w-1] is vertex w's semidominator
    label[w - 1] = w;
  }

  // Semidominators, highest preorder number first.
  for (let w = n; w >= 2; w--) {
    let s = w;
    const node = vertex[w]!;
    const predStart = firstPred[node]!;
    const predEnd = firstPred[node + 1]!;
    if (predStart === predEnd) {
      // Retained by nothing (only weakly): attached to the root, which counts as its one retainer.
      s = rootNumber;
    }
    for (let i = predStart; i < predEnd; i++) {
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
          if (semi[label[a - 1]! - 1]! < semi[label[x - 1]! - 1]!) label[x - 1] = label[a - 1]!;
          ancestor[x] = ancestor[a]!;
        }
        candidate = semi[label[v - 1]! - 1]!;
      }
      if (candidate < s) s = candidate;
    }
    semi[w - 1] = s;
    ancestor[w] = parent[w]!;
    if ((w & 0xfffff) === 0) onProgress?.('dominators', nodeCount * (0.4 + (0.5 * (n - w)) / n), nodeCount);
  }

  // Immediate dominators: walk up from the parent until at or above the semidominator (NCA step).
  const idomNumber = parent; // computed in place: idom of smaller numbers is final when needed
  for (let w = 2; w <= n; w++) {
    let d = idomNumber[w]!;
    const s = semi[w - 1]!;
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
  onProgress?.('retained sizes', 0, nodeCount);

  const retainedSize = new Float64Array(nodeCount);
  const { nodeSelfSize, largeSelfSizes } = snapshot;
  for (let i = 0; i < nodeCount; i++) {
    const size = nodeSelfSize[i]!;
    retainedSize[i] = size === SELF_SIZE_OVERFLOW ? (largeSelfSizes.get(i) ?? size) : size;
  }
  for (let w = n; w >= 2; w--) {
    const node = vertex[w]!;
    retainedSize[idom[node]!]! += retainedSize[node]!;
  }
  onProgress?.('retained sizes', nodeCount, nodeCount);
  return { idom, order, retainedSize };
}
