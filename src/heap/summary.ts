import type { DominatorTree } from './dominators.ts';
import { ROOT_ORDINAL } from './retention.ts';
import { type HeapSnapshot, SELF_SIZE_OVERFLOW } from './snapshot.ts';

/**
 * The class summary (DevTools' "Summary" view): objects grouped by class — by class name and, for
 * objects, the constructor's source location, so two classes named `Node` from different files stay
 * apart — with count, self size, and the class's retained size: retained sizes of its objects that are
 * not dominated by another object of the same class (DevTools' `calculateClassesRetainedSize`), so a
 * linked list of 1000 nodes counts once, not 1000 times.
 */

export interface ClassAggregates {
  /** Aggregate id of every node. */
  aggregateOf: Uint32Array;
  count: Float64Array;
  selfSize: Float64Array;
  retainedSize: Float64Array;
  /** String index of the class name. */
  classIndex: Uint32Array;
  /** Node type of the class's objects (the first one seen). */
  type: Uint8Array;
  /** A representative node (the first one seen): locations and types are looked up through it. */
  firstNode: Uint32Array;
  size: number;
}

export function aggregateClasses(
  snapshot: HeapSnapshot,
  objectType: number,
  classIndex: Uint32Array,
  dominators: DominatorTree,
): ClassAggregates {
  const { nodeCount, nodeType, nodeSelfSize, largeSelfSizes, locationNode } = snapshot;
  const { locationScript, locationLine, locationColumn } = snapshot;
  const aggregateOf = new Uint32Array(nodeCount);
  // Most nodes have no location: their aggregate is found by class name index alone.
  const byClassIndex = new Map<number, number>();
  const byLocationAndClass = new Map<number, number>();
  const locationIds = new LocationIds();
  let size = 0;
  let count = new Float64Array(1024);
  let self = new Float64Array(1024);
  let classOf = new Uint32Array(1024);
  let typeOf = new Uint8Array(1024);
  let firstNode = new Uint32Array(1024);
  const newAggregate = (node: number, cls: number) => {
    if (size === count.length) {
      count = grow(count);
      self = grow(self);
      classOf = grow(classOf);
      typeOf = grow(typeOf);
      firstNode = grow(firstNode);
    }
    classOf[size] = cls;
    typeOf[size] = nodeType[node]!;
    firstNode[size] = node;
    return size++;
  };
  let nextLocation = 0;
  for (let node = 0; node < nodeCount; node++) {
    const cls = classIndex[node]!;
    let aggregate: number | undefined;
    while (nextLocation < locationNode.length && locationNode[nextLocation]! < node) nextLocation++;
    if (nodeType[node] === objectType && locationNode[nextLocation] === node) {
      const location = locationIds.idOf(
        locationScript[nextLocation]!,
        locationLine[nextLocation]!,
        locationColumn[nextLocation]!,
      );
      const key = location * 2 ** 32 + cls;
      aggregate = byLocationAndClass.get(key);
      if (aggregate === undefined) {
        aggregate = newAggregate(node, cls);
        byLocationAndClass.set(key, aggregate);
      }
    } else {
      aggregate = byClassIndex.get(cls);
      if (aggregate === undefined) {
        aggregate = newAggregate(node, cls);
        byClassIndex.set(cls, aggregate);
      }
    }
    aggregateOf[node] = aggregate;
    const nodeSelf = nodeSelfSize[node]!;
    // DevTools leaves objects of size 0 out of the summary (their size went to an owner).
    if (nodeSelf === 0) continue;
    count[aggregate]!++;
    self[aggregate]! += nodeSelf === SELF_SIZE_OVERFLOW ? (largeSelfSizes.get(node) ?? nodeSelf) : nodeSelf;
  }
  const retained = new Float64Array(size);
  classRetainedSizes(snapshot, dominators, aggregateOf, retained);
  return {
    aggregateOf,
    count: count.subarray(0, size),
    selfSize: self.subarray(0, size),
    retainedSize: retained,
    classIndex: classOf.subarray(0, size),
    type: typeOf.subarray(0, size),
    firstNode: firstNode.subarray(0, size),
    size,
  };
}

/** Dense ids for distinct (script, line, column) triples. */
class LocationIds {
  private readonly byScript = new Map<number, Map<number, number>>();
  private next = 0;

  idOf(script: number, line: number, column: number): number {
    let byPosition = this.byScript.get(script);
    if (byPosition === undefined) {
      byPosition = new Map();
      this.byScript.set(script, byPosition);
    }
    // Columns past 2^26 (a 64 MB line) would share an id: harmless for naming classes.
    const key = line * 2 ** 26 + Math.min(column, 2 ** 26 - 1);
    let id = byPosition.get(key);
    if (id === undefined) {
      id = this.next++;
      byPosition.set(key, id);
    }
    return id;
  }
}

/**
 * Walks the dominator tree depth-first, adding a node's retained size to its class unless an
 * ancestor of the same class was already counted. Iterative, with explicit stacks.
 */
function classRetainedSizes(
  snapshot: HeapSnapshot,
  dominators: DominatorTree,
  aggregateOf: Uint32Array,
  retained: Float64Array,
): void {
  const { nodeCount, nodeSelfSize } = snapshot;
  const { idom, retainedSize } = dominators;
  // Children of each node in the dominator tree (CSR).
  const firstChild = new Uint32Array(nodeCount + 1);
  for (let node = 0; node < nodeCount; node++) if (node !== ROOT_ORDINAL) firstChild[idom[node]! + 1]!++;
  for (let node = 0; node < nodeCount; node++) firstChild[node + 1]! += firstChild[node]!;
  const children = new Uint32Array(Math.max(nodeCount - 1, 0));
  const fill = firstChild.slice(0, nodeCount);
  for (let node = 0; node < nodeCount; node++)
    if (node !== ROOT_ORDINAL) children[fill[idom[node]!]!++] = node;

  const seen = new Uint8Array(retained.length);
  const list = new Uint32Array(nodeCount);
  const marks = new Uint32Array(nodeCount + 1); // list length when a class was marked seen
  const markedClass = new Uint32Array(nodeCount + 1);
  let listLength = 0;
  let markCount = 0;
  list[listLength++] = ROOT_ORDINAL;
  while (listLength > 0) {
    const node = list[--listLength]!;
    const aggregate = aggregateOf[node]!;
    const from = firstChild[node]!;
    const to = firstChild[node + 1]!;
    if (seen[aggregate] === 0 && nodeSelfSize[node] !== 0) {
      retained[aggregate]! += retainedSize[node]!;
      if (from !== to) {
        seen[aggregate] = 1;
        marks[markCount] = listLength;
        markedClass[markCount++] = aggregate;
      }
    }
    for (let i = from; i < to; i++) list[listLength++] = children[i]!;
    while (markCount > 0 && marks[markCount - 1] === listLength) {
      seen[markedClass[--markCount]!] = 0;
    }
  }
}

function grow<T extends Float64Array | Uint32Array | Uint8Array>(array: T): T {
  const grown = new (array.constructor as new (length: number) => T)(array.length * 2);
  grown.set(array);
  return grown;
}
