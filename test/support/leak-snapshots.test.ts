import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { leakCases } from '../fixtures/leaks/cases.ts';
import { leakEvidence, type SnapshotStats, snapshotStats } from './leak-evidence.ts';
import { pinnedNode, snapshotsFor, snapshotsOfProgram, tempDir } from './leak-snapshots.ts';

// A healthy fixture's heap still moves by a few dozen nodes between snapshots (V8 and Node
// internals); a leak of the smallest fixture size (16 Buffers) adds 48.
const healthyNodeDrift = 500;

describe('leak fixture programs', { concurrency: 2 }, () => {
  for (const leakCase of leakCases) {
    test(`${leakCase.name}: three parseable snapshots, ${leakCase.leaks ? 'growing every phase' : 'flat at the end'}, holding what cases.ts says`, async () => {
      const paths = await snapshotsFor(leakCase.name);
      assert.deepEqual(
        paths.map((path) => basename(path)),
        ['1.heapsnapshot', '2.heapsnapshot', '3.heapsnapshot'],
      );
      const [first, second, third] = paths.map(snapshotStats) as [
        SnapshotStats,
        SnapshotStats,
        SnapshotStats,
      ];
      if (leakCase.expect !== undefined) {
        const { minGrowthPerPhase, minRetainedBytes } = leakCase.expect;
        // Each leaked object is at least one node; 10% margin for internals that come and go.
        assert.ok(
          second.nodeCount - first.nodeCount >= 0.9 * minGrowthPerPhase,
          `phase 2 grew ${second.nodeCount - first.nodeCount} nodes`,
        );
        assert.ok(
          third.nodeCount - second.nodeCount >= 0.9 * minGrowthPerPhase,
          `phase 3 grew ${third.nodeCount - second.nodeCount} nodes`,
        );
        if (minRetainedBytes !== undefined) {
          assert.ok(
            third.totalSize - first.totalSize >= minRetainedBytes,
            `grew ${third.totalSize - first.totalSize} bytes`,
          );
        }
      } else {
        // Healthy heaps may grow before snapshot 2 (a cache fill, a backlog) but not in the last phase.
        assert.ok(
          third.nodeCount - second.nodeCount < healthyNodeDrift,
          `phase 3 grew ${third.nodeCount - second.nodeCount} nodes`,
        );
      }
      // What the fixture holds, judged by DevTools on the last snapshot only, for speed
      // (test/fixtures/leaks/verify-with-devtools.ts parses all three).
      const evidence = await leakEvidence(leakCase, paths);
      assert.deepEqual(evidence?.problems ?? [], []);
    });
  }
});

describe('snapshotsFor / snapshotsOfProgram', () => {
  test('runs a fixture once per process and shares the snapshots', async () => {
    const [a, b] = await Promise.all([snapshotsFor('buffers-in-array'), snapshotsFor('buffers-in-array')]);
    assert.deepEqual(a, b);
    assert.deepEqual(await snapshotsFor('buffers-in-array'), a);
  });

  test('rejects with the child stderr when the program fails', async () => {
    const program = join(tempDir('failing-'), 'fails.ts');
    writeFileSync(program, "process.stderr.write('cannot reach the database\\n');\nprocess.exitCode = 3;\n");
    await assert.rejects(snapshotsOfProgram(program), /fails failed[\s\S]*cannot reach the database/);
  });

  test('rejects when the program exits 0 without writing its snapshots', async () => {
    const program = join(tempDir('lazy-'), 'lazy.ts');
    writeFileSync(program, "process.stdout.write('done\\n');\n");
    await assert.rejects(snapshotsOfProgram(program), /exited 0 without writing .*1\.heapsnapshot/);
  });

  test('rejects an unknown case name', async () => {
    await assert.rejects(snapshotsFor('no-such-leak'), /no leak fixture named no-such-leak/);
  });

  test('tempDir directories are removed when the process exits', () => {
    const harness = pathToFileURL(join(import.meta.dirname, 'leak-snapshots.ts')).href;
    const child = spawnSync(
      pinnedNode(),
      [
        '--input-type=module',
        '-e',
        `const { tempDir } = await import(${JSON.stringify(harness)}); console.log(tempDir('exit-'));`,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(child.status, 0, child.stderr);
    const dir = child.stdout.trim();
    assert.match(dir, /memwatcher-exit-/);
    assert.equal(existsSync(dir), false);
  });
});
