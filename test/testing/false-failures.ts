/**
 * By hand, not in CI (it takes a while): runs assertNoLeak on each workload of fixtures/workloads.ts
 * many times, each run in a fresh process, and prints how often it failed and how long it took.
 * Healthy workloads must never fail; the 200-byte leak must always fail.
 *
 *   ./node_modules/.bin/node test/testing/false-failures.ts [runs=200] [concurrency=2] [workload...]
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { workloads } from './fixtures/workloads.ts';

interface Outcome {
  name: string;
  passed: boolean;
  ms: number;
  cpuMs: number;
  code?: string;
  message?: string;
  result?: { callsPerRound: number; extensions: number };
}

const runs = Number(process.argv[2] ?? 200);
const concurrency = Number(process.argv[3] ?? 2);
const only = process.argv.slice(4);
const child = fileURLToPath(new URL('./fixtures/one-assertion.ts', import.meta.url));

function spawnOnce(name: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [child, name], { timeout: 120_000 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${name}: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as Outcome);
    });
  });
}

let crashes = 0;
/**
 * A run whose process crashed (not a verdict: e.g. package.json caught half-written by a colleague's
 * editor in this shared tree) is run again, at most twice, and counted in `crashes`.
 */
async function once(name: string): Promise<Outcome> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await spawnOnce(name);
    } catch (error) {
      crashes += 1;
      if (attempt === 2) throw error;
      console.error(`  (run crashed, retried: ${String(error).split('\n')[0]})`);
    }
  }
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

const selected = workloads.filter((workload) => only.length === 0 || only.includes(workload.name));
console.log(`${runs} runs per workload, each in a fresh process, ${concurrency} at a time`);
console.log(
  'workload        expected  failed  passed  median ms  p90 ms  max ms  median cpu ms  extended  calls/round (median)',
);
for (const workload of selected) {
  const outcomes: Outcome[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < runs) {
      next += 1;
      outcomes.push(await once(workload.name));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const failed = outcomes.filter((outcome) => !outcome.passed);
  const ms = outcomes.map((outcome) => outcome.ms).sort((a, b) => a - b);
  const cpu = outcomes.map((outcome) => outcome.cpuMs).sort((a, b) => a - b);
  const extended = outcomes.filter((outcome) => (outcome.result?.extensions ?? 0) > 0).length;
  const perRound = outcomes
    .map((outcome) => outcome.result?.callsPerRound ?? Number.NaN)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  console.log(
    [
      workload.name.padEnd(15),
      (workload.healthy ? 'pass' : 'fail').padStart(8),
      String(failed.length).padStart(6),
      String(outcomes.length - failed.length).padStart(6),
      quantile(ms, 0.5).toFixed(0).padStart(9),
      quantile(ms, 0.9).toFixed(0).padStart(6),
      (ms.at(-1) ?? Number.NaN).toFixed(0).padStart(6),
      quantile(cpu, 0.5).toFixed(0).padStart(13),
      String(extended).padStart(8),
      String(quantile(perRound, 0.5)).padStart(10),
    ].join('  '),
  );
  if (workload.healthy) {
    for (const outcome of failed.slice(0, 3)) console.log(`  false failure: ${outcome.message}`);
  } else {
    for (const outcome of outcomes.filter((o) => o.passed).slice(0, 3))
      console.log(`  missed: ${JSON.stringify(outcome.result)}`);
  }
}
console.log(`crashed runs retried: ${crashes}`);
