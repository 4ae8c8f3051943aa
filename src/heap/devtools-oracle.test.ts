/**
 * The engine against Chrome DevTools' heap worker (heap-snapshot-toolkit) on real Node snapshots the
 * test makes itself: a program holding a bit of everything (test/fixtures/heap/mixed-heap.ts) and one
 * leak fixture. Every node's dominator, retained size and distance, and every class's count, self size
 * and retained size must be what DevTools computes — the numbers users compare us with; and retainer
 * paths must be real, shortest paths.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'heap-snapshot-toolkit';
import { pinnedNode, snapshotsFor, tempDir } from '../../test/support/leak-snapshots.ts';
import { retainerPath } from './describe.ts';
import { BASE_SYSTEM_DISTANCE, NO_DISTANCE } from './distances.ts';
import { buildHeapGraph, type HeapGraph } from './graph.ts';
import { parseHeapSnapshot } from './parse.ts';

const mixedHeapProgram = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'heap', 'mixed-heap.ts');

interface DevToolsAggregate {
  name: string;
  count: number;
  self: number;
  maxRet: number;
}

interface DevToolsSnapshot {
  nodeCount: number;
  dominatorsTree: Uint32Array;
  retainedSizes: Float64Array;
  nodeDistances: Int32Array;
  aggregatesWithFilter(filter: object): Record<string, DevToolsAggregate>;
}

interface ClassTotals {
  count: number;
  selfSize: number;
  retainedSize: number;
}

function ourClasses(graph: HeapGraph): Map<string, ClassTotals> {
  const { aggregates, snapshot } = graph;
  const classes = new Map<string, ClassTotals>();
  for (let i = 0; i < aggregates.size; i++) {
    if (aggregates.count[i] === 0) continue;
    const name = snapshot.strings.get(aggregates.classIndex[i]!);
    const totals = classes.get(name) ?? { count: 0, selfSize: 0, retainedSize: 0 };
    totals.count += aggregates.count[i]!;
    totals.selfSize += aggregates.selfSize[i]!;
    totals.retainedSize += aggregates.retainedSize[i]!;
    classes.set(name, totals);
  }
  return classes;
}

function devToolsClasses(snapshot: DevToolsSnapshot): Map<string, ClassTotals> {
  const classes = new Map<string, ClassTotals>();
  for (const aggregate of Object.values(snapshot.aggregatesWithFilter({}))) {
    const totals = classes.get(aggregate.name) ?? { count: 0, selfSize: 0, retainedSize: 0 };
    totals.count += aggregate.count;
    totals.selfSize += aggregate.self;
    totals.retainedSize += aggregate.maxRet;
    classes.set(aggregate.name, totals);
  }
  return classes;
}

/** Lists up to `limit` disagreements (an empty list when there are none). */
function disagreements(
  ours: ArrayLike<number>,
  theirs: ArrayLike<number>,
  what: string,
  limit = 10,
): string[] {
  const out: string[] = [];
  let total = 0;
  for (let v = 0; v < ours.length; v++) {
    if (ours[v] === theirs[v]) continue;
    total++;
    if (out.length < limit) out.push(`node ${v}: ${what} ${ours[v]} here, ${theirs[v]} in DevTools`);
  }
  if (total > limit) out.push(`… ${total - limit} more`);
  return out;
}

/**
 * Retainer paths of every 50th node: from the root, each step an existing edge of the stated type from
 * the previous step's node, ending at the node, exactly as long as the node's distance (a shortest path).
 */
function invalidRetainerPaths(graph: HeapGraph): string[] {
  const { snapshot } = graph;
  const ordinalById = new Map<number, number>();
  for (let v = 0; v < snapshot.nodeCount; v++) ordinalById.set(snapshot.nodeId[v]!, v);
  const problems: string[] = [];
  let checked = 0;
  for (let node = 1; node < snapshot.nodeCount && problems.length < 10; node += 50) {
    const distance = graph.distances.distance[node]!;
    const path = retainerPath(graph, node);
    if (distance === NO_DISTANCE) {
      if (path.length !== 0) problems.push(`node ${node} is unreachable but has a path`);
      continue;
    }
    checked++;
    const hops = distance >= BASE_SYSTEM_DISTANCE ? distance - BASE_SYSTEM_DISTANCE : distance;
    if (path.length !== hops) problems.push(`node ${node}: path of ${path.length} steps, distance ${hops}`);
    if (path.at(-1)?.nodeId !== snapshot.nodeId[node]) problems.push(`node ${node}: the path ends elsewhere`);
    let from = 0;
    for (const [i, step] of path.entries()) {
      const to = ordinalById.get(step.nodeId);
      let found = false;
      for (let e = snapshot.firstEdge[from]!; e < snapshot.firstEdge[from + 1]! && !found; e++) {
        found = snapshot.edgeTo[e] === to && snapshot.edgeTypeNames[snapshot.edgeType[e]!] === step.edgeType;
      }
      if (!found) problems.push(`node ${node}, step ${i}: no ${step.edgeType} edge ${from} → ${to}`);
      if (to === undefined) break;
      from = to;
    }
  }
  if (checked < 100) problems.push(`only ${checked} paths checked`);
  return problems;
}

async function compareWithDevTools(
  file: string,
): Promise<{ graph: HeapGraph; classes: Map<string, ClassTotals> }> {
  const graph = buildHeapGraph(parseHeapSnapshot(file));
  const devTools = (await parse(createReadStream(file))) as unknown as DevToolsSnapshot;
  const n = graph.snapshot.nodeCount;
  assert.equal(devTools.nodeCount, n);
  assert.ok(n > 10_000, `a real heap has tens of thousands of nodes, this one ${n}`);
  assert.deepEqual(disagreements(graph.dominators.idom, devTools.dominatorsTree, 'immediate dominator'), []);
  assert.deepEqual(disagreements(graph.dominators.retainedSize, devTools.retainedSizes, 'retained size'), []);
  assert.deepEqual(disagreements(graph.distances.distance, devTools.nodeDistances, 'distance'), []);

  assert.deepEqual(invalidRetainerPaths(graph), []);

  const ours = ourClasses(graph);
  const theirs = devToolsClasses(devTools);
  const differences: string[] = [];
  for (const [name, expected] of theirs) {
    const actual = ours.get(name);
    if (actual === undefined) differences.push(`${name}: missing here`);
    else if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      differences.push(`${name}: ${JSON.stringify(actual)} here, ${JSON.stringify(expected)} in DevTools`);
    }
  }
  for (const name of ours.keys()) if (!theirs.has(name)) differences.push(`${name}: not a DevTools class`);
  assert.deepEqual(differences, []);
  assert.ok(theirs.size > 100, `only ${theirs.size} classes`);
  return { graph, classes: ours };
}

describe('the engine computes what DevTools computes, on real Node snapshots', { concurrency: 1 }, () => {
  test('a program with classes, closures, Maps, a WeakMap, strings and Buffers', async () => {
    const file = join(tempDir('devtools-oracle-'), 'mixed.heapsnapshot');
    await promisify(execFile)(pinnedNode(), [mixedHeapProgram, file], { timeout: 60_000 });
    const { graph, classes } = await compareWithDevTools(file);

    // And the program's own objects are there, named and counted as it made them.
    assert.equal(classes.get('Customer')?.count, 300);
    assert.equal(classes.get('Order')?.count, 900);
    assert.equal(classes.get('ListNode')?.count, 500);
    // The list is one object's retained size: its head holds the rest.
    const listNode = classes.get('ListNode')!;
    assert.ok(listNode.retainedSize >= listNode.selfSize, 'the whole list, counted once');
    // Two classes called Point, defined in two places: two aggregates, two objects each.
    const { aggregates, snapshot } = graph;
    const points: number[] = [];
    for (let i = 0; i < aggregates.size; i++) {
      if (snapshot.strings.get(aggregates.classIndex[i]!) === 'Point') points.push(aggregates.count[i]!);
    }
    assert.deepEqual(points, [2, 2]);
    // WeakMap values, reachable only through the WeakMap: named by their shape, all 40 present (plus,
    // at most, V8's boilerplate object for the literal).
    const values = classes.get('{note, payload}')?.count ?? 0;
    assert.ok(values === 40 || values === 41, `${values} WeakMap values`);
    // Each Buffer retains its 16 KiB backing store outside the JS heap.
    const buffer = classes.get('Buffer');
    assert.ok(buffer !== undefined && buffer.count >= 8);
    assert.ok(buffer.retainedSize >= 8 * 16 * 1024, `Buffers retain ${buffer.retainedSize} bytes`);
  });

  test('a leak fixture’s last snapshot (module-level Map of sessions)', async () => {
    const [, , last] = await snapshotsFor('module-map-cache');
    const { classes } = await compareWithDevTools(last!);
    assert.equal(classes.get('Session')?.count, 6000);
  });
});
