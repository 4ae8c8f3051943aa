import { type HeapSnapshot, SELF_SIZE_OVERFLOW, type TypeIndices } from './snapshot.ts';

/**
 * Which edges retain, following DevTools (`HeapSnapshot.ts`, `computeIsEssentialEdge`) so that our
 * dominators and retained sizes agree with what users see there:
 * - weak edges never retain;
 * - self edges do not;
 * - shortcut edges do not, except from the root (there they mark the user's global objects);
 * - an edge from a node outside the "page-owned" set (everything reachable from those globals) into it
 *   does not — otherwise objects also held by the debugger or internal roots get the wrong dominator;
 * - a WeakMap table's internal edge to a value does not: the value is retained by key and table
 *   together, and the edge from the key gives the more useful dominator.
 */

export const ROOT_ORDINAL = 0;

const WEAK_MAP_EDGE =
  /^\d+ \/ part of key \(.*? @\d+\) -> value \(.*? @\d+\) pair in WeakMap \(table @(?<tableId>\d+)\)$/;

/** Marks everything reachable (through non-weak edges) from the root's shortcut edges. */
export function markPageOwned(snapshot: HeapSnapshot, types: TypeIndices): Uint8Array {
  const { nodeCount, firstEdge, edgeType, edgeTo } = snapshot;
  const pageOwned = new Uint8Array(nodeCount);
  const stack = new Uint32Array(nodeCount);
  let top = 0;
  const shortcut = types.edge.shortcut;
  const weak = types.edge.weak;
  for (let e = firstEdge[ROOT_ORDINAL]!, end = firstEdge[ROOT_ORDINAL + 1]!; e < end; e++) {
    if (edgeType[e] !== shortcut) continue;
    const target = edgeTo[e]!;
    if (pageOwned[target] === 0) {
      pageOwned[target] = 1;
      stack[top++] = target;
    }
  }
  while (top > 0) {
    const node = stack[--top]!;
    for (let e = firstEdge[node]!, end = firstEdge[node + 1]!; e < end; e++) {
      const target = edgeTo[e]!;
      if (pageOwned[target] !== 0 || edgeType[e] === weak) continue;
      pageOwned[target] = 1;
      stack[top++] = target;
    }
  }
  return pageOwned;
}

export interface EssentialEdges {
  /** One bit per edge: does it retain its target? */
  bits: Uint8Array;
  /** Per node: how many essential edges point at it (length nodeCount + 1). */
  inDegree: Uint32Array;
  /** Number of essential edges. */
  count: number;
}

/** Which edges retain, and each node's number of retaining edges (one pass over all edges). */
export function essentialEdges(
  snapshot: HeapSnapshot,
  types: TypeIndices,
  pageOwned: Uint8Array,
): EssentialEdges {
  const { nodeCount, firstEdge, edgeType, edgeTo, edgeNameOrIndex, nodeId, strings } = snapshot;
  const bits = new Uint8Array((snapshot.edgeCount + 7) >>> 3);
  const inDegree = new Uint32Array(nodeCount + 1);
  let count = 0;
  const weak = types.edge.weak;
  const shortcut = types.edge.shortcut;
  const internal = types.edge.internal;
  // Edge names repeat (e.g. "map", "elements"): test the WeakMap pattern once per distinct name.
  // 0 = not tested yet, 1 = not a WeakMap value edge, 2 = one (its table id is in the map).
  const nameKind = new Uint8Array(strings.size);
  const tableIdByName = new Map<number, number>();
  for (let node = 0; node < nodeCount; node++) {
    const fromRoot = node === ROOT_ORDINAL;
    const ownerIsPageOwned = pageOwned[node] !== 0;
    for (let e = firstEdge[node]!, end = firstEdge[node + 1]!; e < end; e++) {
      const type = edgeType[e]!;
      if (type === weak) continue;
      const target = edgeTo[e]!;
      if (target === node) continue;
      if (!fromRoot) {
        if (type === shortcut) continue;
        if (pageOwned[target] !== 0 && !ownerIsPageOwned) continue;
      }
      if (type === internal) {
        const name = edgeNameOrIndex[e]!;
        let kind = nameKind[name]!;
        if (kind === 0) {
          // WeakMap value edges are named "<digits> / part of key …": skip decoding anything else.
          const first = strings.firstByte(name);
          const tableId = first >= 0x30 && first <= 0x39 ? weakMapTableId(strings.get(name)) : -1;
          kind = tableId < 0 ? 1 : 2;
          if (tableId >= 0) tableIdByName.set(name, tableId);
          nameKind[name] = kind;
        }
        if (kind === 2 && tableIdByName.get(name) === nodeId[node]) continue;
      }
      bits[e >>> 3]! |= 1 << (e & 7);
      inDegree[target]!++;
      count++;
    }
  }
  return { bits, inDegree, count };
}

function weakMapTableId(name: string): number {
  // Cheap rejection first: almost no internal edge name starts with a digit.
  const first = name.charCodeAt(0);
  if (first < 0x30 || first > 0x39 || !name.includes('WeakMap')) return -1;
  const match = WEAK_MAP_EDGE.exec(name);
  return match?.groups?.tableId === undefined ? -1 : Number(match.groups.tableId);
}

/**
 * DevTools' shallow-size attribution (`calculateShallowSizes`): internal arrays and hidden objects
 * (and external string data) owned by exactly one ordinary object have their size moved to that
 * owner, so a Map shows the memory of its hash table and an object the memory of its properties
 * store. Skipped, as in DevTools, when the snapshot has no user roots (made with exposed internals).
 * Modifies `snapshot.nodeSelfSize` in place. Returns its N-sized scratch array for reuse, or undefined
 * when nothing was attributed.
 */
export function attributeInternalSizes(snapshot: HeapSnapshot, types: TypeIndices): Uint32Array | undefined {
  const { nodeCount, firstEdge, edgeTo, edgeType, nodeType, nodeName, nodeSelfSize, strings } = snapshot;
  if (!hasUserRoots(snapshot, types)) return undefined;
  const UNVISITED = 0xffffffff;
  const MULTIPLE = 0xfffffffe;
  const owners = new Uint32Array(nodeCount);
  const hidden = types.node.hidden;
  const array = types.node.array;
  const native = types.node.native;
  const externalStringData = strings.indexOf('system / ExternalStringData');
  for (let i = 0; i < nodeCount; i++) {
    const type = nodeType[i];
    const internal =
      type === hidden || type === array || (type === native && nodeName[i] === externalStringData);
    owners[i] = internal ? UNVISITED : i;
  }
  // DevTools pushes every ordinary node on its work list, then pops. Visiting them in the same
  // (descending) order and draining the internal nodes each one reaches before the next gives the
  // same order with a stack for internal nodes only (each enters it at most twice).
  let work = new Uint32Array(1 << 16);
  let top = 0;
  const push = (node: number) => {
    if (top === work.length) {
      const grown = new Uint32Array(work.length * 2);
      grown.set(work);
      work = grown;
    }
    work[top++] = node;
  };
  const weak = types.edge.weak;
  const spread = (node: number) => {
    const owner = owners[node]!;
    for (let e = firstEdge[node]!, end = firstEdge[node + 1]!; e < end; e++) {
      if (edgeType[e] === weak) continue;
      const target = edgeTo[e]!;
      const targetOwner = owners[target]!;
      if (targetOwner === UNVISITED) {
        owners[target] = owner;
        push(target);
      } else if (targetOwner !== target && targetOwner !== owner && targetOwner !== MULTIPLE) {
        owners[target] = MULTIPLE;
        push(target);
      }
    }
  };
  for (let i = nodeCount - 1; i >= 0; i--) {
    if (owners[i] !== i) continue;
    spread(i);
    while (top > 0) spread(work[--top]!);
  }
  const synthetic = types.node.synthetic;
  const largeSelfSizes = snapshot.largeSelfSizes as Map<number, number>;
  for (let i = 0; i < nodeCount; i++) {
    const owner = owners[i]!;
    if (owner === UNVISITED || owner === MULTIPLE || owner === i) continue;
    if (owner === ROOT_ORDINAL || nodeType[owner] === synthetic) continue;
    const moved = readSize(nodeSelfSize, largeSelfSizes, i);
    if (moved === 0) continue;
    writeSize(nodeSelfSize, largeSelfSizes, i, 0);
    writeSize(nodeSelfSize, largeSelfSizes, owner, readSize(nodeSelfSize, largeSelfSizes, owner) + moved);
  }
  // Done with it: the caller may reuse it as scratch (the distance BFS's queue).
  return owners;
}

function readSize(sizes: Uint32Array, large: Map<number, number>, i: number): number {
  const size = sizes[i]!;
  return size === SELF_SIZE_OVERFLOW ? (large.get(i) ?? size) : size;
}

function writeSize(sizes: Uint32Array, large: Map<number, number>, i: number, size: number): void {
  if (size >= SELF_SIZE_OVERFLOW) {
    sizes[i] = SELF_SIZE_OVERFLOW;
    large.set(i, size);
  } else {
    sizes[i] = size;
    large.delete(i);
  }
}

/** A user root is a non-synthetic child of the root (for Node: the global object). */
export function hasUserRoots(snapshot: HeapSnapshot, types: TypeIndices): boolean {
  const { firstEdge, edgeTo, nodeType } = snapshot;
  for (let e = firstEdge[ROOT_ORDINAL]!, end = firstEdge[ROOT_ORDINAL + 1]!; e < end; e++) {
    if (nodeType[edgeTo[e]!] !== types.node.synthetic) return true;
  }
  return false;
}
