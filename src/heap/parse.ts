import { AbortedError, type SnapshotFormatCode, SnapshotFormatError } from '../errors.ts';
import { ByteReader } from './byte-reader.ts';
import { type NumberSectionErrors, NumberTokenizer, OVERFLOW_MARKER } from './parse-numbers.ts';
import type { HeapSnapshot } from './snapshot.ts';
import { StringTable } from './string-table.ts';

/**
 * Streaming parser for V8 `.heapsnapshot` files: bytes go straight into typed arrays sized from the
 * header. No `JSON.parse` or `toString` of a section (a JS string holds at most ~512 MB, which is what
 * breaks DevTools and memlab on big snapshots), so the only limit is memory for the arrays themselves.
 */

export interface ParseOptions {
  /** Called after each chunk read: bytes consumed so far and the file size. */
  onProgress?: (bytesRead: number, fileSize: number) => void;
  signal?: AbortSignal;
  /** Read buffer size; tests use tiny chunks to exercise values split across reads. */
  chunkSize?: number;
  /** Allocate the columns on SharedArrayBuffers so worker threads can work on them without copies. */
  shared?: boolean;
}

/** A typed array on a SharedArrayBuffer or an ordinary one. */
function allocate<T extends Uint8Array | Uint32Array>(
  Type: { new (buffer: ArrayBufferLike): T; new (length: number): T; BYTES_PER_ELEMENT: number },
  length: number,
  shared: boolean | undefined,
): T {
  return shared ? new Type(new SharedArrayBuffer(length * Type.BYTES_PER_ELEMENT)) : new Type(length);
}

export interface Header {
  nodeFields: string[];
  nodeTypeNames: string[];
  edgeFields: string[];
  edgeTypeNames: string[];
  locationFields: string[];
  nodeCount: number;
  edgeCount: number;
  extraNativeBytes: number;
}

const MAX_HEADER_BYTES = 16 << 20;
const EDGES_KEY = new TextEncoder().encode('"edges":[');
const LOCATIONS_KEY = new TextEncoder().encode('"locations":[');
const STRINGS_KEY = new TextEncoder().encode('"strings":[');
const MAX_UINT32 = 0xffffffff;

const CHAR_QUOTE = 0x22;
const CHAR_BACKSLASH = 0x5c;
const CHAR_COMMA = 0x2c;
const CHAR_COLON = 0x3a;
const CHAR_OPEN_BRACE = 0x7b;
const CHAR_CLOSE_BRACE = 0x7d;
const CHAR_OPEN_BRACKET = 0x5b;
const CHAR_CLOSE_BRACKET = 0x5d;

export function parseHeapSnapshot(file: string, options: ParseOptions = {}): HeapSnapshot {
  const reader = new ByteReader(file, options.chunkSize);
  try {
    return new SnapshotParser(reader, options).parse();
  } finally {
    reader.close();
  }
}

/** The largest object id in a snapshot, reading only as far as the end of its `nodes` section. */
export function readMaxObjectId(
  file: string,
  options: ParseOptions = {},
): { maxObjectId: number; nodeCount: number } {
  const reader = new ByteReader(file, options.chunkSize);
  try {
    const { nodeId, nodeCount } = new SnapshotParser(reader, options).parseNodesOnly();
    let maxObjectId = 0;
    for (let i = 0; i < nodeCount; i++) if (nodeId[i]! > maxObjectId) maxObjectId = nodeId[i]!;
    return { maxObjectId, nodeCount };
  } finally {
    reader.close();
  }
}

interface NodeColumns {
  nodeType: Uint8Array;
  nodeName: Uint32Array;
  nodeId: Uint32Array;
  nodeSelfSize: Uint32Array;
  largeSelfSizes: Map<number, number>;
  nodeDetachedness: Uint8Array | undefined;
  firstEdge: Uint32Array;
  maxNameIndex: number;
}

export interface EdgeColumns {
  edgeType: Uint8Array;
  edgeNameOrIndex: Uint32Array;
  edgeTo: Uint32Array;
  maxStringNameIndex: number;
}

interface Locations {
  locationNode: Uint32Array;
  locationScript: Uint32Array;
  locationLine: Uint32Array;
  locationColumn: Uint32Array;
}

export class SnapshotParser {
  private readonly reader: ByteReader;
  private readonly options: ParseOptions;
  private header: Header | undefined;
  private nodes: NodeColumns | undefined;
  private edges: EdgeColumns | undefined;
  private locations: Locations | undefined;
  private strings: StringTable | undefined;

  constructor(reader: ByteReader, options: ParseOptions) {
    this.reader = reader;
    this.options = options;
    reader.onChunk = () => this.reportProgress();
  }

  parse(): HeapSnapshot {
    this.readMembers(false);
    return this.finish();
  }

  /** Reads up to the end of `nodes` only: enough for object ids, a quarter of the file's work. */
  parseNodesOnly(): { nodeId: Uint32Array; nodeCount: number } {
    this.readMembers(true);
    if (this.header === undefined || this.nodes === undefined) {
      this.fail('ERR_SNAPSHOT_NOT_A_SNAPSHOT', 'not a complete V8 heap snapshot: no "nodes" section');
    }
    return { nodeId: this.nodes.nodeId, nodeCount: this.header.nodeCount };
  }

  /**
   * Parallel mode, first step: the opening brace and the "snapshot" header. Undefined when the file
   * does not start the way V8 writes it (the caller then parses sequentially).
   */
  parseHead(): Header | undefined {
    this.prologue();
    if (this.peekNonSpace() !== CHAR_QUOTE || this.readKey() !== 'snapshot') return undefined;
    if (this.peekNonSpace() !== CHAR_COLON) return undefined;
    this.reader.position++;
    this.header = this.parseHeader();
    return this.header;
  }

  /** Parallel mode: `nodes`, which V8 writes right after the header. False when it is not next. */
  parseNodesNext(): boolean {
    if (this.peekNonSpace() !== CHAR_COMMA) return false;
    this.reader.position++;
    if (this.peekNonSpace() !== CHAR_QUOTE || this.readKey() !== 'nodes') return false;
    if (this.peekNonSpace() !== CHAR_COLON) return false;
    this.reader.position++;
    this.nodes = this.parseNodes(this.header!);
    return true;
  }

  /** Parallel mode, on a worker: finds the `edges` key at or after `from` and parses the section. */
  parseEdgesAfter(from: number, header: Header): { edges: EdgeColumns; end: number } {
    const at = this.reader.indexOf(EDGES_KEY, from);
    if (at < 0)
      this.fail('ERR_SNAPSHOT_NOT_A_SNAPSHOT', 'not a complete V8 heap snapshot: no "edges" section');
    this.reader.seek(at + EDGES_KEY.length - 1);
    const edges = this.parseEdges(header);
    return { edges, end: this.reader.offset };
  }

  /**
   * Parallel mode: `locations` and `strings` at offsets found by searching from the end of the file
   * (their keys cannot occur inside the data: quotes inside strings are escaped), then the end.
   */
  parseTail(locationsAt: number, stringsAt: number): void {
    const header = this.header!;
    if (locationsAt >= 0) {
      this.reader.seek(locationsAt + LOCATIONS_KEY.length - 1);
      this.locations = this.parseLocations(header);
    }
    this.reader.seek(stringsAt + STRINGS_KEY.length - 1);
    this.strings = this.parseStrings();
    const c = this.peekNonSpace();
    if (c !== CHAR_CLOSE_BRACE) this.unexpected(c, 'the end of the snapshot object');
    this.reader.position++;
    if (this.peekNonSpace() !== -1) {
      this.fail('ERR_SNAPSHOT_NOT_JSON', 'unexpected data after the snapshot', this.reader.offset);
    }
  }

  /** Parallel mode, last step: the edges parsed elsewhere join the rest. */
  assemble(edges: EdgeColumns): HeapSnapshot {
    this.edges = edges;
    return this.finish();
  }

  /** Where the parallel tail sections start; undefined when they cannot be found that way. */
  findTail(notBefore: number): { locationsAt: number; stringsAt: number } | undefined {
    const stringsAt = this.reader.lastIndexOf(STRINGS_KEY, notBefore);
    if (stringsAt < 0) return undefined;
    const locationsAt = this.reader.lastIndexOf(LOCATIONS_KEY, notBefore);
    return { locationsAt: locationsAt < stringsAt ? locationsAt : -1, stringsAt };
  }

  /** Whether the file starts like a JSON value other than an object ([, ", a number, true, false, null). */
  private startsJsonValue(first: number): boolean {
    if (first === CHAR_OPEN_BRACKET || first === CHAR_QUOTE || (first >= 0x30 && first <= 0x39)) return true;
    const reader = this.reader;
    const text = Buffer.from(
      reader.buffer.subarray(reader.position, Math.min(reader.length, reader.position + 6)),
    ).toString('latin1');
    return /^(?:-[0-9]|(?:true|false|null)\b)/.test(text);
  }

  /** True when the file's last non-whitespace byte is '}', as in every complete snapshot. */
  private endsWithClosingBrace(): boolean {
    const size = this.reader.fileSize;
    const tail = this.reader.readAt(Math.max(0, size - 64), Math.min(64, size));
    for (let i = tail.length - 1; i >= 0; i--) {
      const c = tail[i]!;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
      return c === CHAR_CLOSE_BRACE;
    }
    return false;
  }

  private prologue(): void {
    const reader = this.reader;
    if (reader.fileSize === 0) {
      this.fail(
        'ERR_SNAPSHOT_EMPTY',
        'the file is empty (0 bytes) — was the process killed while writing the snapshot?',
      );
    }
    reader.refill();
    this.skipByteOrderMark();
    const first = this.peekNonSpace();
    if (first !== CHAR_OPEN_BRACE) {
      if (this.startsJsonValue(first)) {
        this.fail('ERR_SNAPSHOT_NOT_A_SNAPSHOT', 'this JSON is not a V8 heap snapshot (expected an object)');
      }
      this.fail('ERR_SNAPSHOT_NOT_JSON', 'not a heap snapshot: the file is not JSON', reader.offset);
    }
    reader.position++;
  }

  private readMembers(stopAfterNodes: boolean): void {
    const reader = this.reader;
    this.prologue();
    let firstKey = true;
    for (;;) {
      let c = this.peekNonSpace();
      if (c === CHAR_CLOSE_BRACE && firstKey) {
        reader.position++;
        break;
      }
      const key = this.readKey();
      c = this.peekNonSpace();
      if (c !== CHAR_COLON) this.unexpected(c, 'a colon after a key');
      reader.position++;
      this.peekNonSpace();
      this.parseMember(key);
      if (stopAfterNodes && this.nodes !== undefined) return;
      firstKey = false;
      c = this.peekNonSpace();
      if (c === CHAR_COMMA) {
        reader.position++;
        continue;
      }
      if (c === CHAR_CLOSE_BRACE) {
        reader.position++;
        break;
      }
      this.unexpected(c, 'a comma or the end of the snapshot object');
    }
    const trailing = this.peekNonSpace();
    if (trailing !== -1)
      this.fail('ERR_SNAPSHOT_NOT_JSON', 'unexpected data after the snapshot', reader.offset);
  }

  private parseMember(key: string): void {
    switch (key) {
      case 'snapshot':
        this.header = this.parseHeader();
        return;
      case 'nodes':
        this.nodes = this.parseNodes(this.requireHeader('nodes'));
        return;
      case 'edges':
        this.edges = this.parseEdges(this.requireHeader('edges'));
        return;
      case 'locations':
        this.locations = this.parseLocations(this.requireHeader('locations'));
        return;
      case 'strings':
        this.strings = this.parseStrings();
        return;
      default:
        // trace_function_infos, trace_tree, samples and anything a future V8 adds.
        this.skipValue();
    }
  }

  private requireHeader(section: string): Header {
    if (this.header === undefined) {
      this.fail(
        'ERR_SNAPSHOT_NOT_A_SNAPSHOT',
        `not a V8 heap snapshot: "${section}" comes before the "snapshot" header`,
      );
    }
    return this.header;
  }

  private finish(): HeapSnapshot {
    const header = this.header;
    if (header === undefined) {
      this.fail('ERR_SNAPSHOT_NOT_A_SNAPSHOT', 'this JSON is not a V8 heap snapshot (no "snapshot" header)');
    }
    const missing = (['nodes', 'edges', 'strings'] as const).filter((section) => this[section] === undefined);
    if (missing.length > 0) {
      this.fail(
        'ERR_SNAPSHOT_NOT_A_SNAPSHOT',
        `not a complete V8 heap snapshot: no ${missing.map((name) => `"${name}"`).join(', ')} section`,
      );
    }
    const nodes = this.nodes!;
    const edges = this.edges!;
    const strings = this.strings!;
    if (nodes.maxNameIndex >= strings.size && header.nodeCount > 0) {
      this.fail(
        'ERR_SNAPSHOT_INCONSISTENT',
        `a node names string #${nodes.maxNameIndex} but the snapshot has only ${strings.size} strings`,
      );
    }
    if (edges.maxStringNameIndex >= strings.size && header.edgeCount > 0) {
      this.fail(
        'ERR_SNAPSHOT_INCONSISTENT',
        `an edge names string #${edges.maxStringNameIndex} but the snapshot has only ${strings.size} strings`,
      );
    }
    strings.trim();
    const locations = this.locations ?? {
      locationNode: new Uint32Array(0),
      locationScript: new Uint32Array(0),
      locationLine: new Uint32Array(0),
      locationColumn: new Uint32Array(0),
    };
    return {
      file: this.reader.file,
      nodeCount: header.nodeCount,
      edgeCount: header.edgeCount,
      nodeTypeNames: header.nodeTypeNames,
      edgeTypeNames: header.edgeTypeNames,
      nodeType: nodes.nodeType,
      nodeName: nodes.nodeName,
      nodeId: nodes.nodeId,
      nodeSelfSize: nodes.nodeSelfSize,
      largeSelfSizes: nodes.largeSelfSizes,
      nodeDetachedness: nodes.nodeDetachedness,
      firstEdge: nodes.firstEdge,
      edgeType: edges.edgeType,
      edgeNameOrIndex: edges.edgeNameOrIndex,
      edgeTo: edges.edgeTo,
      ...locations,
      strings,
      extraNativeBytes: header.extraNativeBytes,
    };
  }

  // ---- header -------------------------------------------------------------------------------------

  private parseHeader(): Header {
    const text = this.readBalancedObject();
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      this.fail('ERR_SNAPSHOT_NOT_JSON', 'the "snapshot" header is not valid JSON', undefined, error);
    }
    const header = raw as {
      meta?: Record<string, unknown>;
      node_count?: unknown;
      edge_count?: unknown;
      extra_native_bytes?: unknown;
    };
    const meta = header.meta;
    if (meta === undefined || meta === null || typeof meta !== 'object') {
      this.fail('ERR_SNAPSHOT_NOT_A_SNAPSHOT', 'not a V8 heap snapshot: the header has no "meta"');
    }
    const nodeFields = stringArray(meta.node_fields);
    const edgeFields = stringArray(meta.edge_fields);
    const nodeTypes = Array.isArray(meta.node_types) ? meta.node_types : undefined;
    const edgeTypes = Array.isArray(meta.edge_types) ? meta.edge_types : undefined;
    if (nodeFields === undefined || edgeFields === undefined || !nodeTypes || !edgeTypes) {
      this.fail('ERR_SNAPSHOT_NOT_A_SNAPSHOT', 'not a V8 heap snapshot: "meta" lacks the node/edge layout');
    }
    for (const field of ['type', 'name', 'id', 'self_size', 'edge_count']) {
      if (!nodeFields.includes(field)) {
        this.fail('ERR_SNAPSHOT_NOT_A_SNAPSHOT', `unsupported snapshot layout: node_fields lacks "${field}"`);
      }
    }
    for (const field of ['type', 'name_or_index', 'to_node']) {
      if (!edgeFields.includes(field)) {
        this.fail('ERR_SNAPSHOT_NOT_A_SNAPSHOT', `unsupported snapshot layout: edge_fields lacks "${field}"`);
      }
    }
    const nodeTypeNames = stringArray(nodeTypes[nodeFields.indexOf('type')]);
    const edgeTypeNames = stringArray(edgeTypes[edgeFields.indexOf('type')]);
    if (nodeTypeNames === undefined || edgeTypeNames === undefined) {
      this.fail(
        'ERR_SNAPSHOT_NOT_A_SNAPSHOT',
        'unsupported snapshot layout: node or edge types are not listed',
      );
    }
    if (nodeTypeNames.length > 255 || edgeTypeNames.length > 255) {
      this.fail(
        'ERR_SNAPSHOT_NOT_A_SNAPSHOT',
        'unsupported snapshot layout: more than 255 node or edge types',
      );
    }
    const nodeCount = header.node_count;
    const edgeCount = header.edge_count;
    if (!isCount(nodeCount) || !isCount(edgeCount)) {
      this.fail('ERR_SNAPSHOT_NOT_A_SNAPSHOT', 'not a V8 heap snapshot: no valid node_count/edge_count');
    }
    // Every value takes at least two bytes ("0,"): a header claiming more than the file can hold is
    // corrupt, and trusting it would try to allocate arrays the machine cannot give.
    const fileSize = this.reader.fileSize;
    if (nodeCount * nodeFields.length * 2 > fileSize || edgeCount * edgeFields.length * 2 > fileSize) {
      // A file cut short (a process killed while writing) fails this test too: say so when it does
      // not end the way a complete snapshot does.
      if (!this.endsWithClosingBrace()) this.truncated('the snapshot');
      this.fail(
        'ERR_SNAPSHOT_INCONSISTENT',
        `the header claims ${nodeCount} nodes and ${edgeCount} edges, more than a file of ${fileSize} bytes can hold`,
      );
    }
    if (nodeCount >= MAX_UINT32 || edgeCount >= MAX_UINT32) {
      this.fail('ERR_SNAPSHOT_INCONSISTENT', 'more than 2^32 nodes or edges are not supported');
    }
    const extra = header.extra_native_bytes;
    return {
      nodeFields,
      nodeTypeNames,
      edgeFields,
      edgeTypeNames,
      locationFields: stringArray(meta.location_fields) ?? ['object_index', 'script_id', 'line', 'column'],
      nodeCount,
      edgeCount,
      extraNativeBytes: typeof extra === 'number' && Number.isFinite(extra) ? extra : 0,
    };
  }

  // ---- number sections ----------------------------------------------------------------------------

  private parseNodes(header: Header): NodeColumns {
    this.expectOpenBracket('nodes');
    const nodeCount = header.nodeCount;
    const fields = header.nodeFields;
    const fieldCount = fields.length;
    const typeOffset = fields.indexOf('type');
    const nameOffset = fields.indexOf('name');
    const idOffset = fields.indexOf('id');
    const selfSizeOffset = fields.indexOf('self_size');
    const edgeCountOffset = fields.indexOf('edge_count');
    const detachednessOffset = fields.indexOf('detachedness');
    const typeCount = header.nodeTypeNames.length;
    const nodeType = allocate(Uint8Array, nodeCount, this.options.shared);
    const nodeName = allocate(Uint32Array, nodeCount, this.options.shared);
    const nodeId = allocate(Uint32Array, nodeCount, this.options.shared);
    const nodeSelfSize = allocate(Uint32Array, nodeCount, this.options.shared);
    const nodeDetachedness =
      detachednessOffset >= 0 ? allocate(Uint8Array, nodeCount, this.options.shared) : undefined;
    const firstEdge = allocate(Uint32Array, nodeCount + 1, this.options.shared);
    const largeSelfSizes = new Map<number, number>();
    const tokenizer = new NumberTokenizer(this.reader, this.numberErrors('nodes'));
    let ordinal = 0;
    let edgeSum = 0;
    let maxNameIndex = 0;
    let closed = false;
    while (!closed) {
      closed = tokenizer.fill();
      const values = tokenizer.values;
      const available = tokenizer.count;
      let j = 0;
      // Whole records only; a record cut by the scratch boundary waits for the next round.
      for (; j + fieldCount <= available; j += fieldCount) {
        if (ordinal === nodeCount) this.countMismatch('nodes', nodeCount, 'more');
        const type = values[j + typeOffset]!;
        if (type >= typeCount) this.badValue(`node #${ordinal} has unknown type ${type}`);
        nodeType[ordinal] = type;
        const name = values[j + nameOffset]!;
        if (name === OVERFLOW_MARKER) this.badValue(`node #${ordinal} names a string beyond 32 bits`);
        nodeName[ordinal] = name;
        if (name > maxNameIndex) maxNameIndex = name;
        const id = values[j + idOffset]!;
        if (id === OVERFLOW_MARKER && tokenizer.exact(tokenizer.consumed + j + idOffset) > OVERFLOW_MARKER) {
          this.badValue(`node #${ordinal} has an id beyond V8's 32-bit ids`);
        }
        nodeId[ordinal] = id;
        const selfSize = values[j + selfSizeOffset]!;
        if (selfSize === OVERFLOW_MARKER) {
          largeSelfSizes.set(ordinal, tokenizer.exact(tokenizer.consumed + j + selfSizeOffset));
        }
        nodeSelfSize[ordinal] = selfSize;
        const edges = values[j + edgeCountOffset]!;
        if (edges === OVERFLOW_MARKER) this.badValue(`node #${ordinal} claims more than 2^32 edges`);
        firstEdge[ordinal + 1] = edges;
        edgeSum += edges;
        if (nodeDetachedness !== undefined) nodeDetachedness[ordinal] = values[j + detachednessOffset]!;
        ordinal++;
      }
      tokenizer.keep(j);
    }
    if (ordinal !== nodeCount || tokenizer.count !== 0) this.countMismatch('nodes', nodeCount, 'fewer');
    if (edgeSum !== header.edgeCount) {
      this.fail(
        'ERR_SNAPSHOT_INCONSISTENT',
        `the nodes own ${edgeSum} edges in total but the header says edge_count is ${header.edgeCount}`,
      );
    }
    // Prefix sums turn per-node edge counts into each node's first edge index.
    for (let i = 0; i < nodeCount; i++) firstEdge[i + 1]! += firstEdge[i]!;
    return {
      nodeType,
      nodeName,
      nodeId,
      nodeSelfSize,
      largeSelfSizes,
      nodeDetachedness,
      firstEdge,
      maxNameIndex,
    };
  }

  private parseEdges(header: Header): EdgeColumns {
    this.expectOpenBracket('edges');
    const edgeCount = header.edgeCount;
    const nodeFieldCount = header.nodeFields.length;
    const fields = header.edgeFields;
    const fieldCount = fields.length;
    const typeOffset = fields.indexOf('type');
    const nameOffset = fields.indexOf('name_or_index');
    const toOffset = fields.indexOf('to_node');
    const typeCount = header.edgeTypeNames.length;
    // Element and hidden edges carry an index, not a string: their values are not checked against the table.
    const indexEdgeTypes = new Uint8Array(256);
    header.edgeTypeNames.forEach((name, index) => {
      if (name === 'element' || name === 'hidden') indexEdgeTypes[index] = 1;
    });
    const edgeType = allocate(Uint8Array, edgeCount, this.options.shared);
    const edgeNameOrIndex = allocate(Uint32Array, edgeCount, this.options.shared);
    const edgeTo = allocate(Uint32Array, edgeCount, this.options.shared);
    const nodeIndexLimit = header.nodeCount * nodeFieldCount;
    const tokenizer = new NumberTokenizer(this.reader, this.numberErrors('edges'));
    let edge = 0;
    let maxStringNameIndex = 0;
    let closed = false;
    while (!closed) {
      closed = tokenizer.fill();
      const values = tokenizer.values;
      const available = tokenizer.count;
      let j = 0;
      for (; j + fieldCount <= available; j += fieldCount) {
        if (edge === edgeCount) this.countMismatch('edges', edgeCount, 'more');
        const type = values[j + typeOffset]!;
        if (type >= typeCount) this.badValue(`edge #${edge} has unknown type ${type}`);
        edgeType[edge] = type;
        const name = values[j + nameOffset]!;
        if (
          name === OVERFLOW_MARKER &&
          tokenizer.exact(tokenizer.consumed + j + nameOffset) > OVERFLOW_MARKER
        ) {
          this.badValue(`edge #${edge} has a name or index beyond 32 bits`);
        }
        edgeNameOrIndex[edge] = name;
        if (indexEdgeTypes[type] === 0 && name > maxStringNameIndex) maxStringNameIndex = name;
        const to = values[j + toOffset]!;
        const target = to / nodeFieldCount;
        if (to >= nodeIndexLimit || target !== Math.floor(target)) {
          this.badValue(`edge #${edge} points to node index ${to}, which is not a node`);
        }
        edgeTo[edge] = target;
        edge++;
      }
      tokenizer.keep(j);
    }
    if (edge !== edgeCount || tokenizer.count !== 0) this.countMismatch('edges', edgeCount, 'fewer');
    return { edgeType, edgeNameOrIndex, edgeTo, maxStringNameIndex };
  }

  private numberErrors(section: string): NumberSectionErrors {
    return {
      truncated: () => this.truncated(section),
      unexpected: (byte, offset) => {
        this.reader.position = Math.max(0, offset - this.reader.bufferOffset);
        return this.unexpected(byte, `a number in "${section}"`);
      },
      tooLarge: (offset) => this.numberTooLarge(section, offset),
    };
  }

  private parseLocations(header: Header): Locations {
    // V8 writes -1 for a line or column it does not know (seen for code compiled in vm contexts, as
    // test runners do); read it as 0 rather than reject the snapshot.
    const values = this.parseUintArray('locations', 0);
    const fields = header.locationFields;
    const fieldCount = fields.length;
    const objectOffset = fields.indexOf('object_index');
    const scriptOffset = fields.indexOf('script_id');
    const lineOffset = fields.indexOf('line');
    const columnOffset = fields.indexOf('column');
    if (fieldCount === 0 || values.length % fieldCount !== 0 || objectOffset < 0) {
      this.fail('ERR_SNAPSHOT_INCONSISTENT', '"locations" does not match meta.location_fields');
    }
    const count = values.length / fieldCount;
    const nodeFieldCount = header.nodeFields.length;
    const order = new Uint32Array(count);
    for (let i = 0; i < count; i++) order[i] = i;
    const nodeOf = (i: number) => values[i * fieldCount + objectOffset]! / nodeFieldCount;
    // V8 writes locations in node order already; sort only if it did not, so lookups can binary-search.
    let sorted = true;
    for (let i = 1; i < count && sorted; i++) if (nodeOf(i - 1) > nodeOf(i)) sorted = false;
    if (!sorted) order.sort((a, b) => nodeOf(a) - nodeOf(b));
    const locationNode = new Uint32Array(count);
    const locationScript = new Uint32Array(count);
    const locationLine = new Uint32Array(count);
    const locationColumn = new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      const base = order[i]! * fieldCount;
      const ordinal = values[base + objectOffset]! / nodeFieldCount;
      if (ordinal !== Math.floor(ordinal) || ordinal >= header.nodeCount) {
        this.fail(
          'ERR_SNAPSHOT_INCONSISTENT',
          `a location refers to node index ${values[base + objectOffset]}, which is not a node`,
        );
      }
      locationNode[i] = ordinal;
      locationScript[i] = scriptOffset < 0 ? 0 : values[base + scriptOffset]!;
      locationLine[i] = lineOffset < 0 ? 0 : values[base + lineOffset]!;
      locationColumn[i] = columnOffset < 0 ? 0 : values[base + columnOffset]!;
    }
    return { locationNode, locationScript, locationLine, locationColumn };
  }

  /** A flat array of non-negative integers of unknown length, into a growing Uint32Array. */
  private parseUintArray(section: string, negativeAs?: number): Uint32Array {
    this.expectOpenBracket(section);
    const tokenizer = new NumberTokenizer(this.reader, this.numberErrors(section), negativeAs);
    let out = new Uint32Array(1 << 16);
    let count = 0;
    let closed = false;
    while (!closed) {
      closed = tokenizer.fill();
      if (tokenizer.overflow.size > 0) this.badValue(`"${section}" holds a value beyond 32 bits`);
      if (count + tokenizer.count > out.length) {
        const grown = new Uint32Array(Math.max(out.length * 2, count + tokenizer.count));
        grown.set(out.subarray(0, count));
        out = grown;
      }
      out.set(tokenizer.values.subarray(0, tokenizer.count), count);
      count += tokenizer.count;
      tokenizer.keep(tokenizer.count);
    }
    return out.slice(0, count);
  }

  // ---- strings ------------------------------------------------------------------------------------

  /**
   * Copies the section's bytes into the table a chunk at a time and records where each string starts
   * and how long it is; nothing is decoded here.
   */
  private parseStrings(): StringTable {
    this.expectOpenBracket('strings');
    const reader = this.reader;
    const table = new StringTable({ shared: this.options.shared === true });
    let inString = false;
    let escapeNext = false;
    let expectValue = true;
    let start = 0;
    for (;;) {
      if (reader.position === reader.length && !this.readMore()) this.truncated('strings');
      const buffer = reader.buffer;
      const chunkStart = reader.position;
      const end = reader.length;
      // Table offset of buffer[i] is base + i, because buffer[chunkStart…i) is appended below.
      const base = table.appendOffset - chunkStart;
      let i = chunkStart;
      let finished = false;
      for (; i < end; i++) {
        const c = buffer[i]!;
        if (inString) {
          if (escapeNext) escapeNext = false;
          else if (c === CHAR_BACKSLASH) escapeNext = true;
          else if (c === CHAR_QUOTE) {
            table.record(start, base + i - start);
            inString = false;
            expectValue = false;
          } else if (c < 0x20) {
            reader.position = i;
            this.fail('ERR_SNAPSHOT_NOT_JSON', 'a control character inside a string', reader.offset);
          }
        } else if (c === CHAR_QUOTE && expectValue) {
          inString = true;
          start = base + i + 1;
        } else if (c === CHAR_COMMA && !expectValue) {
          expectValue = true;
        } else if (c === CHAR_CLOSE_BRACKET && (!expectValue || table.size === 0)) {
          finished = true;
          break;
        } else if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
          reader.position = i;
          this.unexpected(c, expectValue ? 'a string in "strings"' : 'a comma or "]" in "strings"');
        }
      }
      table.append(buffer.subarray(chunkStart, i));
      reader.position = finished ? i + 1 : i;
      if (finished) return table;
    }
  }

  // ---- generic JSON -------------------------------------------------------------------------------

  /** Skips any JSON value (used for trace_tree, samples and unknown sections). */
  private skipValue(): void {
    const reader = this.reader;
    let depth = 0;
    let inString = false;
    let escapeNext = false;
    let sawValue = false;
    for (;;) {
      if (reader.position === reader.length) this.nextChunk('a section');
      const c = reader.buffer[reader.position]!;
      if (inString) {
        reader.position++;
        if (escapeNext) escapeNext = false;
        else if (c === CHAR_BACKSLASH) escapeNext = true;
        else if (c === CHAR_QUOTE) {
          inString = false;
          if (depth === 0) return;
        }
        continue;
      }
      if (c === CHAR_QUOTE) {
        inString = true;
        sawValue = true;
        reader.position++;
        continue;
      }
      if (c === CHAR_OPEN_BRACE || c === CHAR_OPEN_BRACKET) {
        depth++;
        sawValue = true;
        reader.position++;
        continue;
      }
      if (c === CHAR_CLOSE_BRACE || c === CHAR_CLOSE_BRACKET) {
        if (depth === 0) return;
        depth--;
        reader.position++;
        if (depth === 0) return;
        continue;
      }
      if (depth === 0 && sawValue && (c === CHAR_COMMA || c <= 0x20)) return;
      if (c > 0x20) sawValue = true;
      reader.position++;
    }
  }

  /** The raw text of a balanced `{…}` (the small "snapshot" header), for JSON.parse. */
  private readBalancedObject(): string {
    const reader = this.reader;
    if (this.peekNonSpace() !== CHAR_OPEN_BRACE) {
      this.fail('ERR_SNAPSHOT_NOT_A_SNAPSHOT', 'not a V8 heap snapshot: "snapshot" is not an object');
    }
    const parts: Uint8Array[] = [];
    let total = 0;
    let depth = 0;
    let inString = false;
    let escapeNext = false;
    for (;;) {
      if (reader.position === reader.length) this.nextChunk('the "snapshot" header');
      const buffer = reader.buffer;
      const start = reader.position;
      let i = start;
      let done = false;
      for (; i < reader.length; i++) {
        const c = buffer[i]!;
        if (inString) {
          if (escapeNext) escapeNext = false;
          else if (c === CHAR_BACKSLASH) escapeNext = true;
          else if (c === CHAR_QUOTE) inString = false;
        } else if (c === CHAR_QUOTE) inString = true;
        else if (c === CHAR_OPEN_BRACE || c === CHAR_OPEN_BRACKET) depth++;
        else if (c === CHAR_CLOSE_BRACE || c === CHAR_CLOSE_BRACKET) {
          depth--;
          if (depth === 0) {
            i++;
            done = true;
            break;
          }
        }
      }
      parts.push(buffer.slice(start, i));
      total += i - start;
      reader.position = i;
      if (total > MAX_HEADER_BYTES) {
        this.fail(
          'ERR_SNAPSHOT_NOT_A_SNAPSHOT',
          'not a V8 heap snapshot: the "snapshot" header is implausibly large',
        );
      }
      if (done) break;
    }
    return Buffer.concat(parts).toString('utf8');
  }

  /** Reads a short JSON string used as an object key. */
  private readKey(): string {
    const reader = this.reader;
    const c = this.peekNonSpace();
    if (c !== CHAR_QUOTE) this.unexpected(c, 'a key');
    reader.position++;
    const bytes: number[] = [];
    for (;;) {
      if (reader.position === reader.length) this.nextChunk('a key');
      const b = reader.buffer[reader.position++]!;
      if (b === CHAR_QUOTE) break;
      if (b === CHAR_BACKSLASH) {
        if (reader.position === reader.length) this.nextChunk('a key');
        bytes.push(b, reader.buffer[reader.position++]!);
        continue;
      }
      bytes.push(b);
      if (bytes.length > 1024)
        this.fail('ERR_SNAPSHOT_NOT_A_SNAPSHOT', 'not a V8 heap snapshot: a key is too long');
    }
    const text = Buffer.from(bytes).toString('utf8');
    try {
      return JSON.parse(`"${text}"`) as string;
    } catch {
      return text;
    }
  }

  /** The next non-whitespace byte without consuming it, or -1 at end of file. */
  private peekNonSpace(): number {
    const reader = this.reader;
    for (;;) {
      if (reader.position === reader.length && !this.readMore()) return -1;
      const c = reader.buffer[reader.position]!;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        reader.position++;
        continue;
      }
      return c;
    }
  }

  private expectOpenBracket(section: string): void {
    const c = this.peekNonSpace();
    if (c !== CHAR_OPEN_BRACKET) {
      if (c === -1) this.truncated(section);
      this.fail(
        'ERR_SNAPSHOT_NOT_A_SNAPSHOT',
        `not a V8 heap snapshot: "${section}" is not an array`,
        this.reader.offset,
      );
    }
    this.reader.position++;
  }

  private skipByteOrderMark(): void {
    const reader = this.reader;
    if (
      reader.length >= 3 &&
      reader.buffer[0] === 0xef &&
      reader.buffer[1] === 0xbb &&
      reader.buffer[2] === 0xbf
    ) {
      reader.position = 3;
    }
  }

  private readMore(): boolean {
    return this.reader.refill();
  }

  /** Refills inside a section: the file ending there means it was cut short. */
  private nextChunk(section: string): void {
    if (!this.readMore()) this.truncated(section);
  }

  private reportProgress(): void {
    const { signal, onProgress } = this.options;
    if (signal?.aborted) throw new AbortedError('Snapshot parsing was aborted.');
    onProgress?.(Math.min(this.reader.bufferOffset, this.reader.fileSize), this.reader.fileSize);
  }

  // ---- errors -------------------------------------------------------------------------------------

  private fail(code: SnapshotFormatCode, message: string, offset?: number, cause?: unknown): never {
    throw new SnapshotFormatError(
      code,
      this.reader.file,
      message,
      offset,
      cause === undefined ? undefined : { cause },
    );
  }

  private truncated(section: string): never {
    this.fail(
      'ERR_SNAPSHOT_TRUNCATED',
      `the file ends in the middle of ${section.startsWith('"') || section.includes(' ') ? section : `"${section}"`} — the snapshot is truncated (was the process killed while writing it, or the disk full?)`,
      this.reader.fileSize,
    );
  }

  private unexpected(c: number, expected: string): never {
    if (c === -1) this.truncated('the snapshot');
    const shown =
      c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
    this.fail(
      'ERR_SNAPSHOT_NOT_JSON',
      `expected ${expected} but found ${shown}: not a valid heap snapshot`,
      this.reader.offset,
    );
  }

  private countMismatch(section: 'nodes' | 'edges', declared: number, direction: 'more' | 'fewer'): never {
    const countName = section === 'nodes' ? 'node_count' : 'edge_count';
    this.fail(
      'ERR_SNAPSHOT_INCONSISTENT',
      `"${section}" holds ${direction} values than ${countName} (${declared}) × ${section === 'nodes' ? 'node' : 'edge'} fields`,
      this.reader.offset,
    );
  }

  private numberTooLarge(section: string, offset: number): never {
    this.fail('ERR_SNAPSHOT_INCONSISTENT', `a number in "${section}" is too large`, offset);
  }

  private badValue(message: string): never {
    this.fail('ERR_SNAPSHOT_INCONSISTENT', message, this.reader.offset);
  }
}

function stringArray(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}
