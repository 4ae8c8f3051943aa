/**
 * Leak suspects on real Node programs (test/fixtures/leaks, expectations in cases.ts): each leak found,
 * named, growing by at least what the program adds per phase, holding at least what it holds, and
 * reached through the variables and properties that really hold it; no suspect at all for the healthy
 * programs. Each fixture runs once per process; two at a time.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type LeakCase, leakCase, leakCases } from '../../test/fixtures/leaks/cases.ts';
import { snapshotsFor, tempDir } from '../../test/support/leak-snapshots.ts';
import { SnapshotBuilder } from '../../test/support/snapshot-builder.ts';
import { SnapshotMismatchError } from '../errors.ts';
import { analyzeSnapshots } from './analyze.ts';
import type { AnalysisResult, LeakSuspect } from './types.ts';

const analyses = new Map<string, Promise<AnalysisResult>>();

/** The three-snapshot analysis of a case, shared by the tests that need it. */
function analysisOf(name: string): Promise<AnalysisResult> {
  let analysis = analyses.get(name);
  if (analysis === undefined) {
    analysis = snapshotsFor(name).then((files) => analyzeSnapshots(files));
    analyses.set(name, analysis);
  }
  return analysis;
}

function nameMatches(expected: string | RegExp, name: string): boolean {
  return typeof expected === 'string' ? name === expected : expected.test(name);
}

/** True when every name appears among the path's edges, in this order (not necessarily adjacent). */
function edgesInclude(suspect: LeakSuspect, names: string[]): boolean {
  let next = 0;
  for (const step of suspect.retainerPath) if (next < names.length && step.edge === names[next]) next++;
  return next === names.length;
}

function describeSuspects(result: AnalysisResult): string {
  return JSON.stringify(
    result.suspects.map((suspect) => ({
      name: suspect.name,
      growth: suspect.growth,
      retainedSize: suspect.retainedSize,
      path: suspect.retainerPath.map((step) => step.edge),
    })),
  );
}

/** The suspect the case must produce, checked in full; `phases` is how many phases the growth spans per step. */
function assertLeakFound(leak: LeakCase, result: AnalysisResult, phasesPerStep: number[]): LeakSuspect {
  const expect = leak.expect!;
  const suspect = result.suspects.find((candidate) => nameMatches(expect.className, candidate.name));
  assert.ok(
    suspect !== undefined,
    `no suspect named ${expect.className}; suspects: ${describeSuspects(result)}`,
  );
  assert.equal(suspect.growth.length, phasesPerStep.length + 1);
  phasesPerStep.forEach((phases, i) => {
    const step = suspect.growth[i + 1]! - suspect.growth[i]!;
    assert.ok(
      step >= expect.minGrowthPerPhase * phases,
      `growth ${suspect.growth.join(' → ')}: step ${i + 1} adds ${step}, less than ${expect.minGrowthPerPhase * phases}`,
    );
  });
  assert.equal(suspect.count, suspect.growth.at(-1));
  if (expect.minRetainedBytes !== undefined) {
    assert.ok(
      suspect.retainedSize >= expect.minRetainedBytes,
      `retains ${suspect.retainedSize} bytes, less than ${expect.minRetainedBytes}`,
    );
  }
  const edges = suspect.retainerPath.map((step) => step.edge);
  assert.ok(
    edgesInclude(suspect, expect.pathIncludes),
    `retainer path ${JSON.stringify(edges)} lacks ${JSON.stringify(expect.pathIncludes)} in that order`,
  );
  // The path runs from a GC root to an object of the suspect's kind.
  assert.equal(suspect.retainerPath[0]?.edge, '');
  assert.equal(suspect.retainerPath.at(-1)?.nodeType, suspect.type);
  return suspect;
}

describe('leak suspects over three snapshots', { concurrency: 2 }, () => {
  for (const leak of leakCases) {
    const label = leak.leaks ? `reports ${leak.expect!.className} as the top suspect` : 'reports no suspect';
    test(`${leak.name}: ${label}`, async () => {
      const result = await analysisOf(leak.name);
      assert.equal(result.snapshots.length, 3);
      assert.ok(result.diff !== undefined);
      if (!leak.leaks) {
        assert.deepEqual(result.suspects, [], `false suspects: ${describeSuspects(result)}`);
        return;
      }
      const suspect = assertLeakFound(leak, result, [1, 1]);
      assert.equal(result.suspects[0], suspect, `ranked below ${describeSuspects(result)}`);
    });
  }
});

describe('leak suspects over two snapshots (first and last)', { concurrency: 2 }, () => {
  for (const leak of leakCases.filter((candidate) => candidate.leaks)) {
    test(`${leak.name}: still reports ${leak.expect!.className}`, async () => {
      const [first, , last] = await snapshotsFor(leak.name);
      const result = await analyzeSnapshots([first!, last!]);
      assert.equal(result.snapshots.length, 2);
      assertLeakFound(leak, result, [2]);
    });
  }
});

describe('snapshots of one process in the wrong order', () => {
  test('are refused with SnapshotMismatchError, whichever one is out of place', async () => {
    const [first, second, third] = (await snapshotsFor('buffers-in-array')) as [string, string, string];
    for (const files of [
      [second, first, third],
      [first, third, second],
      [third, first],
      [third, second, first],
    ]) {
      await assert.rejects(analyzeSnapshots(files), (error: unknown) => {
        assert.ok(error instanceof SnapshotMismatchError, `${files.join(', ')}: ${String(error)}`);
        assert.equal(error.code, 'ERR_SNAPSHOT_MISMATCH');
        return true;
      });
    }
  });
});

describe('diff first → last', () => {
  test('module-map-cache: about 4000 Sessions added, none removed', async () => {
    const { diff } = await analysisOf('module-map-cache');
    const session = diff?.find((entry) => entry.name === 'Session');
    assert.ok(session !== undefined, `no Session in ${JSON.stringify(diff?.map((entry) => entry.name))}`);
    assert.ok(session.addedCount >= 4000 && session.addedCount <= 4040, `${session.addedCount} added`);
    assert.equal(session.removedCount, 0);
    assert.equal(session.countDelta, session.addedCount);
    assert.ok(session.addedSize > 0 && session.sizeDelta === session.addedSize);
  });

  test('queue-grows-then-drains: the Jobs of the middle snapshot never show in first → last', async () => {
    const { diff } = await analysisOf('queue-grows-then-drains');
    assert.ok(diff !== undefined);
    const job = diff.find((entry) => entry.name === 'Job');
    assert.equal(job, undefined, `Job changed: ${JSON.stringify(job)}`);
    assert.ok(leakCase('queue-grows-then-drains').census?.counts[1] === 3000);
  });
});

describe('suspect rules on synthetic snapshots of a Map of Items', () => {
  const dir = tempDir('leaks-test-');
  let fileCounter = 0;

  /**
   * One snapshot: global.cache is a Map whose table holds Items (each with a name string); `tick` is
   * one object allocated just before the snapshot, so ids always move on as in a real process.
   */
  function snapshot(itemIds: number[], tick: number): string {
    const b = new SnapshotBuilder();
    const gcRoots = b.node({ type: 'synthetic', name: '(GC roots)', id: 3 });
    const global = b.node({ type: 'object', name: 'global', id: 5, selfSize: 40 });
    const cache = b.node({ type: 'object', name: 'Map', id: 7, selfSize: 32 });
    const table = b.node({
      type: 'array',
      name: '(object elements)',
      id: 9,
      selfSize: 16 + 8 * itemIds.length,
    });
    const tickNode = b.node({ type: 'object', name: 'Tick', id: tick, selfSize: 16 });
    b.edge(b.root, global, 'shortcut', 'global');
    b.edge(b.root, gcRoots, 'element', 1);
    b.edge(gcRoots, global, 'element', 1);
    b.edge(global, cache, 'property', 'cache');
    b.edge(global, tickNode, 'property', 'tick');
    b.edge(cache, table, 'internal', 'table');
    itemIds.forEach((id, index) => {
      const item = b.node({ type: 'object', name: 'Item', id, selfSize: 32 });
      const name = b.node({ type: 'string', name: `item ${id}`, id: id + 1, selfSize: 24 });
      b.edge(table, item, 'element', index);
      b.edge(item, name, 'property', 'name');
    });
    const file = join(dir, `${++fileCounter}.heapsnapshot`);
    b.write(file);
    return file;
  }

  /** Item ids born in phase `phase` (1, 2 or 3): odd, increasing with the phase. */
  const born = (phase: number, count: number, from = 0) =>
    Array.from({ length: count }, (_, i) => phase * 1000 + 2 * (from + i) + 1);

  async function suspectsFor(phases: number[][]): Promise<AnalysisResult['suspects']> {
    // The tick is the newest object of its phase: born after every Item of that phase.
    const files = phases.map((ids, i) => snapshot(ids, (i + 1) * 1000 + 999));
    return (await analyzeSnapshots(files)).suspects;
  }

  test('a Map growing in every phase, with survivors from every phase: one suspect, its growth and path', async () => {
    const suspects = await suspectsFor([
      born(1, 10),
      [...born(1, 10), ...born(2, 5)],
      [...born(1, 10), ...born(2, 5), ...born(3, 5)],
    ]);
    assert.equal(suspects.length, 1, JSON.stringify(suspects));
    const [suspect] = suspects;
    assert.equal(suspect?.name, 'Item');
    assert.deepEqual(suspect?.growth, [10, 15, 20]);
    assert.equal(suspect?.count, 20);
    // Each Item retains itself and its name.
    assert.equal(suspect?.retainedSize, 20 * (32 + 24));
    const edges = suspect?.retainerPath.map((step) => step.edge) ?? [];
    assert.ok(edgesInclude(suspect!, ['cache', 'table']), JSON.stringify(edges));
  });

  test('a bounded cache that churns (count flat, survivors from every phase): no suspect', async () => {
    const suspects = await suspectsFor([
      born(1, 10),
      [...born(1, 5), ...born(2, 5)],
      [...born(1, 3), ...born(2, 3), ...born(3, 4)],
    ]);
    assert.deepEqual(suspects, []);
  });

  test('a cache that shrinks, and one filled once: no suspect', async () => {
    assert.deepEqual(
      await suspectsFor([
        born(1, 10),
        [...born(1, 10), ...born(2, 10)],
        [...born(1, 10), ...born(2, 5), ...born(3, 1)],
      ]),
      [],
    );
    assert.deepEqual(await suspectsFor([[], born(2, 10), born(2, 10)]), []);
  });

  test('diff first → last by object id: objects added and removed per class, with their bytes', async () => {
    const files = [
      born(1, 10),
      [...born(1, 5), ...born(2, 5)],
      [...born(1, 3), ...born(2, 3), ...born(3, 4)],
    ].map((ids, i) => snapshot(ids, (i + 1) * 1000 + 999));
    const { diff } = await analyzeSnapshots(files);
    const entry = (name: string) => diff?.find((candidate) => candidate.name === name);
    // 7 Items of the first snapshot are gone; 3 born in phase 2 and 4 in phase 3 are new.
    assert.deepEqual(entry('Item'), {
      name: 'Item',
      type: 'object',
      addedCount: 7,
      removedCount: 7,
      addedSize: 7 * 32,
      removedSize: 7 * 32,
      countDelta: 0,
      sizeDelta: 0,
    });
    assert.equal(entry('(string)')?.addedCount, 7);
    assert.equal(entry('(string)')?.removedSize, 7 * 24);
    assert.deepEqual([entry('Tick')?.addedCount, entry('Tick')?.removedCount], [1, 1]);
    // Objects present in both (the global, the Map) are not in the diff at all.
    assert.equal(entry('global'), undefined);
    assert.equal(entry('Map'), undefined);
  });

  test('growing counts whose middle-phase objects all died: not a leak of those objects', async () => {
    // Count 10 → 15 → 20, but nothing born between snapshots 1 and 2 is still alive in 3.
    assert.deepEqual(
      await suspectsFor([born(1, 10), [...born(1, 10), ...born(2, 5)], [...born(1, 10), ...born(3, 10)]]),
      [],
    );
  });
});
