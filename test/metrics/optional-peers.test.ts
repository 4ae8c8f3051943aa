/**
 * prom-client and @opentelemetry/api are optional peers: memwatcher/metrics loads without them, says
 * which is missing when a bridge needs it, and its server (like the watcher) never keeps a program
 * alive that would otherwise exit.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { node, root, run } from './support.ts';

test('without the optional peers: serving works, bridges say what is missing, the program exits by itself', async () => {
  const { code, signal, stdout, stderr } = await run(
    node,
    [
      '--import',
      join(root, 'test/metrics/fixtures/hide-peers.ts'),
      join(root, 'test/metrics/fixtures/without-peers.ts'),
    ],
    // Only reached when the program hangs: it should be done in well under a second.
    { killAfterMs: 20_000 },
  );
  assert.equal(signal, null, `the program had to be killed: something kept it alive\n${stderr}`);
  assert.equal(code, 0, stderr);
  assert.deepEqual(JSON.parse(stdout), {
    promClient: 'ERR_METRICS_PEER_MISSING',
    openTelemetry: 'ERR_METRICS_PEER_MISSING',
    scraped: true,
  });
});
