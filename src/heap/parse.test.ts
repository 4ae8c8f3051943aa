/**
 * The streaming parser against snapshots whose every value is known: built with the test builder (laid
 * out byte for byte as V8 writes), parsed back column by column in every layout, escape style and read
 * chunk size; then every kind of broken file, each with the error code the CLI maps to an exit code.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { tempDir } from '../../test/support/leak-snapshots.ts';
import {
  asV8Writes,
  type EdgeType,
  SnapshotBuilder,
  type SnapshotTextOptions,
} from '../../test/support/snapshot-builder.ts';
import { AbortedError, FileAccessError, SnapshotFormatError } from '../errors.ts';
import { type ParseOptions, parseHeapSnapshot, readMaxObjectId } from './parse.ts';
import { type HeapSnapshot, selfSizeOf } from './snapshot.ts';

const dir = tempDir('parse-test-');
let fileCounter = 0;

function writeSnapshot(content: string | Uint8Array): string {
  const file = join(dir, `${++fileCounter}.heapsnapshot`);
  writeFileSync(file, content);
  return file;
}

// ---- a graph whose every value is known ---------------------------------------------------------------

interface ModelNode {
  type: string;
  name: string;
  id?: number;
  selfSize: number;
  detachedness: number;
}

interface ModelEdge {
  from: number;
  to: number;
  type: EdgeType;
  nameOrIndex: string | number;
}

interface Model {
  nodes: ModelNode[];
  edges: ModelEdge[];
  locations: { node: number; scriptId: number; line: number; column: number }[];
}

const awkwardNames = [
  'say "hi"',
  'back\\slash',
  'line\nbreak\ttab\r\b\f',
  'control \u0001\u001f\u007f',
  'café 中文 \u2028 \ufeff',
  '😀 astral',
  'lone \ud800 high',
  'lone \udc00 low',
  '</script>',
  '',
  'x'.repeat(300),
  '\\u0041 is not an escape here',
];

/**
 * Every node type, every edge type, ids and sizes at the 32-bit edges, an element index larger than the
 * string table, edges and locations given out of node order.
 */
function sampleModel(): Model {
  const nodes: ModelNode[] = [
    { type: 'synthetic', name: '', id: 1, selfSize: 0, detachedness: 0 },
    { type: 'synthetic', name: '(GC roots)', selfSize: 0, detachedness: 0 },
    { type: 'object', name: 'Map', id: 2 ** 31, selfSize: 32, detachedness: 1 },
    { type: 'object', name: 'Foo', id: 3_000_000_001, selfSize: 2 ** 32, detachedness: 2 },
    { type: 'closure', name: 'handler', id: 0xffffffff, selfSize: 0xffffffff, detachedness: 0 },
    { type: 'array', name: '', id: 0xfffffffd, selfSize: 5_000_000_000_123, detachedness: 0 },
    { type: 'hidden', name: 'system / Context', selfSize: 0, detachedness: 0 },
    { type: 'code', name: 'code', selfSize: 7, detachedness: 0 },
    { type: 'regexp', name: '/a+b/g', selfSize: 48, detachedness: 0 },
    { type: 'number', name: 'heap number', selfSize: 16, detachedness: 0 },
    { type: 'native', name: 'system / ExternalStringData', selfSize: 1 << 20, detachedness: 0 },
    { type: 'concatenated string', name: 'ab', selfSize: 32, detachedness: 0 },
    { type: 'sliced string', name: 'b', selfSize: 32, detachedness: 0 },
    { type: 'symbol', name: 'Symbol(x)', selfSize: 24, detachedness: 0 },
    { type: 'bigint', name: 'bigint', selfSize: 24, detachedness: 0 },
    { type: 'object shape', name: 'system / Map', selfSize: 80, detachedness: 0 },
  ];
  const firstString = nodes.length;
  for (const name of awkwardNames) nodes.push({ type: 'string', name, selfSize: 20, detachedness: 0 });
  const edges: ModelEdge[] = [
    { from: 2, to: 3, type: 'internal', nameOrIndex: 'table' },
    { from: 0, to: 1, type: 'element', nameOrIndex: 1 },
    { from: 1, to: 2, type: 'property', nameOrIndex: 'cache' },
    { from: 4, to: 2, type: 'context', nameOrIndex: 'cache' },
    { from: 1, to: 4, type: 'hidden', nameOrIndex: 7 },
    { from: 3, to: 2, type: 'weak', nameOrIndex: 'owner' },
    { from: 0, to: 3, type: 'shortcut', nameOrIndex: 'foo' },
    // An element index far beyond the string table: not a string index, must not be checked as one.
    { from: 5, to: 6, type: 'element', nameOrIndex: 4_000_000_000 },
    { from: 5, to: 5, type: 'element', nameOrIndex: 0 },
    { from: 6, to: 0, type: 'internal', nameOrIndex: 'back to root' },
  ];
  awkwardNames.forEach((name, i) => {
    edges.push({ from: 3, to: firstString + i, type: 'property', nameOrIndex: name });
  });
  for (let i = 7; i < firstString; i++) edges.push({ from: 6, to: i, type: 'internal', nameOrIndex: `${i}` });
  return {
    nodes,
    edges,
    locations: [
      { node: 4, scriptId: 12, line: 3, column: 5 },
      { node: 3, scriptId: 2 ** 31 + 7, line: 0, column: 0 },
      { node: 2, scriptId: 1, line: 100_000, column: 4_000_000 },
    ],
  };
}

function build(model: Model): SnapshotBuilder {
  const b = new SnapshotBuilder();
  model.nodes.forEach((node, ordinal) => {
    if (ordinal === 0) return; // the builder's own root
    const spec = {
      type: node.type,
      name: node.name,
      selfSize: node.selfSize,
      detachedness: node.detachedness,
    };
    b.node(node.id === undefined ? spec : { ...spec, id: node.id });
  });
  for (const edge of model.edges) b.edge(edge.from, edge.to, edge.type, edge.nameOrIndex);
  for (const { node, ...position } of model.locations) b.location(node, position);
  return b;
}

/** Checks every column of the parsed snapshot against the model. */
function assertMatchesModel(
  snapshot: HeapSnapshot,
  model: Model,
  builder: SnapshotBuilder,
  options: SnapshotTextOptions,
): void {
  const expectString = (text: string) => (options.stringEscapes === 'json' ? text : asV8Writes(text));
  assert.equal(snapshot.nodeCount, model.nodes.length);
  assert.equal(snapshot.edgeCount, model.edges.length);
  model.nodes.forEach((node, i) => {
    const at = `node ${i}`;
    assert.equal(snapshot.nodeTypeNames[snapshot.nodeType[i]!], node.type, at);
    assert.equal(snapshot.strings.get(snapshot.nodeName[i]!), expectString(node.name), at);
    assert.equal(snapshot.nodeId[i], builder.idOf(i), at);
    assert.equal(selfSizeOf(snapshot, i), node.selfSize, at);
    const fields = options.nodeFields;
    if (fields !== undefined && !fields.includes('detachedness')) {
      assert.equal(snapshot.nodeDetachedness, undefined);
    } else {
      assert.equal(snapshot.nodeDetachedness?.[i], node.detachedness, at);
    }
  });
  // Edges come back grouped by source node in node order, in call order within a node.
  const expected = model.nodes.map((_, i) => model.edges.filter((edge) => edge.from === i));
  assert.equal(snapshot.firstEdge.length, model.nodes.length + 1);
  assert.equal(snapshot.firstEdge[0], 0);
  expected.forEach((edges, node) => {
    assert.equal(snapshot.firstEdge[node + 1]! - snapshot.firstEdge[node]!, edges.length, `edges of ${node}`);
    edges.forEach((edge, k) => {
      const e = snapshot.firstEdge[node]! + k;
      const at = `edge ${k} of node ${node}`;
      assert.equal(snapshot.edgeTypeNames[snapshot.edgeType[e]!], edge.type, at);
      assert.equal(snapshot.edgeTo[e], edge.to, at);
      if (typeof edge.nameOrIndex === 'number')
        assert.equal(snapshot.edgeNameOrIndex[e], edge.nameOrIndex, at);
      else
        assert.equal(snapshot.strings.get(snapshot.edgeNameOrIndex[e]!), expectString(edge.nameOrIndex), at);
    });
  });
  // Locations: sorted by node ordinal whatever order the file lists them in.
  const locations = [...model.locations].sort((a, b) => a.node - b.node);
  assert.deepEqual(
    [...snapshot.locationNode],
    locations.map((l) => l.node),
  );
  assert.deepEqual(
    [...snapshot.locationScript],
    locations.map((l) => l.scriptId),
  );
  assert.deepEqual(
    [...snapshot.locationLine],
    locations.map((l) => l.line),
  );
  assert.deepEqual(
    [...snapshot.locationColumn],
    locations.map((l) => l.column),
  );
  assert.equal(snapshot.extraNativeBytes, 0);
}

const variants: [string, SnapshotTextOptions][] = [
  ['node24', {}],
  ['node20', { layout: 'node20' }],
  ['node24 compact', { compact: true }],
  ['node20 compact', { layout: 'node20', compact: true }],
  ['node24, JSON.stringify escapes (raw UTF-8)', { stringEscapes: 'json' }],
  ['node20, JSON.stringify escapes', { layout: 'node20', stringEscapes: 'json' }],
  [
    'reordered node fields, no detachedness',
    { nodeFields: ['id', 'name', 'type', 'edge_count', 'self_size'] },
  ],
  [
    'reordered node fields with trace_node_id and detachedness',
    {
      layout: 'node20',
      nodeFields: ['detachedness', 'edge_count', 'trace_node_id', 'self_size', 'id', 'name', 'type'],
    },
  ],
];

const chunkSizes: (number | undefined)[] = [undefined, 64, 65, 66, 100, 127, 128, 129, 1000];

describe('parseHeapSnapshot: round trips through the builder', () => {
  for (const [label, options] of variants) {
    test(`${label}: every column, string and location, at read chunk sizes ${chunkSizes.join(', ')}`, () => {
      const model = sampleModel();
      const builder = build(model);
      const file = writeSnapshot(builder.text(options));
      for (const chunkSize of chunkSizes) {
        const parseOptions: ParseOptions = chunkSize === undefined ? {} : { chunkSize };
        const snapshot = parseHeapSnapshot(file, parseOptions);
        assertMatchesModel(snapshot, model, builder, options);
        assert.equal(snapshot.file, file);
      }
    });
  }

  test('every chunk size from 64 to 160: each value, string and key straddles some read boundary', () => {
    const model = sampleModel();
    const builder = build(model);
    // Alternating layouts: node20's newlines on even sizes, raw multi-byte UTF-8 on odd ones.
    const layouts: SnapshotTextOptions[] = [{ layout: 'node20' }, { stringEscapes: 'json' }];
    const files = layouts.map((options) => writeSnapshot(builder.text(options)));
    for (let chunkSize = 64; chunkSize <= 160; chunkSize++) {
      const which = chunkSize & 1;
      assertMatchesModel(parseHeapSnapshot(files[which]!, { chunkSize }), model, builder, layouts[which]!);
    }
  });

  test('node24 declares 15 node types and 6 node fields; node20 16 types (wasm object) and trace_node_id', () => {
    const b = new SnapshotBuilder();
    const wasm = b.node({ type: 'wasm object', name: 'Instance', selfSize: 8, traceNodeId: 99 });
    b.edge(b.root, wasm, 'element', 1);
    const node20 = parseHeapSnapshot(writeSnapshot(b.text({ layout: 'node20' })));
    assert.equal(node20.nodeTypeNames.length, 16);
    assert.equal(node20.nodeTypeNames[node20.nodeType[wasm]!], 'wasm object');
    assert.equal(selfSizeOf(node20, wasm), 8);
    const plain = new SnapshotBuilder();
    plain.node({ type: 'object', name: 'A' });
    const node24 = parseHeapSnapshot(writeSnapshot(plain.text()));
    assert.equal(node24.nodeTypeNames.length, 15);
    assert.equal(node24.nodeTypeNames.includes('wasm object'), false);
  });

  test('pretty-printed JSON, reordered edge fields, a byte order mark and a trailing newline parse the same', () => {
    const model = sampleModel();
    const builder = build(model);
    const json = JSON.parse(builder.text({ stringEscapes: 'json' })) as {
      snapshot: { meta: { edge_fields: string[]; edge_types: unknown[] } };
      edges: number[];
    };
    // Edge fields in another order: the parser must read the layout from meta, not assume it.
    json.snapshot.meta.edge_fields = ['to_node', 'type', 'name_or_index'];
    json.snapshot.meta.edge_types = ['node', json.snapshot.meta.edge_types[0], 'string_or_number'];
    const permuted: number[] = [];
    for (let i = 0; i < json.edges.length; i += 3)
      permuted.push(json.edges[i + 2]!, json.edges[i]!, json.edges[i + 1]!);
    json.edges = permuted;
    const pretty = `${JSON.stringify(json, null, 2)}\n`;
    const options: SnapshotTextOptions = { stringEscapes: 'json' };
    for (const text of [pretty, `\ufeff${pretty}`, `${builder.text({ stringEscapes: 'json' })}\n\n`]) {
      for (const chunkSize of [undefined, 64, 97]) {
        const parseOptions: ParseOptions = chunkSize === undefined ? {} : { chunkSize };
        assertMatchesModel(parseHeapSnapshot(writeSnapshot(text), parseOptions), model, builder, options);
      }
    }
  });

  test('ids in [2^31, 2^32) and self sizes ≥ 2^32 are exact', () => {
    const b = new SnapshotBuilder();
    const ids = [2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 3_000_000_001, 2 ** 32 - 3, 2 ** 32 - 1];
    const sizes = [2 ** 32 - 2, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 7_000_000_000, 2 ** 45 + 3];
    const refs = ids.map((id, i) => b.node({ type: 'object', name: 'Big', id, selfSize: sizes[i]! }));
    for (const ref of refs) b.edge(b.root, ref, 'element', ref);
    for (const chunkSize of [undefined, 64]) {
      const snapshot = parseHeapSnapshot(
        writeSnapshot(b.text()),
        chunkSize === undefined ? {} : { chunkSize },
      );
      assert.deepEqual(
        refs.map((ref) => snapshot.nodeId[ref]),
        ids,
      );
      assert.deepEqual(
        refs.map((ref) => selfSizeOf(snapshot, ref)),
        sizes,
      );
      // Sizes that fit 32 bits minus the marker stay in the column; the rest go to largeSelfSizes.
      assert.equal(snapshot.nodeSelfSize[refs[0]!], 2 ** 32 - 2);
      assert.equal(snapshot.largeSelfSizes.get(refs[2]!), 2 ** 32);
    }
  });

  test('progress is reported in file bytes and an aborted signal stops parsing with AbortedError', () => {
    const file = writeSnapshot(build(sampleModel()).text());
    const seen: [number, number][] = [];
    parseHeapSnapshot(file, { chunkSize: 64, onProgress: (done, total) => seen.push([done, total]) });
    assert.ok(seen.length > 10, `only ${seen.length} progress reports for a file read 64 bytes at a time`);
    const size = seen[0]![1];
    for (let i = 0; i < seen.length; i++) {
      assert.equal(seen[i]![1], size);
      assert.ok(seen[i]![0] >= 0 && seen[i]![0] <= size);
      if (i > 0) assert.ok(seen[i]![0] >= seen[i - 1]![0], 'progress never goes back');
    }
    const controller = new AbortController();
    controller.abort();
    assert.throws(
      () => parseHeapSnapshot(file, { signal: controller.signal }),
      (error: unknown) => error instanceof AbortedError && error.code === 'ERR_ABORTED',
    );
  });
});

// ---- broken input ---------------------------------------------------------------------------------------

/** A small snapshot's JSON, to be broken in one place and written back with JSON.stringify. */
interface SnapshotJson {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_types: [string[], ...unknown[]];
    };
    node_count: number;
    edge_count: number;
  };
  nodes: number[];
  edges: number[];
  locations: number[];
  strings: string[];
}

function smallBuilder(): SnapshotBuilder {
  const b = new SnapshotBuilder();
  const gcRoots = b.node({ type: 'synthetic', name: '(GC roots)' });
  const holder = b.node({ type: 'object', name: 'Holder', selfSize: 32, id: 3_000_000_001 });
  const item = b.node({ type: 'object', name: 'café', selfSize: 16 });
  const text = b.node({ type: 'string', name: 'a "quoted"\nline', selfSize: 24 });
  b.edge(b.root, gcRoots, 'element', 1);
  b.edge(gcRoots, holder, 'property', 'holder');
  b.edge(holder, item, 'property', 'item');
  b.edge(holder, text, 'element', 0);
  b.edge(item, holder, 'weak', 'back');
  b.location(item, { scriptId: 5, line: 6, column: 7 });
  return b;
}

function smallJson(): SnapshotJson {
  return JSON.parse(smallBuilder().text()) as SnapshotJson;
}

function assertFormatError(file: string, code: string, message?: RegExp): void {
  assert.throws(
    () => parseHeapSnapshot(file),
    (error: unknown) => {
      assert.ok(error instanceof SnapshotFormatError, `expected a SnapshotFormatError, got ${String(error)}`);
      assert.equal(error.code, code, error.message);
      assert.equal(error.file, file);
      assert.ok(error.message.startsWith(`${file}: `), 'the message names the file');
      if (message !== undefined) assert.match(error.message, message);
      return true;
    },
  );
}

function broken(edit: (json: SnapshotJson) => void): string {
  const json = smallJson();
  edit(json);
  return writeSnapshot(JSON.stringify(json));
}

describe('parseHeapSnapshot: broken files fail with the right code', () => {
  test('the unbroken small snapshot parses (the baseline every case below breaks)', () => {
    const snapshot = parseHeapSnapshot(writeSnapshot(JSON.stringify(smallJson())));
    assert.equal(snapshot.nodeCount, 5);
    assert.equal(snapshot.edgeCount, 5);
  });

  test('0-byte file → ERR_SNAPSHOT_EMPTY', () => {
    assertFormatError(writeSnapshot(''), 'ERR_SNAPSHOT_EMPTY', /empty/);
  });

  /**
   * Few and short strings: every parse that reaches "strings" costs ~1 ms (the string table's first
   * 64 MB block), and this runs once per prefix.
   */
  function tinyBuilder(): SnapshotBuilder {
    const b = new SnapshotBuilder();
    const gcRoots = b.node({ type: 'synthetic', name: 'R' });
    const holder = b.node({ type: 'object', name: 'H', selfSize: 32, id: 3_000_000_001 });
    const item = b.node({ type: 'string', name: 'é"\n', selfSize: 16 });
    b.edge(b.root, gcRoots, 'element', 1);
    b.edge(gcRoots, holder, 'property', 'H');
    b.edge(holder, item, 'element', 12);
    b.edge(item, holder, 'weak', 'H');
    b.location(item, { scriptId: 5, line: 6, column: 7 });
    return b;
  }

  type Outcome = { length: number; layout: string; error: unknown; succeeded: boolean };
  let truncationOutcomes: Outcome[] | undefined;

  /** Every prefix of a small snapshot, in both layouts (node20 at the smallest read chunk). Computed once. */
  function truncations(): Outcome[] {
    if (truncationOutcomes !== undefined) return truncationOutcomes;
    const outcomes: Outcome[] = [];
    const cases: [string, SnapshotTextOptions, number | undefined][] = [
      ['node24', {}, undefined],
      ['node20', { layout: 'node20' }, 64],
    ];
    for (const [layout, options, chunkSize] of cases) {
      const text = tinyBuilder().text(options);
      const file = join(dir, `prefix-${layout}-${chunkSize}.heapsnapshot`);
      for (let length = 1; length < text.length; length++) {
        writeFileSync(file, text.slice(0, length));
        try {
          parseHeapSnapshot(file, chunkSize === undefined ? {} : { chunkSize });
          outcomes.push({ length, layout, error: undefined, succeeded: true });
        } catch (error) {
          outcomes.push({ length, layout, error, succeeded: false });
        }
      }
    }
    truncationOutcomes = outcomes;
    return outcomes;
  }

  test('every truncation point: never parses, never throws anything but a SnapshotFormatError', () => {
    const outcomes = truncations();
    assert.ok(outcomes.length > 1500);
    const succeeded = outcomes.filter((outcome) => outcome.succeeded).map((o) => `${o.layout}@${o.length}`);
    assert.deepEqual(succeeded, [], 'a truncated file parsed as if complete');
    const foreign = outcomes
      .filter((outcome) => !outcome.succeeded && !(outcome.error instanceof SnapshotFormatError))
      .map((o) => `${o.layout}@${o.length}: ${String(o.error)}`);
    assert.deepEqual(foreign, []);
  });

  test('every truncation point: ERR_SNAPSHOT_TRUNCATED (or NOT_JSON/NOT_A_SNAPSHOT), never a claim of inconsistent data', () => {
    const allowed = new Set([
      'ERR_SNAPSHOT_TRUNCATED',
      'ERR_SNAPSHOT_NOT_JSON',
      'ERR_SNAPSHOT_NOT_A_SNAPSHOT',
    ]);
    const wrong = truncations()
      .filter((o) => !o.succeeded && !allowed.has((o.error as SnapshotFormatError).code))
      .map((o) => `${o.layout}@${o.length}: ${(o.error as Error).message}`);
    assert.deepEqual(wrong, []);
  });

  /** A snapshot with V8's proportions: thousands of nodes with 10-digit ids, three edges each. */
  function realisticText(): string {
    const b = new SnapshotBuilder();
    const count = 3000;
    const refs: number[] = [];
    for (let i = 0; i < count; i++) {
      refs.push(
        b.node({ type: 'object', name: `Class${i % 20}`, id: 2 ** 31 + 2 * i + 1, selfSize: 16 + (i % 977) }),
      );
    }
    b.edge(b.root, refs[0]!, 'element', 1);
    refs.forEach((node, i) => {
      b.edge(node, refs[(i * 7 + 1) % count]!, 'property', `p${i % 50}`);
      b.edge(node, refs[(i * 13 + 5) % count]!, 'element', i);
      b.edge(node, refs[(i + 1) % count]!, 'internal', 'next');
    });
    return b.text();
  }

  let realisticOutcomes: { cut: number; section: string; error: unknown; succeeded: boolean }[] | undefined;

  /** The realistic snapshot cut at 150 points spread over the whole file. Computed once. */
  function realisticCuts() {
    if (realisticOutcomes !== undefined) return realisticOutcomes;
    const text = realisticText();
    const file = join(dir, 'realistic-cut.heapsnapshot');
    const sectionAt = (cut: number) =>
      ['"strings"', '"locations"', '"edges"', '"nodes"', '"snapshot"'].find(
        (key) => text.lastIndexOf(key, cut) >= 0,
      ) ?? 'start';
    realisticOutcomes = [];
    for (let k = 1; k <= 150; k++) {
      const cut = Math.floor((k * text.length) / 151);
      writeFileSync(file, text.slice(0, cut));
      const outcome = { cut, section: sectionAt(cut), error: undefined as unknown, succeeded: false };
      try {
        parseHeapSnapshot(file);
        outcome.succeeded = true;
      } catch (error) {
        outcome.error = error;
      }
      realisticOutcomes.push(outcome);
    }
    return realisticOutcomes;
  }

  test('a snapshot of realistic size cut at 150 points: never parses, only SnapshotFormatErrors', () => {
    const outcomes = realisticCuts();
    assert.deepEqual(
      outcomes.filter((o) => o.succeeded).map((o) => o.cut),
      [],
    );
    assert.deepEqual(
      outcomes
        .filter((o) => !(o.error instanceof SnapshotFormatError))
        .map((o) => `${o.cut}: ${String(o.error)}`),
      [],
    );
    assert.ok(
      outcomes.filter((o) => o.section === '"edges"').length > 30,
      'most cuts fall in "nodes" and "edges"',
    );
  });

  test('a snapshot of realistic size cut at 150 points: ERR_SNAPSHOT_TRUNCATED every time', () => {
    const wrong = realisticCuts()
      .filter((o) => (o.error as SnapshotFormatError).code !== 'ERR_SNAPSHOT_TRUNCATED')
      .map((o) => `cut at ${o.cut} in ${o.section}: ${(o.error as Error).message.replace(/^[^:]*: /, '')}`);
    assert.deepEqual(wrong, []);
  });

  test('a file cut in the middle of each section → ERR_SNAPSHOT_TRUNCATED', () => {
    const text = smallBuilder().text();
    for (const section of ['"snapshot":{"meta', '"nodes":[', '"edges":[', '"locations":[', '"strings":[']) {
      const start = text.indexOf(section);
      assert.ok(start >= 0, section);
      // Cut after a comma here; cuts inside numbers are covered by the every-prefix test above.
      const cut = text.indexOf(',', start + section.length + 3);
      assertFormatError(writeSnapshot(text.slice(0, cut + 1)), 'ERR_SNAPSHOT_TRUNCATED', /truncated/);
    }
    assertFormatError(writeSnapshot(text.slice(0, -1)), 'ERR_SNAPSHOT_TRUNCATED');
    assertFormatError(writeSnapshot(text.slice(0, text.indexOf('"strings"') + 12)), 'ERR_SNAPSHOT_TRUNCATED');
  });

  test('not JSON: binary junk, gzip, plain text, whitespace → ERR_SNAPSHOT_NOT_JSON', () => {
    const junk = new Uint8Array(4096);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 131 + 7) & 0xff;
    junk[0] = 0x00;
    assertFormatError(writeSnapshot(junk), 'ERR_SNAPSHOT_NOT_JSON');
    assertFormatError(writeSnapshot(new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0x00])), 'ERR_SNAPSHOT_NOT_JSON');
    assertFormatError(
      writeSnapshot(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a])),
      'ERR_SNAPSHOT_NOT_JSON',
    );
    assertFormatError(writeSnapshot('hello, this is a log file\nline 2\n'), 'ERR_SNAPSHOT_NOT_JSON');
    assertFormatError(writeSnapshot('   \n\t '), 'ERR_SNAPSHOT_NOT_JSON');
    // Starts like a snapshot, then stops being JSON.
    assertFormatError(writeSnapshot('{"snapshot" x'), 'ERR_SNAPSHOT_NOT_JSON');
    assertFormatError(writeSnapshot('{snapshot:{}}'), 'ERR_SNAPSHOT_NOT_JSON');
  });

  test('JSON that is not a snapshot → ERR_SNAPSHOT_NOT_A_SNAPSHOT', () => {
    for (const text of [
      '{"a":1}',
      '[]',
      '[1,2,3]',
      '{}',
      '"snapshot"',
      '42',
      '{"snapshot":{}}',
      '{"snapshot":5}',
      '{"snapshot":{"meta":{}},"nodes":[],"edges":[],"strings":[]}',
      '{"snapshot":{"meta":{"node_fields":["type","name"],"node_types":[[]],"edge_fields":[],"edge_types":[]}}}',
    ]) {
      assertFormatError(writeSnapshot(text), 'ERR_SNAPSHOT_NOT_A_SNAPSHOT');
    }
  });

  test('JSON literals that are not objects (null, true, -1) → ERR_SNAPSHOT_NOT_A_SNAPSHOT', () => {
    for (const text of ['null', 'true', 'false', '-1'])
      assertFormatError(writeSnapshot(text), 'ERR_SNAPSHOT_NOT_A_SNAPSHOT');
  });

  test('a header without counts, sections before the header, a missing section → ERR_SNAPSHOT_NOT_A_SNAPSHOT', () => {
    assertFormatError(
      broken((json) => {
        (json.snapshot as { node_count?: unknown }).node_count = undefined;
      }),
      'ERR_SNAPSHOT_NOT_A_SNAPSHOT',
    );
    for (const count of [-1, 1.5, '5']) {
      assertFormatError(
        broken((json) => {
          (json.snapshot as { node_count: unknown }).node_count = count;
        }),
        'ERR_SNAPSHOT_NOT_A_SNAPSHOT',
      );
    }
    const { snapshot, ...rest } = smallJson();
    assertFormatError(
      writeSnapshot(JSON.stringify({ ...rest, snapshot })),
      'ERR_SNAPSHOT_NOT_A_SNAPSHOT',
      /before/,
    );
    for (const section of ['nodes', 'edges', 'strings'] as const) {
      const json = smallJson() as Partial<SnapshotJson>;
      delete json[section];
      assertFormatError(
        writeSnapshot(JSON.stringify(json)),
        'ERR_SNAPSHOT_NOT_A_SNAPSHOT',
        new RegExp(section),
      );
    }
  });

  test('node_count / edge_count larger or smaller than the arrays → ERR_SNAPSHOT_INCONSISTENT', () => {
    const cases: [string, (json: SnapshotJson) => void][] = [
      ['node_count + 1', (json) => json.snapshot.node_count++],
      ['node_count - 1', (json) => json.snapshot.node_count--],
      ['edge_count + 1', (json) => json.snapshot.edge_count++],
      ['edge_count - 1', (json) => json.snapshot.edge_count--],
      ['one value too many in nodes', (json) => json.nodes.push(0)],
      ['one record too many in nodes', (json) => json.nodes.push(...json.nodes.slice(-6))],
      ['one value missing in nodes', (json) => json.nodes.pop()],
      ['one value too many in edges', (json) => json.edges.push(0)],
      ['one value missing in edges', (json) => json.edges.pop()],
      [
        // Header and the nodes' edge counts agree with each other, but not with the edges array.
        'edge_count and a node own one edge more than edges holds',
        (json) => {
          json.snapshot.edge_count++;
          json.nodes[4]!++;
        },
      ],
      [
        'edge_count and a node own one edge fewer than edges holds',
        (json) => {
          json.snapshot.edge_count--;
          json.nodes[4]!--;
        },
      ],
      ['the nodes own more edges than edge_count', (json) => json.nodes[6 + 4]!++],
      [
        'the nodes own fewer edges than edge_count',
        (json) => {
          json.nodes[4]! += 1;
          json.nodes[2 * 6 + 4]! -= 2;
        },
      ],
    ];
    for (const [label, edit] of cases) {
      try {
        assertFormatError(broken(edit), 'ERR_SNAPSHOT_INCONSISTENT');
      } catch (error) {
        throw new Error(`${label}: ${(error as Error).message}`);
      }
    }
  });

  test('bad references and values inside nodes and edges → ERR_SNAPSHOT_INCONSISTENT', () => {
    const fields = 6;
    const cases: [string, (json: SnapshotJson) => void, RegExp][] = [
      ['to_node not a multiple of the node field count', (json) => json.edges[2]!++, /node index/],
      [
        'to_node one past the last node',
        (json) => (json.edges[2] = json.snapshot.node_count * fields),
        /node index/,
      ],
      ['to_node beyond 2^32', (json) => (json.edges[2] = 2 ** 32 * fields), /node index|32/],
      [
        'unknown node type',
        (json) => (json.nodes[fields * 2] = json.snapshot.meta.node_types[0].length),
        /type/,
      ],
      ['unknown edge type', (json) => (json.edges[3] = json.snapshot.meta.edge_types[0].length), /type/],
      [
        'node name beyond the strings',
        (json) => (json.nodes[fields * 2 + 1] = json.strings.length),
        /string/,
      ],
      [
        'property edge name beyond the strings',
        (json) => (json.edges[3 + 1] = json.strings.length),
        /string/,
      ],
      ['node id = 2^32', (json) => (json.nodes[fields * 2 + 2] = 2 ** 32), /id/],
      ['node id = 2^40', (json) => (json.nodes[fields * 2 + 2] = 2 ** 40), /id/],
      ['location of a node that does not exist', (json) => (json.locations[0] = 99 * fields), /location/],
      ['location not at a node index', (json) => (json.locations[0] = 1), /location/],
    ];
    for (const [label, edit, message] of cases) {
      const file = broken(edit);
      try {
        assertFormatError(file, 'ERR_SNAPSHOT_INCONSISTENT', message);
      } catch (error) {
        throw new Error(`${label}: ${(error as Error).message}`);
      }
    }
    // An element index is not a string index: beyond the string table is fine.
    const json = smallJson();
    json.edges[3 * 3 + 1] = json.strings.length + 1000;
    assert.equal(
      parseHeapSnapshot(writeSnapshot(JSON.stringify(json))).edgeNameOrIndex[3],
      json.strings.length + 1000,
    );
  });

  test('a number with more digits than a double holds exactly → ERR_SNAPSHOT_INCONSISTENT', () => {
    const text = smallBuilder().text().replace(',3000000001,', ',123456789012345678901234,');
    assertFormatError(writeSnapshot(text), 'ERR_SNAPSHOT_INCONSISTENT');
  });

  test('negative, fractional and non-numeric values in a number section → ERR_SNAPSHOT_NOT_JSON', () => {
    const text = smallBuilder().text();
    const nodesAt = text.indexOf('"nodes":[') + 9;
    for (const bad of ['-9,', '1.5,', '1e3,', 'null,', '"3",']) {
      assertFormatError(
        writeSnapshot(`${text.slice(0, nodesAt)}${bad}${text.slice(nodesAt + 2)}`),
        'ERR_SNAPSHOT_NOT_JSON',
      );
    }
    // A raw control character inside a string, and data after the snapshot's closing brace.
    assertFormatError(writeSnapshot(text.replace('"Holder"', '"Hol\u0001der"')), 'ERR_SNAPSHOT_NOT_JSON');
    assertFormatError(writeSnapshot(`${text}{}`), 'ERR_SNAPSHOT_NOT_JSON');
  });

  test('a header claiming 10^12 nodes fails at once, without allocating for them', () => {
    for (const [nodeCount, edgeCount] of [
      [1e12, 5],
      [2 ** 32, 5],
      [5e7, 5],
      [5, 1e12],
      [5, 5e7],
    ] as const) {
      const file = broken((json) => {
        json.snapshot.node_count = nodeCount;
        json.snapshot.edge_count = edgeCount;
      });
      const before = process.memoryUsage().arrayBuffers;
      assertFormatError(file, 'ERR_SNAPSHOT_INCONSISTENT', /claims|2\^32/);
      // Arrays for 5·10^7 nodes would take ~700 MB; nothing of that size may have been allocated.
      assert.ok(
        process.memoryUsage().arrayBuffers - before < 64 << 20,
        `${nodeCount} nodes: memory was allocated`,
      );
    }
  });

  test('a missing file or a directory → FileAccessError', () => {
    const missing = join(dir, 'does-not-exist.heapsnapshot');
    const directory = join(dir, 'a-directory.heapsnapshot');
    mkdirSync(directory);
    for (const path of [missing, directory]) {
      for (const read of [() => parseHeapSnapshot(path), () => readMaxObjectId(path)]) {
        assert.throws(read, (error: unknown) => {
          assert.ok(error instanceof FileAccessError, String(error));
          assert.equal(error.code, 'ERR_FILE_ACCESS');
          assert.equal(error.path, path);
          assert.match(error.message, path === missing ? /no such file/ : /directory/);
          return true;
        });
      }
    }
  });
});

describe('readMaxObjectId', () => {
  test('the largest id (beyond 2^31) and the node count, from a whole file', () => {
    const b = smallBuilder();
    const text = b.text();
    assert.deepEqual(readMaxObjectId(writeSnapshot(text)), { maxObjectId: 3_000_000_001, nodeCount: 5 });
    assert.deepEqual(readMaxObjectId(writeSnapshot(b.text({ layout: 'node20' })), { chunkSize: 64 }), {
      maxObjectId: 3_000_000_001,
      nodeCount: 5,
    });
  });

  test('reads no further than "nodes": a file truncated after it still answers; one cut inside it does not', () => {
    const text = smallBuilder().text();
    const edgesAt = text.indexOf('"edges":[');
    for (const cut of [edgesAt, edgesAt + 12, text.length - 5]) {
      assert.deepEqual(readMaxObjectId(writeSnapshot(text.slice(0, cut))), {
        maxObjectId: 3_000_000_001,
        nodeCount: 5,
      });
    }
    const insideNodes = text.indexOf(',', text.indexOf('"nodes":[') + 20) + 1;
    assert.throws(
      () => readMaxObjectId(writeSnapshot(text.slice(0, insideNodes))),
      (error: unknown) => error instanceof SnapshotFormatError && error.code === 'ERR_SNAPSHOT_TRUNCATED',
    );
    assert.throws(
      () => readMaxObjectId(writeSnapshot('')),
      (error: unknown) => error instanceof SnapshotFormatError && error.code === 'ERR_SNAPSHOT_EMPTY',
    );
    assert.throws(
      () => readMaxObjectId(writeSnapshot('{"a":1}')),
      (error: unknown) =>
        error instanceof SnapshotFormatError && error.code === 'ERR_SNAPSHOT_NOT_A_SNAPSHOT',
    );
  });
});

describe('parseHeapSnapshot: locations V8 could not place', () => {
  test('a -1 line or column (code compiled in a vm context) reads as 0 instead of failing', () => {
    const b = new SnapshotBuilder();
    const f = b.node({ type: 'closure', name: 'f', selfSize: 32 });
    b.edge(b.root, f, 'element', 1);
    b.location(f, { scriptId: 7, line: 3, column: 5 });
    const text = b.text().replace('"locations":[6,7,3,5]', '"locations":[6,7,-1,-1]');
    assert.ok(text.includes('"locations":[6,7,-1,-1]'), 'the test did not plant the negative location');
    const dir = tempDir('memwatcher-negative-location-');
    const file = join(dir, 'negative.heapsnapshot');
    writeFileSync(file, text);
    // Chunk sizes 64–399 move the chunk boundaries all over the locations: 76 and 82, for one, end a
    // chunk right after a minus sign, whose digits then come with the next read.
    for (const chunkSize of [...Array.from({ length: 400 - 64 }, (_, i) => 64 + i), undefined]) {
      const snapshot = parseHeapSnapshot(file, chunkSize === undefined ? {} : { chunkSize });
      assert.deepEqual(
        [
          snapshot.locationNode[0],
          snapshot.locationScript[0],
          snapshot.locationLine[0],
          snapshot.locationColumn[0],
        ],
        [1, 7, 0, 0],
      );
    }
  });
});
