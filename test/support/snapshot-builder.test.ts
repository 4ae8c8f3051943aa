import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { parse } from 'heap-snapshot-toolkit';
import { tempDir } from './leak-snapshots.ts';
import { type EdgeType, SnapshotBuilder, type SnapshotTextOptions } from './snapshot-builder.ts';
import { asV8Writes } from './snapshot-strings.ts';

interface ParsedSnapshot {
  snapshot: {
    meta: { node_fields: string[]; node_types: [string[], ...string[]]; edge_types: [string[], ...string[]] };
    node_count: number;
    edge_count: number;
  };
  nodes: number[];
  edges: number[];
  locations: number[];
  strings: string[];
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
];

/** A graph with every edge type, a location, edges added out of node order, and awkward names. */
function sampleGraph(): SnapshotBuilder {
  const b = new SnapshotBuilder();
  const gcRoots = b.node({ type: 'synthetic', name: '(GC roots)' });
  const map = b.node({ type: 'object', name: 'Map', selfSize: 32 });
  const foo = b.node({ type: 'object', name: 'Foo', selfSize: 40, id: 3_000_000_001 });
  const fn = b.node({ type: 'closure', name: 'handler', selfSize: 32 });
  const names = awkwardNames.map((name) => b.node({ type: 'string', name, selfSize: 20 }));
  // Deliberately not in source-node order: the builder must group them.
  b.edge(map, foo, 'internal', 'table');
  b.edge(b.root, gcRoots, 'element', 1);
  b.edge(gcRoots, map, 'property', 'cache');
  b.edge(fn, map, 'context', 'cache');
  b.edge(gcRoots, fn, 'hidden', 7);
  b.edge(foo, map, 'weak', 'owner');
  b.edge(b.root, foo, 'shortcut', 'foo');
  names.forEach((node, i) => {
    b.edge(foo, node, 'property', awkwardNames[i]!);
  });
  b.location(fn, { scriptId: 12, line: 3, column: 5 });
  return b;
}

/** What a snapshot reader must be able to rely on, checked on the JSON.parse'd text. */
function assertConsistent(parsed: ParsedSnapshot): void {
  const { meta, node_count, edge_count } = parsed.snapshot;
  const nodeFieldCount = meta.node_fields.length;
  assert.equal(meta.node_types.length >= nodeFieldCount, true);
  assert.equal(parsed.nodes.length, node_count * nodeFieldCount);
  assert.equal(parsed.edges.length, edge_count * 3);
  const edgeCountOffset = meta.node_fields.indexOf('edge_count');
  const nameOffset = meta.node_fields.indexOf('name');
  let edgesFromNodes = 0;
  for (let i = 0; i < parsed.nodes.length; i += nodeFieldCount) {
    edgesFromNodes += parsed.nodes[i + edgeCountOffset]!;
    assert.ok(parsed.nodes[i + nameOffset]! < parsed.strings.length);
  }
  assert.equal(edgesFromNodes, edge_count);
  const edgeTypes = meta.edge_types[0];
  for (let i = 0; i < parsed.edges.length; i += 3) {
    const type = edgeTypes[parsed.edges[i]!];
    assert.ok(type !== undefined);
    const toNode = parsed.edges[i + 2]!;
    assert.equal(toNode % nodeFieldCount, 0);
    assert.ok(toNode < parsed.nodes.length);
    if (type !== 'element' && type !== 'hidden') assert.ok(parsed.edges[i + 1]! < parsed.strings.length);
  }
  for (let i = 0; i < parsed.locations.length; i += 4) assert.equal(parsed.locations[i]! % nodeFieldCount, 0);
}

async function devToolsNodeCount(text: string): Promise<number> {
  const snapshot = await parse(Readable.from([text]) as never);
  return (snapshot as unknown as { nodeCount: number }).nodeCount;
}

describe('SnapshotBuilder', () => {
  const variants: [string, SnapshotTextOptions][] = [
    ['node24 layout (default)', {}],
    ['node20 layout', { layout: 'node20' }],
    ['compact', { compact: true }],
    ['compact node20', { layout: 'node20', compact: true }],
    [
      'reordered node fields without detachedness',
      { nodeFields: ['id', 'name', 'type', 'edge_count', 'self_size'] },
    ],
    ['JSON.stringify string escapes', { stringEscapes: 'json' }],
  ];
  for (const [label, options] of variants) {
    test(`${label}: parses, counts agree, DevTools reads the same node count`, async () => {
      const b = sampleGraph();
      const text = b.text(options);
      const parsed = JSON.parse(text) as ParsedSnapshot;
      assertConsistent(parsed);
      assert.equal(parsed.snapshot.node_count, b.nodeCount);
      assert.equal(parsed.snapshot.edge_count, b.edgeCount);
      assert.equal(await devToolsNodeCount(text), b.nodeCount);
      if (options.compact) assert.equal(text.includes('\n'), false);
    });
  }

  test('edges are grouped by source node in node order whatever order edge() was called in', () => {
    const parsed = JSON.parse(sampleGraph().text()) as ParsedSnapshot;
    const fieldCount = parsed.snapshot.meta.node_fields.length;
    const edgeCounts = [];
    for (let i = 4; i < parsed.nodes.length; i += fieldCount) edgeCounts.push(parsed.nodes[i]);
    // root: element + shortcut; (GC roots): property + hidden; Map: internal; Foo: weak + 9 names; closure: context.
    assert.deepEqual(edgeCounts.slice(0, 5), [2, 2, 1, 10, 1]);
    const edgeTypeNames = parsed.snapshot.meta.edge_types[0];
    const typesInOrder = [];
    for (let i = 0; i < 7 * 3; i += 3) typesInOrder.push(edgeTypeNames[parsed.edges[i]!]);
    assert.deepEqual(typesInOrder, [
      'element',
      'shortcut',
      'property',
      'hidden',
      'internal',
      'weak',
      'property',
    ]);
    assert.equal(parsed.edges[1], 1, 'element edge keeps its numeric index');
    assert.equal(parsed.edges[3 * 3 + 1], 7, 'hidden edge keeps its numeric index');
  });

  test('ids: root is 1, auto ids are odd and increasing, given ids (beyond 2^31) are kept', () => {
    const b = new SnapshotBuilder();
    const given = b.node({ type: 'object', name: 'Big', id: 3_000_000_001 });
    const taken = b.node({ type: 'object', name: 'Taken', id: 5 });
    const auto1 = b.node({ type: 'object', name: 'A' });
    const auto2 = b.node({ type: 'object', name: 'B' });
    assert.deepEqual(
      [b.idOf(b.root), b.idOf(given), b.idOf(taken), b.idOf(auto1), b.idOf(auto2)],
      [1, 3_000_000_001, 5, 3, 7],
    );
    assert.match(b.text(), /,3000000001,/);
  });

  test('names round-trip through the string table; astral characters and lone surrogates as V8 mangles them', () => {
    const v8Strings = (JSON.parse(sampleGraph().text()) as ParsedSnapshot).strings;
    const jsonStrings = (JSON.parse(sampleGraph().text({ stringEscapes: 'json' })) as ParsedSnapshot).strings;
    for (const name of awkwardNames) {
      assert.ok(v8Strings.includes(asV8Writes(name)), `missing ${JSON.stringify(name)}`);
      assert.ok(jsonStrings.includes(name), `missing ${JSON.stringify(name)}`);
    }
    assert.equal(asV8Writes('😀 astral'), '\uf600 astral');
    assert.equal(asV8Writes('lone \ud800 high'), 'lone ??? high');
    assert.equal(asV8Writes('café 中文'), 'café 中文');
    const text = sampleGraph().text();
    assert.ok(text.includes('"caf\\u00E9 \\u4E2D\\u6587 \\u2028 \\uFEFF"'), 'non-ASCII as uppercase \\uXXXX');
    assert.ok(text.includes('"control \\u0001\\u001F\u007f"'), 'controls as \\u00XX, DEL raw');
    assert.ok(text.includes('"line\\nbreak\\ttab\\r\\b\\f"'));
    assert.equal(
      [...text].every((char) => char.charCodeAt(0) < 0x80),
      true,
      'V8 output is pure ASCII',
    );
  });

  test('strings are deduplicated and numbered in first use order after "<dummy>"', () => {
    const b = new SnapshotBuilder();
    const a = b.node({ type: 'object', name: 'Same' });
    const c = b.node({ type: 'object', name: 'Same' });
    b.edge(a, c, 'property', 'Same');
    b.edge(c, a, 'property', 'other');
    assert.deepEqual((JSON.parse(b.text()) as ParsedSnapshot).strings, ['<dummy>', '', 'Same', 'other']);
  });

  test('locations point at node indexes in the chosen field layout', () => {
    for (const layout of ['node24', 'node20'] as const) {
      const parsed = JSON.parse(sampleGraph().text({ layout })) as ParsedSnapshot;
      const fieldCount = parsed.snapshot.meta.node_fields.length;
      assert.equal(fieldCount, layout === 'node24' ? 6 : 7);
      assert.deepEqual(parsed.locations, [4 * fieldCount, 12, 3, 5], 'the closure is node 4');
    }
  });

  test('extra node types are declared and usable; unknown types, fields and edge names are refused', () => {
    const b = new SnapshotBuilder();
    b.node({ type: 'wasm object', name: 'Instance' });
    assert.throws(() => b.text(), /not among node_types/);
    const parsed = JSON.parse(b.text({ extraNodeTypes: ['wasm object'] })) as ParsedSnapshot;
    const types = parsed.snapshot.meta.node_types[0];
    assert.equal(types.at(-1), 'wasm object');
    assert.equal(parsed.nodes[6], types.length - 1);
    assert.doesNotThrow(() => b.text({ layout: 'node20' }), 'node20 knows wasm object');
    assert.throws(() => b.text({ nodeFields: ['type', 'name', 'id', 'self_size'] }), /edge_count/);
    assert.throws(() => b.text({ nodeFields: ['type', 'name', 'id', 'self_size', 'edge_count', 'x'] }), /x/);
    assert.throws(() => b.edge(b.root, 1, 'property', 3), /string name/);
    assert.throws(() => b.edge(b.root, 1, 'element', 'a'), /numeric index/);
    assert.throws(() => b.edge(b.root, 9, 'element', 1), /no node 9/);
    assert.throws(() => b.edge(b.root, 1, 'bogus' as EdgeType, 'a'), /unknown edge type/);
  });

  test('rebuilding a real Node snapshot through the builder reproduces it byte for byte', () => {
    const dir = tempDir('builder-real-');
    const file = join(dir, 'real.heapsnapshot');
    const child = spawnSync(process.execPath, [
      '-e',
      `require('v8').writeHeapSnapshot(${JSON.stringify(file)})`,
    ]);
    assert.equal(child.status, 0, String(child.stderr));
    const original = readFileSync(file, 'utf8');
    const parsed = JSON.parse(original) as ParsedSnapshot & { snapshot: { extra_native_bytes?: number } };
    assert.equal(
      parsed.snapshot.extra_native_bytes,
      0,
      'this check assumes a snapshot without native extras',
    );
    const { meta } = parsed.snapshot;
    const fields = meta.node_fields;
    const layout = fields.includes('trace_node_id') ? 'node20' : 'node24';
    const at = (name: string): number => fields.indexOf(name);
    const b = new SnapshotBuilder();
    for (let i = fields.length; i < parsed.nodes.length; i += fields.length) {
      b.node({
        type: meta.node_types[0][parsed.nodes[i + at('type')]!]!,
        name: parsed.strings[parsed.nodes[i + at('name')]!]!,
        id: parsed.nodes[i + at('id')]!,
        selfSize: parsed.nodes[i + at('self_size')]!,
        detachedness: at('detachedness') < 0 ? 0 : parsed.nodes[i + at('detachedness')]!,
        traceNodeId: at('trace_node_id') < 0 ? 0 : parsed.nodes[i + at('trace_node_id')]!,
      });
    }
    const edgeTypes = meta.edge_types[0] as EdgeType[];
    let edge = 0;
    for (let node = 0; node < parsed.snapshot.node_count; node++) {
      const count = parsed.nodes[node * fields.length + at('edge_count')]!;
      for (let k = 0; k < count; k++, edge += 3) {
        const type = edgeTypes[parsed.edges[edge]!]!;
        const raw = parsed.edges[edge + 1]!;
        const nameOrIndex = type === 'element' || type === 'hidden' ? raw : parsed.strings[raw]!;
        b.edge(node, parsed.edges[edge + 2]! / fields.length, type, nameOrIndex);
      }
    }
    for (let i = 0; i < parsed.locations.length; i += 4) {
      b.location(parsed.locations[i]! / fields.length, {
        scriptId: parsed.locations[i + 1]!,
        line: parsed.locations[i + 2]!,
        column: parsed.locations[i + 3]!,
      });
    }
    const rebuilt = b.text({ layout });
    assert.equal(rebuilt.length, original.length);
    assert.ok(rebuilt === original, 'the rebuilt text differs from what V8 wrote');
  });
});
