/**
 * Leak suspects on real Node programs (test/fixtures/leaks, expectations in cases.ts): each leak found,
 * named, growing by at least what the program adds per phase, holding at least what it holds, and
 * reached through the variables and properties that really hold it; no suspect at all for the healthy
 * programs. Each fixture runs once per process; two at a time.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type LeakCase, leakCase, leakCases } from '../../test/fixtures/leaks/cases.ts';
import { snapshotsFor } from '../../test/support/leak-snapshots.ts';
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
