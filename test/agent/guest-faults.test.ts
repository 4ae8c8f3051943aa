/**
 * Guest rules: every sink and hook of a watcher fails at once inside a real process (throwing and
 * rejecting listeners, callback, logger and census; a webhook answering 500; SMTP down). The host
 * sees no uncaught exception and no unhandled rejection, exits 0, and the faults arrive as coded
 * `error` events.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { childOutcome } from './child-outcome.ts';

const faultyHost = fileURLToPath(new URL('./fixtures/faulty-host.ts', import.meta.url));

describe('guest rules under fault injection', () => {
  it('survives every sink and observer failing, and reports each fault with its code', async () => {
    let webhookHits = 0;
    const server = createServer((_req, res) => {
      webhookHits++;
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const { code, stdout, stderr } = await childOutcome(
        spawn(process.execPath, [faultyHost, `http://127.0.0.1:${port}/hook`, 'smtp://127.0.0.1:1'], {
          stdio: 'pipe',
        }),
      );

      assert.equal(code, 0, `stdout: ${stdout}\nstderr: ${stderr}`);
      assert.doesNotMatch(stdout, /UNCAUGHT|UNHANDLED/);
      const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
        codes: string[];
        deliveries: { webhook: { failed: number }; email: { failed: number } };
      };
      assert.deepEqual(report.codes, ['ERR_ALERT_DELIVERY', 'ERR_CENSUS', 'ERR_HOST_CALLBACK']);
      assert.ok(report.deliveries.webhook.failed >= 1);
      assert.ok(report.deliveries.email.failed >= 1);
      assert.equal(webhookHits, 2, 'one attempt and one retry');
    } finally {
      server.close();
    }
  });
});
