/**
 * False failures inside Vitest: each healthy workload, REPEAT_RUNS times (default 200), a fresh
 * instance per run, in one Vitest worker (the runner's own activity goes on around it). Prints the
 * failures and the durations; the test fails if any healthy run failed.
 */
import { performance } from 'node:perf_hooks';
import { expect, test } from 'vitest';
import { assertNoLeak, LeakAssertionError } from '../../../../src/testing/index.ts';
import { workloads } from '../../fixtures/workloads.ts';

const runs = Number(process.env.REPEAT_RUNS ?? 200);

for (const workload of workloads.filter((candidate) => candidate.healthy)) {
  test(`${workload.name}: ${runs} runs, no failure`, async () => {
    const durations: number[] = [];
    const failures: string[] = [];
    for (let run = 0; run < runs; run++) {
      const started = performance.now();
      try {
        await assertNoLeak(workload.make());
      } catch (error) {
        if (!(error instanceof LeakAssertionError)) throw error;
        failures.push(error.message);
      }
      durations.push(performance.now() - started);
    }
    durations.sort((a, b) => a - b);
    const at = (q: number): string => durations[Math.min(runs - 1, Math.floor(q * runs))]!.toFixed(0);
    console.log(
      `vitest ${workload.name}: ${failures.length} failed of ${runs}; ms median ${at(0.5)}, p90 ${at(0.9)}, max ${at(1)}`,
    );
    for (const failure of failures.slice(0, 3)) console.log(`  false failure: ${failure}`);
    expect(failures).toEqual([]);
  });
}
