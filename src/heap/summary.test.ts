/**
 * The class summary: shallow sizes moved from internal arrays to their one owner (DevTools'
 * `calculateShallowSizes`), per-class count and self size, and the class retained size that counts a
 * class's objects once even when they retain each other (a linked list is its head). Hand-made graphs
 * with known answers, then random graphs against DevTools' own aggregates.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { parse } from 'heap-snapshot-toolkit';
import { tempDir } from '../../test/support/leak-snapshots.ts';
import { type NodeRef, SnapshotBuilder } from '../../test/support/snapshot-builder.ts';
import { AbortedError, InvalidOptionError } from '../errors.ts';
import { analyzeSnapshots } from './analyze.ts';
import { buildHeapGraph, type HeapGraph } from './graph.ts';
import { parseHeapSnapshot } from './parse.ts';
import { attributeInternalSizes } from './retention.ts';
import { selfSizeOf, typeIndices } from './snapshot.ts';

const dir = tempDir('summary-test-');
let fileCounter = 0;

function write(builder: SnapshotBuilder): string {
  const file = join(dir, `${++fileCounter}.heapsnapshot`);
  writeFileSync(file, builder.text());
  return file;
}

function graphOf(builder: SnapshotBuilder): HeapGraph {
  return buildHeapGraph(parseHeapSnapshot(write(builder)));
}

interface ClassTotals {
  count: number;
  selfSize: number;
  retainedSize: number;
  /** Aggregates (class name × definition site) that make up the class. */
  aggregates: number;
}

/** The summary summed by class name, as DevTools' Summary view shows it. */
function classesOf(graph: HeapGraph): Map<string, ClassTotals> {
  const { aggregates, snapshot } = graph;
  const classes = new Map<string, ClassTotals>();
  for (let i = 0; i < aggregates.size; i++) {
    if (aggregates.count[i] === 0) continue;
    const name = snapshot.strings.get(aggregates.classIndex[i]!);
    const totals = classes.get(name) ?? { count: 0, selfSize: 0, retainedSize: 0, aggregates: 0 };
    totals.count += aggregates.count[i]!;
    totals.selfSize += aggregates.selfSize[i]!;
    totals.retainedSize += aggregates.retainedSize[i]!;
    totals.aggregates++;
    classes.set(name, totals);
  }
  return classes;
}

/**
 * root → user global `Window` (a shortcut, as V8 marks the global object: DevTools then attributes
 * internal sizes) and root → `(GC roots)`. `holder` is an object under the global for tests to hang
 * things on.
 */
function userGraph(): { b: SnapshotBuilder; global: NodeRef; gcRoots: NodeRef } {
  const b = new SnapshotBuilder();
  const global = b.node({ type: 'object', name: 'Window', selfSize: 100 });
  const gcRoots = b.node({ type: 'synthetic', name: '(GC roots)' });
  b.edge(b.root, global, 'shortcut', 'global');
  b.edge(b.root, gcRoots, 'element', 1);
  b.edge(gcRoots, global, 'element', 1);
  return { b, global, gcRoots };
}

describe('attributeInternalSizes: internal arrays and hidden objects count toward their one owner', () => {
  test('an array owned by one object moves its size to it; owned by two it stays', () => {
    const { b, global } = userGraph();
    const owner = b.node({ type: 'object', name: 'Owner', selfSize: 10 });
    const ownArray = b.node({ type: 'array', name: '(object properties)', selfSize: 40 });
    const first = b.node({ type: 'object', name: 'Sharer', selfSize: 10 });
    const second = b.node({ type: 'object', name: 'Sharer', selfSize: 10 });
    const shared = b.node({ type: 'array', name: '(object elements)', selfSize: 64 });
    for (const node of [owner, first, second]) b.edge(global, node, 'property', `p${node}`);
    b.edge(owner, ownArray, 'internal', 'properties');
    b.edge(first, shared, 'internal', 'elements');
    b.edge(second, shared, 'internal', 'elements');
    const graph = graphOf(b);
    assert.equal(selfSizeOf(graph.snapshot, owner), 50);
    assert.equal(selfSizeOf(graph.snapshot, ownArray), 0);
    assert.equal(selfSizeOf(graph.snapshot, shared), 64);
    assert.equal(selfSizeOf(graph.snapshot, first), 10);
    const classes = classesOf(graph);
    // Objects whose size moved away are left out of the summary, as in DevTools.
    assert.equal(classes.get('(array)')?.count, 1);
    assert.equal(classes.get('(array)')?.selfSize, 64);
    assert.equal(classes.get('Owner')?.selfSize, 50);
    // The total does not change: sizes only move.
    assert.equal(graph.totalSize, 100 + 10 + 40 + 10 + 10 + 64);
  });

  test('through chains of internal nodes; not through weak edges; not to the root or a synthetic node', () => {
    const { b, global, gcRoots } = userGraph();
    const map = b.node({ type: 'object', name: 'Map', selfSize: 32 });
    const table = b.node({ type: 'hidden', name: 'system / OrderedHashMap', selfSize: 8 });
    const backing = b.node({ type: 'array', name: '(internal array)', selfSize: 16 });
    b.edge(global, map, 'property', 'cache');
    b.edge(map, table, 'internal', 'table');
    b.edge(table, backing, 'internal', 'backing');
    // A weak edge from another object does not make the array shared.
    const watcher = b.node({ type: 'object', name: 'Watcher', selfSize: 4 });
    b.edge(global, watcher, 'property', 'watcher');
    b.edge(watcher, backing, 'weak', 'peek');
    // Held by the GC roots only: the owner would be synthetic, so the size stays.
    const rootArray = b.node({ type: 'array', name: '(strong roots)', selfSize: 24 });
    b.edge(gcRoots, rootArray, 'element', 2);
    // Two objects sharing a hidden node: the hidden node and everything below it stay put.
    const a = b.node({ type: 'object', name: 'A', selfSize: 1 });
    const c = b.node({ type: 'object', name: 'C', selfSize: 1 });
    const sharedHidden = b.node({ type: 'hidden', name: 'system / Context', selfSize: 8 });
    const below = b.node({ type: 'array', name: '(context data)', selfSize: 8 });
    b.edge(global, a, 'property', 'a');
    b.edge(global, c, 'property', 'c');
    b.edge(a, sharedHidden, 'context', 'ctx');
    b.edge(c, sharedHidden, 'context', 'ctx');
    b.edge(sharedHidden, below, 'internal', 'data');
    const graph = graphOf(b);
    const size = (node: NodeRef) => selfSizeOf(graph.snapshot, node);
    assert.deepEqual([size(map), size(table), size(backing), size(watcher)], [32 + 8 + 16, 0, 0, 4]);
    assert.equal(size(rootArray), 24);
    assert.deepEqual([size(a), size(c), size(sharedHidden), size(below)], [1, 1, 8, 8]);
  });

  test('external string data (a native node) moves to its string; other natives keep their size', () => {
    const { b, global } = userGraph();
    const text = b.node({ type: 'string', name: 'big external string', selfSize: 20 });
    const data = b.node({ type: 'native', name: 'system / ExternalStringData', selfSize: 1 << 20 });
    const buffer = b.node({ type: 'object', name: 'Buffer', selfSize: 80 });
    const store = b.node({ type: 'native', name: 'system / JSArrayBufferData', selfSize: 65_536 });
    b.edge(global, text, 'property', 'text');
    b.edge(text, data, 'internal', 'data');
    b.edge(global, buffer, 'property', 'buffer');
    b.edge(buffer, store, 'internal', 'backing_store');
    const graph = graphOf(b);
    assert.equal(selfSizeOf(graph.snapshot, text), 20 + (1 << 20));
    assert.equal(selfSizeOf(graph.snapshot, data), 0);
    assert.equal(selfSizeOf(graph.snapshot, store), 65_536);
    // The native backing store is still retained by its Buffer.
    assert.equal(graph.dominators.retainedSize[buffer], 80 + 65_536);
  });

  test('no user roots (a snapshot with exposed internals): nothing moves', () => {
    const b = new SnapshotBuilder();
    const gcRoots = b.node({ type: 'synthetic', name: '(GC roots)' });
    const owner = b.node({ type: 'object', name: 'Owner', selfSize: 10 });
    const array = b.node({ type: 'array', name: '(object elements)', selfSize: 40 });
    b.edge(b.root, gcRoots, 'element', 1);
    b.edge(gcRoots, owner, 'element', 1);
    b.edge(owner, array, 'internal', 'elements');
    const snapshot = parseHeapSnapshot(write(b));
    assert.equal(attributeInternalSizes(snapshot, typeIndices(snapshot)), undefined);
    assert.equal(selfSizeOf(snapshot, owner), 10);
    assert.equal(selfSizeOf(snapshot, array), 40);
    const graph = buildHeapGraph(snapshot);
    assert.equal(selfSizeOf(graph.snapshot, array), 40);
  });

  test('moved sizes that pass 2^32 stay exact', () => {
    const { b, global } = userGraph();
    const owner = b.node({ type: 'object', name: 'Huge', selfSize: 2 ** 32 - 10 });
    const array = b.node({ type: 'array', name: '(object elements)', selfSize: 2 ** 32 + 5 });
    b.edge(global, owner, 'property', 'huge');
    b.edge(owner, array, 'internal', 'elements');
    const graph = graphOf(b);
    assert.equal(selfSizeOf(graph.snapshot, owner), 2 ** 33 - 5);
    assert.equal(selfSizeOf(graph.snapshot, array), 0);
    assert.equal(graph.dominators.retainedSize[owner], 2 ** 33 - 5);
    assert.equal(classesOf(graph).get('Huge')?.selfSize, 2 ** 33 - 5);
  });
});

describe('class aggregates', () => {
  /** root → (GC roots) → objects given: no user roots, so sizes stay as written. */
  function plainGraph(): { b: SnapshotBuilder; hold: (node: NodeRef) => void } {
    const b = new SnapshotBuilder();
    const gcRoots = b.node({ type: 'synthetic', name: '(GC roots)' });
    b.edge(b.root, gcRoots, 'element', 1);
    let index = 0;
    return { b, hold: (node) => b.edge(gcRoots, node, 'element', index++) };
  }

  function linkedList(b: SnapshotBuilder, length: number, size: number): NodeRef[] {
    const links = Array.from({ length }, () => b.node({ type: 'object', name: 'Link', selfSize: size }));
    for (let i = 1; i < length; i++) b.edge(links[i - 1]!, links[i]!, 'property', 'next');
    return links;
  }

  test('a linked list of N nodes of one class counts its head’s retained size once', () => {
    const { b, hold } = plainGraph();
    const list = linkedList(b, 50, 10);
    hold(list[0]!);
    const other = linkedList(b, 5, 4);
    hold(other[0]!);
    const graph = graphOf(b);
    const link = classesOf(graph).get('Link');
    assert.deepEqual(link, { count: 55, selfSize: 520, retainedSize: 500 + 20, aggregates: 1 });
    assert.equal(graph.dominators.retainedSize[list[0]!], 500);
  });

  test('an object of the class below an object of another class below one of the class counts once', () => {
    const { b, hold } = plainGraph();
    const outer = b.node({ type: 'object', name: 'Link', selfSize: 10 });
    const middle = b.node({ type: 'object', name: 'Other', selfSize: 5 });
    const inner = b.node({ type: 'object', name: 'Link', selfSize: 7 });
    const sibling = b.node({ type: 'object', name: 'Link', selfSize: 3 });
    hold(outer);
    hold(sibling);
    b.edge(outer, middle, 'property', 'm');
    b.edge(middle, inner, 'property', 'i');
    const classes = classesOf(graphOf(b));
    assert.equal(classes.get('Link')?.retainedSize, 22 + 3);
    assert.equal(classes.get('Other')?.retainedSize, 12);
  });

  test('objects of size 0 are not counted and do not hide the class’s objects below them', () => {
    const { b, hold } = plainGraph();
    const empty = b.node({ type: 'object', name: 'Link', selfSize: 0 });
    const below = b.node({ type: 'object', name: 'Link', selfSize: 7 });
    hold(empty);
    b.edge(empty, below, 'property', 'next');
    const link = classesOf(graphOf(b)).get('Link');
    assert.equal(link?.count, 1);
    assert.equal(link?.retainedSize, 7);
  });

  test('objects are told apart by where their constructor was defined; closures are not', () => {
    const { b, hold } = plainGraph();
    const nodes = [1, 2, 3, 4].map(() => b.node({ type: 'object', name: 'Node', selfSize: 8 }));
    const closures = [1, 2].map(() => b.node({ type: 'closure', name: 'f', selfSize: 32 }));
    for (const node of [...nodes, ...closures]) hold(node);
    b.location(nodes[0]!, { scriptId: 1, line: 10, column: 0 });
    b.location(nodes[1]!, { scriptId: 1, line: 10, column: 0 });
    b.location(nodes[2]!, { scriptId: 2, line: 10, column: 0 });
    // nodes[3] has no location: a class of its own.
    b.location(closures[0]!, { scriptId: 1, line: 1, column: 0 });
    b.location(closures[1]!, { scriptId: 1, line: 2, column: 0 });
    const graph = graphOf(b);
    const { aggregateOf } = graph.aggregates;
    assert.equal(aggregateOf[nodes[0]!], aggregateOf[nodes[1]!]);
    assert.notEqual(aggregateOf[nodes[0]!], aggregateOf[nodes[2]!]);
    assert.notEqual(aggregateOf[nodes[0]!], aggregateOf[nodes[3]!]);
    assert.notEqual(aggregateOf[nodes[2]!], aggregateOf[nodes[3]!]);
    assert.equal(aggregateOf[closures[0]!], aggregateOf[closures[1]!]);
    assert.deepEqual(classesOf(graph).get('Node'), {
      count: 4,
      selfSize: 32,
      retainedSize: 32,
      aggregates: 3,
    });
  });

  test('analyzeSnapshots on one snapshot: summary by retained size, `top` respected, a bad `top` refused', async () => {
    const { b, hold } = plainGraph();
    const list = linkedList(b, 10, 10);
    hold(list[0]!);
    for (let i = 0; i < 3; i++) hold(b.node({ type: 'object', name: 'Small', selfSize: 5 }));
    const big = b.node({ type: 'object', name: 'Big', selfSize: 1000 });
    hold(big);
    b.location(big, { scriptId: 7, line: 3, column: 4 });
    const file = write(b);
    const result = await analyzeSnapshots([file]);
    assert.deepEqual(
      result.summary.map((entry) => [entry.name, entry.count, entry.selfSize, entry.retainedSize]),
      [
        ['Big', 1, 1000, 1000],
        ['Link', 10, 100, 100],
        ['Small', 3, 15, 15],
      ],
    );
    assert.deepEqual(result.summary[0]?.location, { scriptId: 7, line: 3, column: 4 });
    assert.deepEqual(result.snapshots, [{ file, nodeCount: 16, edgeCount: 15, totalSize: 1115 }]);
    assert.deepEqual(result.suspects, []);
    assert.equal(result.diff, undefined);
    // Largest objects by retained size, each with its path from a GC root; the root's own children
    // ((GC roots) here) are left out.
    assert.deepEqual(result.largest[0] && [result.largest[0].name, result.largest[0].retainedSize], [
      'Big',
      1000,
    ]);
    for (const [i, object] of result.largest.entries()) {
      assert.notEqual(object.name, '(GC roots)');
      assert.equal(object.retainerPath.at(-1)?.nodeId, object.id);
      if (i > 0)
        assert.ok(object.retainedSize <= result.largest[i - 1]!.retainedSize, 'sorted by retained size');
    }
    assert.equal(result.largest[0]?.id, b.idOf(big));
    assert.deepEqual(result.largest[0]?.location, { scriptId: 7, line: 3, column: 4 });
    assert.deepEqual(
      result.largest[0]?.retainerPath.map((step) => [step.edgeType, step.node, step.nodeId]),
      [
        ['element', '(GC roots)', b.idOf(1)],
        ['element', 'Big', b.idOf(big)],
      ],
    );
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(analyzeSnapshots([file], { signal: aborted.signal }), AbortedError);
    assert.equal((await analyzeSnapshots([file], { top: 2 })).summary.length, 2);
    for (const top of [0, -1, 1.5]) {
      await assert.rejects(analyzeSnapshots([file], { top }), InvalidOptionError);
    }
    await assert.rejects(analyzeSnapshots([]), InvalidOptionError);
  });
});

describe('class summary against DevTools on random graphs', () => {
  interface DevToolsAggregate {
    name: string;
    count: number;
    self: number;
    maxRet: number;
  }

  async function devToolsClasses(text: string): Promise<Map<string, Omit<ClassTotals, 'aggregates'>>> {
    const snapshot = (await parse(Readable.from([text]) as never)) as unknown as {
      aggregatesWithFilter(filter: object): Record<string, DevToolsAggregate>;
    };
    const classes = new Map<string, Omit<ClassTotals, 'aggregates'>>();
    for (const aggregate of Object.values(snapshot.aggregatesWithFilter({}))) {
      const totals = classes.get(aggregate.name) ?? { count: 0, selfSize: 0, retainedSize: 0 };
      totals.count += aggregate.count;
      totals.selfSize += aggregate.self;
      totals.retainedSize += aggregate.maxRet;
      classes.set(aggregate.name, totals);
    }
    return classes;
  }

  test('40 random heaps with classes, locations, internal arrays and a user global: every class equals DevTools’', async () => {
    let state = 7;
    const random = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 2 ** 32;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    let compared = 0;
    for (let round = 0; round < 40; round++) {
      const { b, global, gcRoots } = userGraph();
      const nodes: NodeRef[] = [global];
      const n = 20 + Math.floor(random() * 150);
      for (let i = 0; i < n; i++) {
        const type = pick(['object', 'object', 'object', 'array', 'hidden', 'closure', 'string', 'native']);
        const name =
          type === 'object'
            ? pick(['Link', 'Session', 'Object', 'Object'])
            : type === 'native'
              ? pick(['system / ExternalStringData', 'Buffer'])
              : `${type}`;
        const node = b.node({ type, name, selfSize: random() < 0.1 ? 0 : 1 + Math.floor(random() * 200) });
        if (type === 'object' && random() < 0.3) {
          b.location(node, {
            scriptId: 1 + Math.floor(random() * 2),
            line: Math.floor(random() * 2),
            column: 0,
          });
        }
        const parent = nodes[Math.floor(random() * nodes.length)]!;
        if (random() < 0.3) b.edge(parent, node, 'element', Math.floor(random() * 4));
        else b.edge(parent, node, pick(['property', 'internal'] as const), pick(['a', 'b', 'c']));
        nodes.push(node);
      }
      for (let k = 0; k < n; k++) {
        const from = pick(nodes);
        const to = pick(nodes);
        const type = pick(['property', 'property', 'internal', 'weak', 'context'] as const);
        b.edge(from, to, type, pick(['a', 'b', 'next', 'value']));
      }
      b.edge(gcRoots, pick(nodes), 'element', 2);
      const text = b.text();
      const file = join(dir, `${++fileCounter}.heapsnapshot`);
      writeFileSync(file, text);
      const ours = classesOf(buildHeapGraph(parseHeapSnapshot(file)));
      const theirs = await devToolsClasses(text);
      assert.deepEqual(
        [...ours.keys()].sort(),
        [...theirs.keys()].sort(),
        `round ${round}: the same classes`,
      );
      for (const [name, totals] of theirs) {
        const { aggregates: _, ...mine } = ours.get(name)!;
        assert.deepEqual(mine, totals, `round ${round}: class ${name}`);
        compared++;
      }
    }
    assert.ok(compared > 150, `only ${compared} classes compared`);
  });
});
