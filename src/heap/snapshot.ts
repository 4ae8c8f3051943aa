import type { StringTable } from './string-table.ts';

/**
 * A parsed heap snapshot in column form: one typed array per field, indexed by node ordinal
 * (0…nodeCount-1) or edge index (0…edgeCount-1). No object per node: a multi-GB snapshot has tens of
 * millions of them. Edges are grouped by source node: node i owns edges firstEdge[i] … firstEdge[i+1]-1.
 */
export interface HeapSnapshot {
  readonly file: string;
  readonly nodeCount: number;
  readonly edgeCount: number;
  /** `meta.node_types[type]` and `meta.edge_types[type]` from the file. */
  readonly nodeTypeNames: readonly string[];
  readonly edgeTypeNames: readonly string[];

  readonly nodeType: Uint8Array;
  /** String index: class/constructor name for objects, the value for strings, description otherwise. */
  readonly nodeName: Uint32Array;
  /** V8 object id: stable across snapshots of one process, uint32 (exceeds 2^31 — no `| 0` on these). */
  readonly nodeId: Uint32Array;
  /** Self size; `SELF_SIZE_OVERFLOW` means the real value is in `largeSelfSizes`. */
  readonly nodeSelfSize: Uint32Array;
  readonly largeSelfSizes: ReadonlyMap<number, number>;
  readonly nodeDetachedness: Uint8Array | undefined;
  /** Length nodeCount + 1. */
  readonly firstEdge: Uint32Array;

  readonly edgeType: Uint8Array;
  /** String index for named edges, the index itself for element and hidden edges. */
  readonly edgeNameOrIndex: Uint32Array;
  /** Target node ordinal (the file stores ordinal × node field count; we divide once at parse time). */
  readonly edgeTo: Uint32Array;

  /** `locations`: node ordinal → script id, line, column (0-based), sorted by node ordinal. */
  readonly locationNode: Uint32Array;
  readonly locationScript: Uint32Array;
  readonly locationLine: Uint32Array;
  readonly locationColumn: Uint32Array;

  readonly strings: StringTable;
  /** Bytes V8 reports as allocated outside the heap objects it lists (Node ≥ 22 header field). */
  readonly extraNativeBytes: number;
}

export const SELF_SIZE_OVERFLOW = 0xffffffff;

/** Type indices resolved once per snapshot, so hot loops compare small integers. -1 if absent. */
export interface TypeIndices {
  node: {
    hidden: number;
    array: number;
    string: number;
    object: number;
    code: number;
    closure: number;
    regexp: number;
    number: number;
    native: number;
    synthetic: number;
    consString: number;
    slicedString: number;
    symbol: number;
    bigint: number;
    objectShape: number;
  };
  edge: {
    context: number;
    element: number;
    property: number;
    internal: number;
    hidden: number;
    shortcut: number;
    weak: number;
  };
}

export function typeIndices(snapshot: HeapSnapshot): TypeIndices {
  const n = (name: string) => snapshot.nodeTypeNames.indexOf(name);
  const e = (name: string) => snapshot.edgeTypeNames.indexOf(name);
  return {
    node: {
      hidden: n('hidden'),
      array: n('array'),
      string: n('string'),
      object: n('object'),
      code: n('code'),
      closure: n('closure'),
      regexp: n('regexp'),
      number: n('number'),
      native: n('native'),
      synthetic: n('synthetic'),
      consString: n('concatenated string'),
      slicedString: n('sliced string'),
      symbol: n('symbol'),
      bigint: n('bigint'),
      objectShape: n('object shape'),
    },
    edge: {
      context: e('context'),
      element: e('element'),
      property: e('property'),
      internal: e('internal'),
      hidden: e('hidden'),
      shortcut: e('shortcut'),
      weak: e('weak'),
    },
  };
}

export function selfSizeOf(snapshot: HeapSnapshot, ordinal: number): number {
  const size = snapshot.nodeSelfSize[ordinal]!;
  return size === SELF_SIZE_OVERFLOW ? (snapshot.largeSelfSizes.get(ordinal) ?? size) : size;
}

/** True when the edge's `name_or_index` is a string index (not an element/hidden index). */
export function edgeHasStringName(snapshot: HeapSnapshot, types: TypeIndices, edge: number): boolean {
  const type = snapshot.edgeType[edge];
  return type !== types.edge.element && type !== types.edge.hidden;
}

/** The edge's name as a user reads it: `cache`, `[42]`, or the internal name. */
export function edgeLabel(snapshot: HeapSnapshot, types: TypeIndices, edge: number): string {
  const nameOrIndex = snapshot.edgeNameOrIndex[edge]!;
  const type = snapshot.edgeType[edge];
  if (type === types.edge.element || type === types.edge.hidden) return `[${nameOrIndex}]`;
  return snapshot.strings.get(nameOrIndex);
}

/** Binary search in the sorted location table. */
export function locationIndexOf(snapshot: HeapSnapshot, ordinal: number): number {
  const nodes = snapshot.locationNode;
  let low = 0;
  let high = nodes.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const value = nodes[mid]!;
    if (value === ordinal) return mid;
    if (value < ordinal) low = mid + 1;
    else high = mid - 1;
  }
  return -1;
}
