import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const script = new URL('./fixtures/detector-script.ts', import.meta.url).pathname;

test('a script awaiting the detector at top level gets its answers, then exits by itself', () => {
  const child = spawnSync(process.execPath, ['--no-warnings', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.signal, null, 'not killed by the timeout: nothing of ours kept it running');
  assert.equal(child.status, 0, child.stderr);
  const outcome = JSON.parse(child.stdout) as {
    jobs: number;
    path: string[];
    alive: boolean;
    pending: number;
  };
  assert.equal(outcome.jobs, 50);
  assert.equal(outcome.alive, true);
  assert.deepEqual(outcome.path.slice(-2), ['pending', '7'], 'held by the pending array at index 7');
});
