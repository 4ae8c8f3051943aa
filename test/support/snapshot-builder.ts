/**
 * Builds tiny V8 heap snapshots for unit tests, the way DevTools' own tests do, instead of shipping
 * binary fixtures. The text is laid out byte for byte as `v8.writeHeapSnapshot` writes it (checked
 * against Node 20.20 and 24.21), so a parser tested on it is tested on what V8 really emits.
 *
 * The two layouts differ more than the shared ARCHITECTURE notes suggest:
 * - `node24` (V8 13.6, the pinned Node): node fields `type,name,id,self_size,edge_count,detachedness`
 *   (no `trace_node_id`, yet `node_types` keeps one spare `"number"`), 15 node types (no `wasm object`),
 *   `extra_native_bytes` in the header, and no newline inside any array: one line per section.
 * - `node20` (V8 11.3): seven node fields with `trace_node_id`, 16 node types, and a newline before the
 *   comma that starts each node, edge and location record and after each string of the string table.
 */
import { writeFileSync } from 'node:fs';
import { type StringEscapes, stringLiteral } from './snapshot-strings.ts';

export type { StringEscapes } from './snapshot-strings.ts';
export { asV8Writes } from './snapshot-strings.ts';

export type EdgeType = 'context' | 'element' | 'property' | 'internal' | 'hidden' | 'shortcut' | 'weak';

/** A node handle: the node's ordinal (0 for the synthetic root), in the order `node()` was called. */
export type NodeRef = number;

export interface NodeSpec {
  /** A V8 node type (`object`, `closure`, `string`, `native`, `synthetic`…) or one of `extraNodeTypes`. */
  type: string;
  name: string;
  /** Snapshot object id. Auto-assigned (odd, increasing, skipping ids given explicitly) when absent. */
  id?: number;
  selfSize?: number;
  /** 0 unknown, 1 attached, 2 detached (DOM-style; Node leaves it 0). */
  detachedness?: number;
  traceNodeId?: number;
}

export interface SourcePosition {
  scriptId: number;
  /** 0-based, as V8 records it. */
  line: number;
  /** 0-based, as V8 records it. */
  column: number;
}

export type SnapshotLayout = 'node24' | 'node20';

export interface SnapshotTextOptions {
  /** Which Node's serializer to imitate. Default `node24`, the pinned Node. */
  layout?: SnapshotLayout;
  /** No newline anywhere (V8 never does this; hand-made or re-serialized snapshots do). */
  compact?: boolean;
  /** `meta.node_fields` in this order. Must contain type, name, id, self_size and edge_count. */
  nodeFields?: readonly string[];
  /** Node types appended to the node type list in `meta.node_types`, usable as `NodeSpec.type`. */
  extraNodeTypes?: readonly string[];
  /** How strings are escaped. Default `v8`. */
  stringEscapes?: StringEscapes;
}

const edgeTypes: readonly EdgeType[] = [
  'context',
  'element',
  'property',
  'internal',
  'hidden',
  'shortcut',
  'weak',
];

const baseNodeTypes = [
  'hidden',
  'array',
  'string',
  'object',
  'code',
  'closure',
  'regexp',
  'number',
  'native',
  'synthetic',
  'concatenated string',
  'sliced string',
  'symbol',
  'bigint',
  'object shape',
];

const layouts: Record<SnapshotLayout, { nodeFields: readonly string[]; nodeTypes: readonly string[] }> = {
  node24: {
    nodeFields: ['type', 'name', 'id', 'self_size', 'edge_count', 'detachedness'],
    nodeTypes: baseNodeTypes,
  },
  node20: {
    nodeFields: ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'],
    nodeTypes: [...baseNodeTypes, 'wasm object'],
  },
};

const requiredNodeFields = ['type', 'name', 'id', 'self_size', 'edge_count'];
const knownNodeFields = new Set([...requiredNodeFields, 'trace_node_id', 'detachedness']);

interface BuiltNode {
  type: string;
  name: string;
  id: number;
  selfSize: number;
  detachedness: number;
  traceNodeId: number;
}

interface BuiltEdge {
  from: NodeRef;
  to: NodeRef;
  type: EdgeType;
  nameOrIndex: string | number;
}

/**
 * A heap graph under construction. Node 0 is V8's synthetic root (type `synthetic`, name '', id 1).
 *
 * @example
 * const b = new SnapshotBuilder();
 * const gcRoots = b.node({ type: 'synthetic', name: '(GC roots)' });
 * const foo = b.node({ type: 'object', name: 'Foo', selfSize: 32 });
 * b.edge(b.root, gcRoots, 'element', 1);
 * b.edge(gcRoots, foo, 'property', 'foo');
 * b.location(foo, { scriptId: 12, line: 3, column: 5 });
 * b.write('/tmp/tiny.heapsnapshot');
 */
export class SnapshotBuilder {
  readonly root: NodeRef = 0;
  readonly #nodes: BuiltNode[] = [];
  readonly #edges: BuiltEdge[] = [];
  readonly #locations: { node: NodeRef; position: SourcePosition }[] = [];
  readonly #usedIds = new Set<number>();
  #nextAutoId = 1;

  constructor() {
    this.node({ type: 'synthetic', name: '', id: 1 });
  }

  /** Adds a node and returns its handle. */
  node(spec: NodeSpec): NodeRef {
    let id = spec.id;
    if (id === undefined) {
      while (this.#usedIds.has(this.#nextAutoId)) this.#nextAutoId += 2;
      id = this.#nextAutoId;
      this.#nextAutoId += 2;
    } else if (!Number.isSafeInteger(id) || id < 0) {
      throw new RangeError(`node id must be a non-negative safe integer, got ${id}`);
    }
    this.#usedIds.add(id);
    this.#nodes.push({
      type: spec.type,
      name: spec.name,
      id,
      selfSize: spec.selfSize ?? 0,
      detachedness: spec.detachedness ?? 0,
      traceNodeId: spec.traceNodeId ?? 0,
    });
    return this.#nodes.length - 1;
  }

  /**
   * Adds an edge. `nameOrIndex` is a number for `element` and `hidden` edges (V8 writes the index
   * itself) and a string for every other type (V8 writes a string table index).
   */
  edge(from: NodeRef, to: NodeRef, type: EdgeType, nameOrIndex: string | number): void {
    this.#checkRef(from);
    this.#checkRef(to);
    if (!edgeTypes.includes(type)) throw new TypeError(`unknown edge type ${type}`);
    const indexed = type === 'element' || type === 'hidden';
    if (indexed !== (typeof nameOrIndex === 'number')) {
      throw new TypeError(
        `${type} edges take ${indexed ? 'a numeric index' : 'a string name'}, got ${nameOrIndex}`,
      );
    }
    this.#edges.push({ from, to, type, nameOrIndex });
  }

  /** Records where a closure or an object's constructor was defined (`locations` section). */
  location(node: NodeRef, position: SourcePosition): void {
    this.#checkRef(node);
    this.#locations.push({ node, position });
  }

  /** The id a node was given (explicitly or automatically). */
  idOf(node: NodeRef): number {
    this.#checkRef(node);
    return this.#nodes[node]!.id;
  }

  get nodeCount(): number {
    return this.#nodes.length;
  }

  get edgeCount(): number {
    return this.#edges.length;
  }

  /** The `.heapsnapshot` text. */
  text(options: SnapshotTextOptions = {}): string {
    const layout = options.layout ?? 'node24';
    const escapes = options.stringEscapes ?? 'v8';
    const nodeFields = options.nodeFields ?? layouts[layout].nodeFields;
    checkNodeFields(nodeFields);
    const nodeTypes = [...layouts[layout].nodeTypes, ...(options.extraNodeTypes ?? [])];
    const nodeFieldCount = nodeFields.length;

    // V8 numbers strings in the order the serializer first meets them (node names, then edge
    // names); index 0 is the "<dummy>" placeholder.
    const strings = new Map<string, number>([['<dummy>', 0]]);
    const stringId = (text: string): number => {
      let id = strings.get(text);
      if (id === undefined) {
        id = strings.size;
        strings.set(text, id);
      }
      return id;
    };

    const edgesBySource = groupEdgesBySource(this.#edges, this.#nodes.length);
    const nodeRecords = this.#nodes.map((node, ordinal) => {
      const typeIndex = nodeTypes.indexOf(node.type);
      if (typeIndex < 0) {
        throw new TypeError(
          `node ${ordinal} has type ${node.type}, not among node_types (use extraNodeTypes)`,
        );
      }
      const values: Record<string, number> = {
        type: typeIndex,
        name: stringId(node.name),
        id: node.id,
        self_size: node.selfSize,
        edge_count: edgesBySource[ordinal]!.length,
        trace_node_id: node.traceNodeId,
        detachedness: node.detachedness,
      };
      return nodeFields.map((field) => values[field]!).join(',');
    });
    const edgeRecords = edgesBySource.flat().map((edge) => {
      const name = typeof edge.nameOrIndex === 'number' ? edge.nameOrIndex : stringId(edge.nameOrIndex);
      return `${edgeTypes.indexOf(edge.type)},${name},${edge.to * nodeFieldCount}`;
    });
    const locationRecords = this.#locations.map(
      ({ node, position }) =>
        `${node * nodeFieldCount},${position.scriptId},${position.line},${position.column}`,
    );

    const meta = {
      node_fields: nodeFields,
      node_types: nodeFields.map((field) =>
        field === 'type' ? nodeTypes : field === 'name' ? 'string' : 'number',
      ),
      edge_fields: ['type', 'name_or_index', 'to_node'],
      edge_types: [edgeTypes, 'string_or_number', 'node'],
      trace_function_info_fields: ['function_id', 'name', 'script_name', 'script_id', 'line', 'column'],
      trace_node_fields: ['id', 'function_info_index', 'count', 'size', 'children'],
      sample_fields: ['timestamp_us', 'last_assigned_id'],
      location_fields: ['object_index', 'script_id', 'line', 'column'],
    };
    // V8 13 dropped trace_node_id from node_fields but not its entry in node_types.
    if (layout === 'node24' && options.nodeFields === undefined) meta.node_types.push('number');
    const header = {
      meta,
      node_count: this.#nodes.length,
      edge_count: this.#edges.length,
      trace_function_count: 0,
      ...(layout === 'node24' ? { extra_native_bytes: 0 } : {}),
    };

    const nl = options.compact ? '' : '\n';
    // node20 starts every record but the first on a new line; node24 writes each array on one line.
    const recordSeparator = layout === 'node20' ? `${nl},` : ',';
    const arrayEnd = layout === 'node20' && nl !== '' ? '\n]' : ']';
    const records = (list: string[]): string =>
      list.length === 0 ? '[]' : `[${list.join(recordSeparator)}${arrayEnd}`;
    const stringSeparator = layout === 'node20' ? `,${nl}` : ',';
    const stringTable = [...strings.keys()].map((text) => stringLiteral(text, escapes)).join(stringSeparator);

    return (
      `{"snapshot":${JSON.stringify(header)},${nl}` +
      `"nodes":${records(nodeRecords)},${nl}` +
      `"edges":${records(edgeRecords)},${nl}` +
      `"trace_function_infos":[],${nl}` +
      `"trace_tree":[],${nl}` +
      `"samples":[],${nl}` +
      `"locations":${records(locationRecords)},${nl}` +
      `"strings":[${stringTable}]}`
    );
  }

  /** Writes `text(options)` to `path`. */
  write(path: string, options?: SnapshotTextOptions): void {
    writeFileSync(path, this.text(options));
  }

  #checkRef(node: NodeRef): void {
    if (!Number.isInteger(node) || node < 0 || node >= this.#nodes.length) {
      throw new RangeError(`no node ${node} (the builder has ${this.#nodes.length})`);
    }
  }
}

function checkNodeFields(fields: readonly string[]): void {
  for (const field of fields) {
    if (!knownNodeFields.has(field)) throw new TypeError(`unknown node field ${field}`);
  }
  for (const field of requiredNodeFields) {
    if (!fields.includes(field)) throw new TypeError(`nodeFields must include ${field}`);
  }
}

/** Edges grouped by source node in node order, keeping call order within a node, as V8 writes them. */
function groupEdgesBySource(edges: readonly BuiltEdge[], nodeCount: number): BuiltEdge[][] {
  const groups: BuiltEdge[][] = Array.from({ length: nodeCount }, () => []);
  for (const edge of edges) groups[edge.from]!.push(edge);
  return groups;
}
