/**
 * `watcher.serve()` in a real program: the agent loads no dashboard code until it is called, the
 * dashboard then answers from inside the process (samples over SSE, /metrics), and it does not keep
 * the program alive once the program's own work is done.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixture, get, readEvents, startNode, waitForOutput } from './support.ts';

describe('watcher.serve()', () => {
  it('serves the dashboard from inside the program, loaded only when asked for', async () => {
    const token = 'in-process-token-0123456789';
    const program = startNode([fixture('serve-in-process.mjs')], {
      env: { DASHBOARD_TOKEN: token, WORK_MS: '4000' },
      timeoutMs: 20_000,
    });
    const [line] = await waitForOutput(program, /^\{.*\}$/m);
    const report = JSON.parse(line) as {
      loadedBefore: number;
      loadedAfter: number;
      url: string;
      host: string;
    };
    assert.equal(report.loadedBefore, 0, 'a watcher that does not serve loads no server module');
    assert.ok(report.loadedAfter > 3, `serve() loaded the server (${report.loadedAfter} modules)`);
    assert.equal(report.host, '127.0.0.1');
    const base = report.url.replace(/\?token=.*$/, '');
    const auth = { Authorization: `Bearer ${token}` };
    assert.equal((await get(`${base}api/runs`)).status, 401);

    const runs = JSON.parse((await get(`${base}api/runs`, auth)).text) as {
      mode: string;
      processes: { pid: number; method: string; canSnapshot: boolean }[];
    }[];
    assert.equal(runs[0]?.mode, 'library');
    assert.equal(runs[0]?.processes[0]?.pid, program.child.pid);
    assert.equal(runs[0]?.processes[0]?.method, 'in-process');
    assert.equal(runs[0]?.processes[0]?.canSnapshot, true);

    const samples = (await readEvents(`${base}api/events`, auth, 'sample', 2)) as { pid: number }[];
    assert.ok(samples.every((event) => event.pid === program.child.pid));
    const metrics = await get(`${base}metrics`, auth);
    assert.match(metrics.text, /^nodejs_heap_size_used_bytes \d+/m);

    assert.equal(
      await program.exited,
      0,
      `the program exits by itself when its work is done:\n${program.stderr()}`,
    );
  });
});
