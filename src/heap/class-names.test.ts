/**
 * Class names as DevTools gives them: one rule per node type, DOM-style names trimmed, and plain
 * Objects named after their properties (`{a, b}`) when that shape is common enough. Each case is
 * checked against the expected name and against DevTools' own `className()` on the same file.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { parse } from 'heap-snapshot-toolkit';
import { tempDir } from '../../test/support/leak-snapshots.ts';
import {
  type NodeRef,
  SnapshotBuilder,
  type SnapshotTextOptions,
} from '../../test/support/snapshot-builder.ts';
import { buildHeapGraph } from './graph.ts';
import { parseHeapSnapshot } from './parse.ts';

const dir = tempDir('class-names-test-');
let fileCounter = 0;

interface DevToolsSnapshot {
  nodeFieldCount: number;
  createNode(nodeIndex: number): { className(): string };
}

/** Our class name and DevTools' for every node of the builder's snapshot. */
async function classNames(
  builder: SnapshotBuilder,
  options: SnapshotTextOptions = {},
): Promise<{ ours: string[]; devTools: string[]; classIndex: Uint32Array }> {
  const text = builder.text(options);
  const file = join(dir, `${++fileCounter}.heapsnapshot`);
  writeFileSync(file, text);
  const graph = buildHeapGraph(parseHeapSnapshot(file));
  const ours = [...graph.classIndex].map((index) => graph.snapshot.strings.get(index));
  const devTools = (await parse(Readable.from([text]) as never)) as unknown as DevToolsSnapshot;
  const theirs = ours.map((_, ordinal) => devTools.createNode(ordinal * devTools.nodeFieldCount).className());
  return { ours, devTools: theirs, classIndex: graph.classIndex };
}

/** A builder whose root holds one synthetic node, which holds everything `add` is given. */
function holderGraph(): { b: SnapshotBuilder; add: (node: NodeRef, edgeName?: string) => void } {
  const b = new SnapshotBuilder();
  const gcRoots = b.node({ type: 'synthetic', name: '(GC roots)' });
  b.edge(b.root, gcRoots, 'element', 1);
  let index = 0;
  return { b, add: (node) => b.edge(gcRoots, node, 'element', index++) };
}

describe('class names by node type', () => {
  test('each V8 node type gets DevTools’ name', async () => {
    const { b, add } = holderGraph();
    const expected: [string, string, string][] = [
      ['hidden', 'system / Context', '(system)'],
      ['code', 'foo', '(compiled code)'],
      ['closure', 'handler', 'Function'],
      ['closure', '', 'Function'],
      ['regexp', '/a+/g', 'RegExp'],
      ['string', 'hello', '(string)'],
      ['concatenated string', 'ab', '(concatenated string)'],
      ['sliced string', 'b', '(sliced string)'],
      ['array', '(object elements)', '(array)'],
      ['number', 'heap number', '(number)'],
      ['synthetic', '(Internalized strings)', '(synthetic)'],
      ['symbol', 'Symbol(x)', '(symbol)'],
      ['bigint', 'bigint', '(bigint)'],
      ['object shape', 'system / Map', '(object shape)'],
      ['native', 'Buffer', 'Buffer'],
      ['native', 'system / ExternalStringData', 'system / ExternalStringData'],
      ['object', 'Session', 'Session'],
      ['object', 'Object', 'Object'],
      ['wasm object', 'Instance', '(wasm object)'],
    ];
    const refs = expected.map(([type, name]) => {
      const node = b.node({ type, name, selfSize: 8 });
      add(node);
      return node;
    });
    const { ours, devTools } = await classNames(b, { layout: 'node20' });
    refs.forEach((node, i) => {
      assert.equal(ours[node], expected[i]![2], `${expected[i]![0]} ${expected[i]![1]}`);
      assert.equal(devTools[node], expected[i]![2], `DevTools: ${expected[i]![0]} ${expected[i]![1]}`);
    });
  });

  test('DOM-style names are trimmed to the tag, and one tag is one class whatever its attributes', async () => {
    const { b, add } = holderGraph();
    const names = [
      ['<div id="a">', '<div>'],
      ['<div class="b c">', '<div>'],
      ['<div>', '<div>'],
      ['<span>', '<span>'],
      ['Detached <div id="x">', 'Detached <div>'],
      ['Detached <div>', 'Detached <div>'],
      ['Document', 'Document'],
      ['Date', 'Date'],
      ['DataView', 'DataView'],
    ];
    const refs = names.map(([name], i) => {
      const node = b.node({ type: i % 2 === 0 ? 'native' : 'object', name: name!, selfSize: 8 });
      add(node);
      return node;
    });
    const { ours, devTools, classIndex } = await classNames(b);
    refs.forEach((node, i) => {
      assert.equal(ours[node], names[i]![1]);
      assert.equal(devTools[node], names[i]![1]);
    });
    // Same name, same class index: otherwise the summary would list `<div>` three times.
    assert.equal(classIndex[refs[0]!], classIndex[refs[1]!]);
    assert.equal(classIndex[refs[0]!], classIndex[refs[2]!]);
    assert.equal(classIndex[refs[4]!], classIndex[refs[5]!]);
  });
});

/** Plain objects with the given property edges (and optional other edges), held by a synthetic node. */
class PlainObjects {
  readonly b: SnapshotBuilder;
  readonly #add: (node: NodeRef) => void;
  readonly #values = new Map<string, NodeRef>();

  constructor() {
    const { b, add } = holderGraph();
    this.b = b;
    this.#add = add;
  }

  object(properties: string[], name = 'Object', otherEdges: [EdgeKind, string | number][] = []): NodeRef {
    const node = this.b.node({ type: 'object', name, selfSize: 16 });
    this.#add(node);
    for (const property of properties) this.b.edge(node, this.value(property), 'property', property);
    for (const [type, nameOrIndex] of otherEdges)
      this.b.edge(node, this.value(String(nameOrIndex)), type, nameOrIndex);
    return node;
  }

  many(count: number, properties: string[]): NodeRef[] {
    return Array.from({ length: count }, () => this.object(properties));
  }

  private value(key: string): NodeRef {
    let node = this.#values.get(key);
    if (node === undefined) {
      node = this.b.node({ type: 'number', name: 'heap number', selfSize: 16 });
      this.#add(node);
      this.#values.set(key, node);
    }
    return node;
  }
}

type EdgeKind = 'element' | 'internal' | 'hidden' | 'context' | 'weak' | 'shortcut';

describe('plain objects named after their properties', () => {
  test('a shape shared by two objects is named {a, b}; a shape seen once stays Object', async () => {
    const p = new PlainObjects();
    const pair = p.many(2, ['a', 'b']);
    const single = p.object(['x', 'y']);
    const empty = p.object([]);
    const { ours, devTools } = await classNames(p.b);
    for (const node of pair) assert.equal(ours[node], '{a, b}');
    assert.equal(ours[single], 'Object');
    assert.equal(ours[empty], 'Object');
    assert.deepEqual(ours, devTools);
  });

  test('only property edges make the name; __proto__ is left out of it but still matched', async () => {
    const p = new PlainObjects();
    const withOthers = [
      p.object(['a'], 'Object', [
        ['element', 0],
        ['internal', 'map'],
        ['hidden', 1],
        ['context', 'ctx'],
        ['weak', 'w'],
      ]),
      p.object(['a'], 'Object', [['internal', 'elements']]),
    ];
    const withProto = p.many(2, ['__proto__', 'b', 'c']);
    // Not a plain Object: never renamed, however many share the shape.
    const named = [p.object(['a', 'b'], 'Session'), p.object(['a', 'b'], 'Session')];
    const { ours, devTools } = await classNames(p.b);
    for (const node of withOthers) assert.equal(ours[node], '{a}');
    for (const node of withProto) assert.equal(ours[node], '{b, c}');
    for (const node of named) assert.equal(ours[node], 'Session');
    assert.deepEqual(ours, devTools);
  });

  test('a shape must cover at least 1 in 1000 plain objects (and at least 2 of them)', async () => {
    const cases: [number, number, string][] = [
      // [objects of shape {x}, objects without properties, expected name]
      [4, 1996, '{x}'], // 2000 plain objects: 2 needed
      [2, 2996, 'Object'], // 2998: 2.998 needed
      [3, 2996, '{x}'], // 2999: 2.999 needed
      [3, 2998, 'Object'], // 3001: 3.001 needed
    ];
    for (const [shaped, empty, name] of cases) {
      const p = new PlainObjects();
      const nodes = p.many(shaped, ['x']);
      p.many(empty, []);
      const { ours, devTools } = await classNames(p.b);
      assert.equal(ours[nodes[0]!], name, `${shaped} of ${shaped + empty}`);
      assert.equal(devTools[nodes[0]!], name, `DevTools: ${shaped} of ${shaped + empty}`);
    }
  });

  test('an object takes the most specific common shape among its own properties; ties go to the more common order', async () => {
    const p = new PlainObjects();
    p.many(5, ['a', 'b']);
    p.many(2, ['a', 'b', 'c']);
    const superset = p.object(['d', 'c', 'b', 'a']);
    const partial = p.object(['a', 'c']);
    const reordered = p.many(3, ['q', 'p']);
    const lessCommonOrder = p.many(2, ['p', 'q']);
    const { ours, devTools } = await classNames(p.b);
    assert.equal(ours[superset], '{a, b, c}');
    assert.equal(ours[partial], 'Object');
    for (const node of [...reordered, ...lessCommonOrder]) assert.equal(ours[node], '{q, p}');
    assert.deepEqual(ours, devTools);
  });

  test('names stop growing near 120 characters; names with commas, quotes or braces are quoted', async () => {
    const p = new PlainObjects();
    const long = Array.from({ length: 6 }, (_, i) => `${'p'.repeat(29)}${i}`);
    const longOnes = p.many(2, long);
    const huge = p.many(2, ['h'.repeat(200), 'second']);
    const odd = p.many(2, ['a,b', 'say "hi"', "it's", '{x}', 'plain']);
    const { ours, devTools } = await classNames(p.b);
    // '{' + 3 × 30 + 2 × ', ' = 95 characters; a fourth would pass 120.
    assert.equal(ours[longOnes[0]!], `{${long.slice(0, 3).join(', ')}}`);
    // The first property always counts, however long.
    assert.equal(ours[huge[0]!], `{${'h'.repeat(200)}}`);
    assert.equal(ours[odd[0]!], `{"a,b", "say \\"hi\\"", "it's", "{x}", plain}`);
    assert.deepEqual(ours, devTools);
  });

  test('random plain objects over a small property pool: every name equals DevTools’', async () => {
    let state = 12345;
    const random = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 2 ** 32;
    };
    const pool = ['id', 'name', 'user', 'a,b', '__proto__', 'next', 'café', '😀', 'x', 'y', 'z'];
    const p = new PlainObjects();
    for (let i = 0; i < 600; i++) {
      const properties = pool.filter(() => random() < 0.3);
      // Shuffle a little: the same set in different orders makes different candidate names.
      if (random() < 0.3) properties.reverse();
      p.object(properties, random() < 0.1 ? 'Foo' : 'Object');
    }
    const { ours, devTools } = await classNames(p.b);
    assert.deepEqual(ours, devTools);
    const shaped = ours.filter((name) => name.startsWith('{')).length;
    assert.ok(shaped > 100, `only ${shaped} objects got a shape name`);
  });
});
