import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHeapAnalysis } from '../agent/analysis-worker.ts';
import { captureHeapSnapshot } from '../agent/capture.ts';
import type { AnalysisResult, LeakSuspect } from '../heap/types.ts';
import type { RoundRunner } from './rounds.ts';

export interface LeakEvidence {
  /** The engine's suspects: classes that accumulated from snapshot to snapshot, largest first. */
  suspects: LeakSuspect[];
  /** Calls of the function under test between the first and the last snapshot. */
  callsBetween: number;
  /** Snapshot files, when kept (also when the analysis failed: they are what is left to look at). */
  keptFiles: string[];
  /** Why there are no suspects to show, when taking or analysing the snapshots failed. */
  problem: unknown;
}

export interface EvidenceOptions {
  callsPerRound: number;
  /** Directory for the snapshots; default a fresh temporary directory, removed afterwards. */
  snapshotDir: string | undefined;
  keepSnapshots: boolean;
  /** Why no snapshot should be taken at all (becomes `problem`). */
  skip: string | undefined;
}

/** Time the evidence rounds may take on top of the assertion's timeout (snapshots are separate). */
const evidenceCallMs = 30_000;

/**
 * Three heap snapshots with a round of calls between each, analysed in a worker thread by the heap
 * engine: its leak suspects are the objects born between the snapshots that are still alive and
 * accumulate in the same place — which class grows, where, and the path that holds it. The caller
 * holds the inspector session across the three, so object ids match between them.
 *
 * Never rejects: the leak is already established by the statistics; evidence that cannot be
 * gathered (disk full, analysis out of memory) becomes `problem`, and the failure still says so.
 */
export async function collectLeakEvidence(
  runner: RoundRunner,
  options: EvidenceOptions,
): Promise<LeakEvidence> {
  const files: string[] = [];
  const firstCall = runner.calls;
  let dir: string | undefined;
  let suspects: LeakSuspect[] = [];
  let problem: unknown;
  if (options.skip !== undefined) {
    return { suspects, callsBetween: 0, keptFiles: [], problem: new Error(`skipped: ${options.skip}.`) };
  }
  try {
    dir = options.snapshotDir ?? (await mkdtemp(join(tmpdir(), 'memwatcher-assert-')));
    runner.extendDeadline(evidenceCallMs);
    for (let index = 0; index < 3; index++) {
      if (index > 0) await runner.call(options.callsPerRound);
      const { file } = await captureHeapSnapshot({ dir, label: `assert-no-leak-${index + 1}` });
      files.push(file);
    }
    // The test awaits this answer: keep the process alive for it.
    const result = (await runHeapAnalysis(
      { kind: 'analyze', files, top: 5 },
      { keepAlive: true },
    )) as unknown as AnalysisResult;
    suspects = result.suspects ?? [];
  } catch (error) {
    problem = error;
  }
  if (!options.keepSnapshots) {
    await Promise.all(files.map((file) => unlink(file).catch(() => {})));
    if (options.snapshotDir === undefined && dir !== undefined) {
      await rm(dir, { recursive: true, force: true }).catch(() => {});
    }
  }
  return {
    suspects,
    callsBetween: runner.calls - firstCall,
    keptFiles: options.keepSnapshots ? files : [],
    problem,
  };
}
