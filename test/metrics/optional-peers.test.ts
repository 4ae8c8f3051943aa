/**
 * prom-client and @opentelemetry/api are optional peers: memwatcher/metrics loads without them, says
 * which is missing when a bridge needs it, and its server (like the watcher) never keeps a program
 * alive that would otherwise exit.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';
import { node, root } from './support.ts';

test('without the optional peers: serving works, bridges say what is missing, the program exits by itself', async () => {
  const child = spawn(
    node,
    [
      '--import',
      join(root, 'test/metrics/fixtures/hide-peers.ts'),
      join(root, 'test/metrics/fixtures/without-peers.ts'),
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  // Only reached when the program hangs: it should be done in well under a second.
  const hang = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code, signal] = await once(child, 'exit');
  clearTimeout(hang);
  assert.equal(signal, null, `the program had to be killed: something kept it alive\n${stderr}`);
  assert.equal(code, 0, stderr);
  assert.deepEqual(JSON.parse(stdout), {
    promClient: 'ERR_METRICS_PEER_MISSING',
    openTelemetry: 'ERR_METRICS_PEER_MISSING',
    scraped: true,
  });
});
