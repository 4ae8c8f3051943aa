/**
 * Dominators and retained sizes against a reference that shares no code with the engine: which edges
 * retain is decided again from the rules DevTools documents (HeapSnapshot.ts, computeIsEssentialEdge),
 * and dominators by brute force — d dominates v when removing d cuts v off the root. Random graphs with
 * every awkward feature (cycles, edges into the root, self edges, garbage, weakly held nodes, shortcuts,
 * WeakMap ephemeron edges, internal arrays whose size moves to their owner), then one hand-made graph
 * per retention rule. A sample of the random graphs is also checked against DevTools itself.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { parse } from 'heap-snapshot-toolkit';
import { tempDir } from '../../test/support/leak-snapshots.ts';
import { type EdgeType, SnapshotBuilder, type SnapshotLayout } from '../../test/support/snapshot-builder.ts';
import { buildHeapGraph, type HeapGraph } from './graph.ts';
import { parseHeapSnapshot } from './parse.ts';
import { selfSizeOf } from './snapshot.ts';

const dir = tempDir('dominators-test-');
let fileCounter = 0;

// ---- graphs as plain data -------------------------------------------------------------------------------

interface GraphNode {
  type: string;
  name: string;
  id: number;
  selfSize: number;
}

interface GraphEdge {
  from: number;
  to: number;
  type: EdgeType;
  nameOrIndex: string | number;
}

interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

function toBuilder(graph: Graph): SnapshotBuilder {
  const b = new SnapshotBuilder();
  graph.nodes.forEach((node, i) => {
    if (i === 0) {
      assert.equal(node.id, 1, 'the builder gives the root id 1');
      return;
    }
    b.node(node);
  });
  for (const edge of graph.edges) b.edge(edge.from, edge.to, edge.type, edge.nameOrIndex);
  return b;
}

function textOf(graph: Graph, layout: SnapshotLayout = 'node24'): string {
  return toBuilder(graph).text({ layout });
}

function analyze(graph: Graph, layout: SnapshotLayout = 'node24'): HeapGraph {
  const file = join(dir, `${++fileCounter}.heapsnapshot`);
  writeFileSync(file, textOf(graph, layout));
  return buildHeapGraph(parseHeapSnapshot(file));
}

// ---- the reference --------------------------------------------------------------------------------------

const WEAK_MAP_VALUE_EDGE =
  /^\d+ \/ part of key \(.*? @\d+\) -> value \(.*? @\d+\) pair in WeakMap \(table @(\d+)\)$/;

function isInternalStorage(node: GraphNode): boolean {
  return (
    node.type === 'hidden' ||
    node.type === 'array' ||
    (node.type === 'native' && node.name === 'system / ExternalStringData')
  );
}

/**
 * Self sizes after DevTools' attribution: an internal node (hidden, array, external string data)
 * reachable without weak edges from exactly one ordinary node, through internal nodes only, gives its
 * size to that node — unless the owner is the root or synthetic. Nothing moves without user roots.
 */
function referenceSelfSizes(graph: Graph): number[] {
  const { nodes, edges } = graph;
  const sizes = nodes.map((node) => node.selfSize);
  const hasUserRoots = edges.some((edge) => edge.from === 0 && nodes[edge.to]!.type !== 'synthetic');
  if (!hasUserRoots) return sizes;
  const out = nodes.map(() => [] as number[]);
  for (const edge of edges) if (edge.type !== 'weak') out[edge.from]!.push(edge.to);
  const owners = nodes.map(() => new Set<number>());
  nodes.forEach((node, owner) => {
    if (isInternalStorage(node)) return;
    const seen = new Set<number>();
    const stack = [...out[owner]!];
    while (stack.length > 0) {
      const v = stack.pop()!;
      if (seen.has(v) || !isInternalStorage(nodes[v]!)) continue;
      seen.add(v);
      owners[v]!.add(owner);
      stack.push(...out[v]!);
    }
  });
  for (let v = 0; v < nodes.length; v++) {
    if (owners[v]!.size !== 1) continue;
    const [owner] = owners[v]!;
    if (owner === 0 || nodes[owner!]!.type === 'synthetic') continue;
    sizes[owner!]! += sizes[v]!;
    sizes[v] = 0;
  }
  return sizes;
}

/** DevTools' rules for which edges retain (see the file comment). */
function referenceEssential(graph: Graph): boolean[] {
  const { nodes, edges } = graph;
  const pageOwned = nodes.map(() => false);
  const stack: number[] = [];
  for (const edge of edges) {
    if (edge.from === 0 && edge.type === 'shortcut' && !pageOwned[edge.to]) {
      pageOwned[edge.to] = true;
      stack.push(edge.to);
    }
  }
  while (stack.length > 0) {
    const v = stack.pop()!;
    for (const edge of edges) {
      if (edge.from !== v || edge.type === 'weak' || pageOwned[edge.to]) continue;
      pageOwned[edge.to] = true;
      stack.push(edge.to);
    }
  }
  return edges.map((edge) => {
    if (edge.type === 'weak' || edge.from === edge.to) return false;
    if (edge.from !== 0) {
      if (edge.type === 'shortcut') return false;
      if (pageOwned[edge.to] && !pageOwned[edge.from]) return false;
    }
    if (edge.type === 'internal' && typeof edge.nameOrIndex === 'string') {
      const match = WEAK_MAP_VALUE_EDGE.exec(edge.nameOrIndex);
      if (match !== null && Number(match[1]) === nodes[edge.from]!.id) return false;
    }
    return true;
  });
}

interface Reference {
  idom: number[];
  retainedSize: number[];
  selfSize: number[];
}

/**
 * The flow graph is the essential edges plus an edge from the root to every node nothing retains
 * (held only weakly, or not at all). d dominates v when v is reachable from the root and no longer
 * is without d; the immediate dominator is the deepest one. Whatever the root still cannot reach
 * (cycles of garbage) hangs directly off the root.
 */
function reference(graph: Graph): Reference {
  const n = graph.nodes.length;
  const essential = referenceEssential(graph);
  const out = graph.nodes.map(() => [] as number[]);
  const retained = graph.nodes.map(() => false);
  graph.edges.forEach((edge, i) => {
    if (!essential[i]) return;
    out[edge.from]!.push(edge.to);
    retained[edge.to] = true;
  });
  const reach = (skip: number): boolean[] => {
    const seen = graph.nodes.map(() => false);
    if (skip === 0) return seen;
    seen[0] = true;
    const stack = [0];
    while (stack.length > 0) {
      for (const w of out[stack.pop()!]!) {
        if (w !== skip && !seen[w]) {
          seen[w] = true;
          stack.push(w);
        }
      }
    }
    return seen;
  };
  const fromRoot = reach(-1);
  for (let v = 1; v < n; v++) if (!fromRoot[v] && !retained[v]) out[0]!.push(v);
  const reachable = reach(-1);
  const dominators = graph.nodes.map(() => [0]);
  for (let d = 1; d < n; d++) {
    if (!reachable[d]) continue;
    const without = reach(d);
    for (let v = 1; v < n; v++) if (v !== d && reachable[v] && !without[v]) dominators[v]!.push(d);
  }
  const idom = graph.nodes.map((_, v) => {
    if (v === 0 || !reachable[v]) return 0;
    let best = 0;
    for (const d of dominators[v]!)
      if (dominators[d]!.length > dominators[best]!.length || best === 0) best = d;
    return best;
  });
  const selfSize = referenceSelfSizes(graph);
  const retainedSize = graph.nodes.map(() => 0);
  for (let v = 0; v < n; v++) {
    retainedSize[v]! += selfSize[v]!;
    for (let u = v, guard = 0; u !== 0; u = idom[u]!, guard++) {
      assert.ok(guard <= n, 'reference dominator tree has a cycle');
      retainedSize[idom[u]!]! += selfSize[v]!;
    }
  }
  return { idom, retainedSize, selfSize };
}

// ---- random graphs --------------------------------------------------------------------------------------

/** mulberry32: small, fast, good enough to pick graph shapes, and reproducible from a seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface RandomOptions {
  /** Self sizes beyond 2^32 (DevTools cannot read those: it keeps sizes in 32 bits). */
  largeSizes: boolean;
  edgesIntoRoot: boolean;
}

function randomGraph(seed: number, options: RandomOptions): Graph {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const n = 2 + Math.floor(random() ** 1.5 * 199);
  const idBase = random() < 0.3 ? 2 ** 31 : 0;
  const nodes: GraphNode[] = [{ type: 'synthetic', name: '', id: 1, selfSize: 0 }];
  const types = [
    'object',
    'object',
    'object',
    'object',
    'hidden',
    'array',
    'array',
    'closure',
    'string',
    'native',
    'synthetic',
    'code',
  ];
  for (let i = 1; i < n; i++) {
    const type = pick(types);
    const name =
      type === 'native'
        ? pick(['system / ExternalStringData', 'Buffer'])
        : type === 'object'
          ? pick(['Foo', 'Bar', 'Object'])
          : type === 'synthetic'
            ? pick(['(GC roots)', '(Internalized strings)'])
            : `${type}${i % 3}`;
    let selfSize = random() < 0.1 ? 0 : Math.floor(random() * 1000);
    if (options.largeSizes && random() < 0.05) selfSize += 2 ** 32 + Math.floor(random() * 2 ** 20);
    nodes.push({ type, name, id: idBase + 2 * i + 1, selfSize });
  }
  const edges: GraphEdge[] = [];
  let element = 0;
  // The root's edges go to distinct nodes: DevTools' distance BFS overflows its queue on a repeated one.
  const rootTargets = new Set<number>();
  const add = (from: number, to: number, type: EdgeType) => {
    if (from === 0) {
      if (rootTargets.has(to)) return;
      rootTargets.add(to);
    }
    if (type === 'element' || type === 'hidden') {
      edges.push({ from, to, type, nameOrIndex: element++ % 7 });
    } else if (type === 'internal' && random() < 0.25) {
      // A WeakMap ephemeron edge; from the table itself most of the time (those do not retain).
      const tableId = random() < 0.7 ? nodes[from]!.id : nodes[Math.floor(random() * n)]!.id;
      const key = nodes[Math.floor(random() * n)]!;
      edges.push({
        from,
        to,
        type,
        nameOrIndex: `${edges.length} / part of key (${key.name} @${key.id}) -> value (${nodes[to]!.name} @${nodes[to]!.id}) pair in WeakMap (table @${tableId})`,
      });
    } else {
      edges.push({ from, to, type, nameOrIndex: pick(['a', 'b', 'map', 'elements', 'value']) });
    }
  };
  // The root: GC root categories (synthetic), user globals (shortcuts), sometimes plain children.
  const rootChildren = 1 + Math.floor(random() * Math.min(5, n - 1));
  for (let k = 0; k < rootChildren; k++) {
    const to = 1 + Math.floor(random() * (n - 1));
    const roll = random();
    add(0, to, roll < 0.4 ? 'shortcut' : roll < 0.8 ? 'element' : 'property');
  }
  // A sparse spanning structure (most nodes reachable) plus random extra edges of every kind.
  const density = random();
  for (let v = 1; v < n; v++) {
    if (random() < 0.75)
      add(Math.floor(random() * v), v, pick(['property', 'element', 'internal', 'context', 'hidden']));
  }
  const extra = Math.floor(n * density * 3);
  const edgeTypes: EdgeType[] = [
    'property',
    'property',
    'element',
    'internal',
    'internal',
    'hidden',
    'context',
    'weak',
    'weak',
    'shortcut',
  ];
  for (let k = 0; k < extra; k++) {
    const from = Math.floor(random() * n);
    const roll = random();
    // Self edges and edges back into the root, on purpose.
    const anyNode = options.edgesIntoRoot ? Math.floor(random() * n) : 1 + Math.floor(random() * (n - 1));
    const to = roll < 0.03 ? from : roll < 0.06 && options.edgesIntoRoot ? 0 : anyNode;
    add(from, to, pick(edgeTypes));
  }
  return { nodes, edges };
}

function compare(graph: Graph, heap: HeapGraph, expected: Reference, label: string): void {
  const { idom, retainedSize, order } = heap.dominators;
  const n = graph.nodes.length;
  assert.equal(idom.length, n);
  for (let v = 0; v < n; v++) {
    assert.equal(selfSizeOf(heap.snapshot, v), expected.selfSize[v], `${label}: self size of node ${v}`);
  }
  for (let v = 0; v < n; v++) assert.equal(idom[v], expected.idom[v], `${label}: idom of node ${v}`);
  for (let v = 0; v < n; v++) {
    assert.equal(retainedSize[v], expected.retainedSize[v], `${label}: retained size of node ${v}`);
  }
  // `order` is a preorder of the dominator tree: a permutation with every node after its dominator.
  const position = new Int32Array(n).fill(-1);
  order.forEach((node, i) => {
    assert.equal(position[node], -1, `${label}: node ${node} twice in order`);
    position[node] = i;
  });
  assert.equal(order[0], 0, `${label}: order starts at the root`);
  for (let v = 1; v < n; v++) {
    assert.ok(position[idom[v]!]! < position[v]!, `${label}: node ${v} comes before its dominator`);
  }
}

interface DevToolsDominators {
  dominatorsTree: Uint32Array;
  retainedSizes: Float64Array;
}

async function devToolsDominators(text: string): Promise<DevToolsDominators> {
  return (await parse(Readable.from([text]) as never)) as unknown as DevToolsDominators;
}

describe('dominators and retained sizes on random graphs', () => {
  const graphs = 120;

  test(`${graphs} random graphs of 2–200 nodes: buildHeapGraph equals the brute-force reference`, () => {
    // What the generator produced, so the test cannot pass by never meeting a case.
    const seen = {
      nodes: 0,
      weakOnly: 0,
      garbage: 0,
      selfEdges: 0,
      intoRoot: 0,
      ephemeron: 0,
      attributed: 0,
      shortcut: 0,
      largeSizes: 0,
    };
    for (let seed = 1; seed <= graphs; seed++) {
      const graph = randomGraph(seed, { largeSizes: seed % 5 === 0, edgesIntoRoot: true });
      const expected = reference(graph);
      const heap = analyze(graph, seed % 2 === 0 ? 'node20' : 'node24');
      compare(graph, heap, expected, `seed ${seed}`);

      const essential = referenceEssential(graph);
      const retainedBy = graph.nodes.map(() => 0);
      const weaklyHeld = graph.nodes.map(() => false);
      graph.edges.forEach((edge, i) => {
        if (essential[i]) retainedBy[edge.to]!++;
        if (edge.type === 'weak') weaklyHeld[edge.to] = true;
        if (edge.from === edge.to) seen.selfEdges++;
        if (edge.to === 0) seen.intoRoot++;
        if (edge.type === 'shortcut' && edge.from !== 0) seen.shortcut++;
        const match =
          typeof edge.nameOrIndex === 'string' ? WEAK_MAP_VALUE_EDGE.exec(edge.nameOrIndex) : null;
        if (match !== null && Number(match[1]) === graph.nodes[edge.from]!.id) seen.ephemeron++;
      });
      seen.nodes += graph.nodes.length;
      seen.weakOnly += graph.nodes.filter((_, v) => v !== 0 && weaklyHeld[v] && retainedBy[v] === 0).length;
      seen.attributed += expected.selfSize.filter((size, v) => size !== graph.nodes[v]!.selfSize).length;
      seen.largeSizes += expected.selfSize.filter((size) => size >= 2 ** 32).length;
      // Retained, yet not reachable from the root even through weakly held nodes: garbage cycles.
      seen.garbage += expected.idom.filter((d, v) => v !== 0 && d === 0 && retainedBy[v]! > 0).length;
    }
    for (const [feature, count] of Object.entries(seen)) assert.ok(count >= 20, `${feature}: only ${count}`);
  });

  test('a sample of the random graphs: DevTools computes the same dominators and retained sizes', async () => {
    // DevTools' distance BFS throws on edges into the root ("BFS failed"): this sample has none.
    for (let seed = 1; seed <= graphs; seed += 4) {
      const graph = randomGraph(seed, { largeSizes: false, edgesIntoRoot: false });
      const expected = reference(graph);
      const devTools = await devToolsDominators(textOf(graph));
      for (let v = 0; v < graph.nodes.length; v++) {
        assert.equal(
          devTools.dominatorsTree[v],
          expected.idom[v],
          `seed ${seed}: DevTools' idom of node ${v}`,
        );
        assert.equal(
          devTools.retainedSizes[v],
          expected.retainedSize[v],
          `seed ${seed}: DevTools' retained size of node ${v}`,
        );
      }
    }
  });

  test('a chain of 50 000 nodes: no recursion, no stack overflow, sizes summed down the chain', () => {
    const n = 50_000;
    const nodes: GraphNode[] = [{ type: 'synthetic', name: '', id: 1, selfSize: 0 }];
    const edges: GraphEdge[] = [];
    for (let i = 1; i < n; i++) {
      nodes.push({ type: 'object', name: 'Link', id: 2 * i + 1, selfSize: 2 });
      edges.push({ from: i - 1, to: i, type: 'property', nameOrIndex: 'next' });
    }
    const heap = analyze({ nodes, edges });
    assert.equal(heap.dominators.retainedSize[0], 2 * (n - 1));
    assert.equal(heap.dominators.retainedSize[1], 2 * (n - 1));
    assert.equal(heap.dominators.retainedSize[n - 1], 2);
    assert.equal(heap.dominators.idom[n - 1], n - 2);
  });
});

// ---- one hand-made graph per rule ------------------------------------------------------------------------

/** A graph described by names: `node('A', 10)` then `edge('A', 'B', 'property')`. */
class Sketch {
  readonly graph: Graph = { nodes: [{ type: 'synthetic', name: '', id: 1, selfSize: 0 }], edges: [] };
  readonly #byLabel = new Map<string, number>([['root', 0]]);

  node(label: string, selfSize: number, type = 'object', name = label): this {
    const ordinal = this.graph.nodes.length;
    this.graph.nodes.push({ type, name, id: 2 * ordinal + 1, selfSize });
    this.#byLabel.set(label, ordinal);
    return this;
  }

  edge(
    from: string,
    to: string,
    type: EdgeType,
    nameOrIndex: string | number = type === 'element' || type === 'hidden' ? 0 : to,
  ): this {
    this.graph.edges.push({ from: this.of(from), to: this.of(to), type, nameOrIndex });
    return this;
  }

  of(label: string): number {
    const ordinal = this.#byLabel.get(label);
    assert.ok(ordinal !== undefined, `no node ${label}`);
    return ordinal;
  }

  idOf(label: string): number {
    return this.graph.nodes[this.of(label)]!.id;
  }

  labelOf(ordinal: number): string {
    for (const [label, value] of this.#byLabel) if (value === ordinal) return label;
    return `#${ordinal}`;
  }

  /** Analyzes the graph and checks the engine against the reference, and the reference against DevTools. */
  async check(): Promise<{ idom: (label: string) => string; retained: (label: string) => number }> {
    const heap = analyze(this.graph);
    const expected = reference(this.graph);
    compare(this.graph, heap, expected, 'hand-made graph');
    const devTools = await devToolsDominators(textOf(this.graph));
    assert.deepEqual([...devTools.dominatorsTree], expected.idom, 'DevTools agrees with the reference');
    assert.deepEqual(
      [...devTools.retainedSizes],
      expected.retainedSize,
      'DevTools agrees with the reference',
    );
    return {
      idom: (label) => this.labelOf(heap.dominators.idom[this.of(label)]!),
      retained: (label) => heap.dominators.retainedSize[this.of(label)]!,
    };
  }
}

/** root → (GC roots) [synthetic], so no user roots: self sizes stay as given. */
function sketch(): Sketch {
  return new Sketch().node('(GC roots)', 0, 'synthetic').edge('root', '(GC roots)', 'element');
}

describe('retention rules, one hand-made graph each', () => {
  test('weak edges do not retain: a node held strongly by A and weakly by X is A’s', async () => {
    const s = sketch()
      .node('A', 10)
      .node('X', 20)
      .node('C', 7)
      .edge('(GC roots)', 'A', 'property')
      .edge('(GC roots)', 'X', 'property')
      .edge('A', 'C', 'property')
      .edge('X', 'C', 'weak', 'ref');
    const { idom, retained } = await s.check();
    assert.equal(idom('C'), 'A');
    assert.equal(retained('A'), 17);
    assert.equal(retained('X'), 20);
  });

  test('a node held only weakly hangs off the root with its own subtree, not off its weak holder', async () => {
    const s = sketch()
      .node('A', 10)
      .node('W', 5)
      .node('Wchild', 3)
      .edge('(GC roots)', 'A', 'property')
      .edge('A', 'W', 'weak', 'ref')
      .edge('W', 'Wchild', 'property');
    const { idom, retained } = await s.check();
    assert.equal(idom('W'), 'root');
    assert.equal(idom('Wchild'), 'W');
    assert.equal(retained('A'), 10);
    assert.equal(retained('W'), 8);
    assert.equal(retained('root'), 18);
  });

  test('self edges do not retain: a node whose only retainer is itself hangs off the root', async () => {
    const s = sketch()
      .node('A', 10)
      .node('S', 4)
      .edge('(GC roots)', 'A', 'property')
      .edge('S', 'S', 'property', 'self')
      .edge('A', 'A', 'internal', 'me');
    const { idom, retained } = await s.check();
    assert.equal(idom('S'), 'root');
    assert.equal(retained('A'), 10);
  });

  test('shortcut edges retain only from the root', async () => {
    const s = sketch()
      .node('A', 10)
      .node('B', 20)
      .node('C', 7)
      .edge('(GC roots)', 'A', 'property')
      .edge('(GC roots)', 'B', 'property')
      .edge('A', 'C', 'property')
      // Not from the root: ignored, so C is still A's alone.
      .edge('B', 'C', 'shortcut', 'c');
    const { idom, retained } = await s.check();
    assert.equal(idom('C'), 'A');
    assert.equal(retained('A'), 17);

    // From the root, a shortcut marks a user global: it retains (and A's edge into it, from outside
    // what the globals reach, does not).
    const t = sketch()
      .node('A', 10)
      .node('Global', 50)
      .node('G1', 5)
      .edge('(GC roots)', 'A', 'property')
      .edge('A', 'Global', 'property', 'global')
      .edge('root', 'Global', 'shortcut', 'global')
      .edge('Global', 'G1', 'property');
    const other = await t.check();
    assert.equal(other.idom('Global'), 'root');
    assert.equal(other.idom('G1'), 'Global');
    assert.equal(other.retained('A'), 10);
    assert.equal(other.retained('Global'), 55);
  });

  test('edges from outside the page-owned set into it do not retain; edges inside it and from the root do', async () => {
    const s = new Sketch()
      .node('Global', 8)
      .node('P', 6)
      .node('Q', 2)
      .node('(GC roots)', 0, 'synthetic')
      .node('Debugger', 30)
      .edge('root', 'Global', 'shortcut', 'global')
      .edge('root', '(GC roots)', 'element')
      .edge('Global', 'P', 'property')
      .edge('(GC roots)', 'Debugger', 'element')
      // Debugger is not reachable from the global: its edges into P and Q are ignored.
      .edge('Debugger', 'P', 'property', 'inspected')
      .edge('P', 'Q', 'property')
      .edge('Debugger', 'Q', 'property', 'inspected')
      // The root's own edges count, page-owned target or not.
      .node('R', 1)
      .edge('root', 'R', 'element')
      .edge('Global', 'R', 'property');
    const { idom, retained } = await s.check();
    assert.equal(idom('P'), 'Global');
    assert.equal(idom('Q'), 'P');
    assert.equal(idom('R'), 'root');
    assert.equal(retained('Debugger'), 30);
    assert.equal(retained('Global'), 16);
    // Without the rule P and Q would both be dominated by the root.
  });

  test('the WeakMap table’s internal edge to a value does not retain; the key’s does', async () => {
    const s = sketch()
      .node('WeakMap', 32)
      .node('table', 100, 'array', '(object elements)')
      .node('Key', 16)
      .node('Value', 64)
      .node('Holder', 8)
      .edge('(GC roots)', 'WeakMap', 'property')
      .edge('(GC roots)', 'Holder', 'property')
      .edge('WeakMap', 'table', 'internal', 'table')
      .edge('Holder', 'Key', 'property', 'key');
    const pair = (index: number) =>
      `${index} / part of key (Key @${s.idOf('Key')}) -> value (Value @${s.idOf('Value')}) pair in WeakMap (table @${s.idOf('table')})`;
    s.edge('table', 'Key', 'weak', 'key')
      .edge('table', 'Value', 'internal', pair(1))
      .edge('Key', 'Value', 'internal', pair(2));
    const { idom, retained } = await s.check();
    assert.equal(idom('Value'), 'Key');
    assert.equal(retained('Holder'), 8 + 16 + 64);
    assert.equal(retained('WeakMap'), 32 + 100);

    // The same name on a table whose id does not match: an ordinary internal edge, which retains.
    const t = sketch()
      .node('table', 100, 'array', '(object elements)')
      .node('Key', 16)
      .node('Value', 64)
      .edge('(GC roots)', 'table', 'element')
      .edge('(GC roots)', 'Key', 'element')
      .edge('Key', 'Value', 'internal', 'key');
    t.edge(
      'table',
      'Value',
      'internal',
      `1 / part of key (Key @${t.idOf('Key')}) -> value (Value @${t.idOf('Value')}) pair in WeakMap (table @${t.idOf('table') + 2})`,
    );
    assert.equal((await t.check()).idom('Value'), '(GC roots)');
  });

  test('unreachable nodes hang off the root; garbage pointing at live objects does not change their dominators', async () => {
    const s = sketch()
      .node('A', 10)
      .node('L', 5)
      .node('X', 3)
      .node('Y', 4)
      .node('Z', 2)
      .edge('(GC roots)', 'A', 'property')
      .edge('A', 'L', 'property')
      // A cycle of garbage X ⇄ Y, with Z held only by Y, and an edge from the garbage to live L.
      .edge('X', 'Y', 'property')
      .edge('Y', 'X', 'property')
      .edge('Y', 'Z', 'property')
      .edge('X', 'L', 'property');
    const { idom, retained } = await s.check();
    assert.equal(idom('L'), 'A');
    assert.equal(idom('X'), 'root');
    assert.equal(idom('Y'), 'root');
    assert.equal(idom('Z'), 'root');
    assert.equal(retained('A'), 15);
    assert.equal(retained('root'), 10 + 5 + 3 + 4 + 2);
  });

  test('a node held only weakly that points at a live object shares it with the live holder (DevTools does too)', async () => {
    const s = sketch()
      .node('A', 10)
      .node('L', 5)
      .node('W', 3)
      .edge('(GC roots)', 'A', 'property')
      .edge('A', 'L', 'property')
      .edge('A', 'W', 'weak', 'ref')
      .edge('W', 'L', 'property');
    const { idom } = await s.check();
    assert.equal(idom('W'), 'root');
    assert.equal(idom('L'), 'root');
  });
});
