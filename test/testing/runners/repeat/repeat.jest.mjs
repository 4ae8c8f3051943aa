/**
 * False failures inside Jest (native ESM, the compiled package): each healthy workload, REPEAT_RUNS
 * times (default 200), a fresh instance per run, in one Jest worker. Prints the failures and the
 * durations; the test fails if any healthy run failed.
 */
import { performance } from 'node:perf_hooks';
import { assertNoLeak, LeakAssertionError } from 'memwatcher/testing';
import { workloads } from '../../fixtures/workloads.ts';

const runs = Number(process.env.REPEAT_RUNS ?? 200);

for (const workload of workloads.filter((candidate) => candidate.healthy)) {
  test(`${workload.name}: ${runs} runs, no failure`, async () => {
    const durations = [];
    const failures = [];
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
    const at = (q) => durations[Math.min(runs - 1, Math.floor(q * runs))].toFixed(0);
    process.stdout.write(
      `jest ${workload.name}: ${failures.length} failed of ${runs}; ms median ${at(0.5)}, p90 ${at(0.9)}, max ${at(1)}\n`,
    );
    for (const failure of failures.slice(0, 3)) process.stdout.write(`  false failure: ${failure}\n`);
    expect(failures).toEqual([]);
  });
}
