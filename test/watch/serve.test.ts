/**
 * `memwatcher watch <pid> --serve`: the live dashboard and /metrics of a process watched from outside
 * (a real Python program), behind the token; its heap snapshot buttons refused at once with the reason
 * (no heap through /proc); the dashboard closed when watching ends, on SIGTERM or when the process exits.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cliPath, get, type Reply, readEvents, startNode, waitForOutput } from '../dashboard/support.ts';

const pythonWorkload = fileURLToPath(new URL('../run/fixtures/workload.py', import.meta.url));
const URL_LINE = /memwatcher: dashboard at (http:\/\/([^/]+)\/)\?token=(\S+)/;
const started: ChildProcess[] = [];
after(() => {
  for (const child of started) child.kill('SIGKILL');
});

/** Starts a program the test owns and resolves once it printed "ready". */
function startProgram(args: string[]): Promise<ChildProcess> {
  const child = spawn('python3', [pythonWorkload, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(child);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', () => resolve(child));
  });
}

/** POSTs JSON, as the page's buttons do. */
function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

interface RunsReply {
  mode: string;
  live: boolean;
  processes: {
    pid: number;
    method: string;
    canSnapshot: boolean;
    snapshotsUnavailable: string | null;
    command: string[];
  }[];
}

describe('memwatcher watch --serve', { concurrency: true }, () => {
  it('serves live samples, /metrics and the reason snapshots are unavailable, behind a token; closes on SIGTERM', async () => {
    const program = await startProgram(['healthy', '30000']);
    const pid = program.pid!;
    const watch = startNode(
      [cliPath, 'watch', String(pid), '--serve', '127.0.0.1:0', '--interval', '200ms'],
      { env: { MEMWATCHER_DASHBOARD_TOKEN: '' } },
    );
    let base = '';
    try {
      const [, url, host, token] = await waitForOutput(watch, URL_LINE);
      base = url!;
      assert.match(host!, /^127\.0\.0\.1:\d+$/, 'loopback');
      assert.match(token!, /^[\w-]{32,}$/, 'a generated token');
      const auth = { Authorization: `Bearer ${token}` };

      // Without the token: nothing, and no action.
      for (const path of ['api/runs', 'api/events', 'metrics', '']) {
        assert.equal((await get(`${base}${path}`)).status, 401, path);
      }
      assert.equal((await post(`${base}api/actions`, { pid, kind: 'snapshot' })).status, 401);

      // Live samples of the watched process, read from /proc: RSS, no JS heap.
      const samples = (await readEvents(`${base}api/events`, auth, 'sample', 3)) as {
        pid: number;
        sample: { rss: number; heapUsed: number | null };
      }[];
      assert.ok(
        samples.every((event) => event.pid === pid && event.sample.rss > 1024 * 1024),
        JSON.stringify(samples),
      );
      assert.ok(samples.every((event) => event.sample.heapUsed === null));

      const runs = JSON.parse((await get(`${base}api/runs`, auth)).text) as RunsReply[];
      assert.equal(runs[0]?.mode, 'watch');
      assert.equal(runs[0]?.live, true);
      const watched = runs[0]!.processes.find((entry) => entry.pid === pid)!;
      assert.equal(watched.method, 'proc');
      assert.ok(watched.command.some((arg) => arg.endsWith('workload.py')));
      assert.equal(watched.canSnapshot, false);
      assert.match(
        watched.snapshotsUnavailable ?? '',
        /^Heap snapshots are unavailable for pid \d+: .*\/proc/,
      );
      assert.match(watched.snapshotsUnavailable ?? '', /memwatcher attach \d+ --serve/);

      const samplesColumns = JSON.parse((await get(`${base}api/samples?run=1&pid=${pid}`, auth)).text) as {
        time: number[];
        rss: number[];
      };
      assert.ok(samplesColumns.time.length >= 3);

      // Both buttons are refused at once (409, never a hang or a 500), saying why.
      for (const kind of ['snapshot', 'series']) {
        const refused = await post(`${base}api/actions`, { pid, kind }, auth);
        assert.equal(refused.status, 409, refused.text);
        const body = JSON.parse(refused.text) as { error: string; code: string };
        assert.equal(body.code, 'ERR_DASHBOARD_NO_SNAPSHOTS');
        assert.equal(body.error, watched.snapshotsUnavailable, 'the same words as the page');
      }
      const stranger = JSON.parse(
        (await post(`${base}api/actions`, { pid: 1, kind: 'snapshot' }, auth)).text,
      ) as {
        error: string;
      };
      assert.match(stranger.error, /pid 1: this dashboard does not watch it/);

      const metrics = await get(`${base}metrics`, auth);
      assert.equal(metrics.status, 200);
      assert.match(
        metrics.text,
        new RegExp(`^process_resident_memory_bytes\\{pid="${pid}",command="[^"]*workload\\.py"\\} \\d+`, 'm'),
      );
    } finally {
      watch.child.kill('SIGTERM');
    }
    assert.equal(await watch.exited, 0, watch.stderr());
    assert.match(watch.stderr(), /memwatcher: watched pid \d+ for \d+ s, until stopped\./);
    assert.equal(program.exitCode, null, 'the watched process was left running');
    await assert.rejects(get(`${base}api/runs`), /ECONNREFUSED/, 'the dashboard closed with the watch');
  });

  it('closes the dashboard and exits 0 when the watched process exits', async () => {
    const program = await startProgram(['sleep', '2500']);
    const watch = startNode(
      [cliPath, 'watch', String(program.pid), '--serve', '0', '--interval', '200ms', '--quiet'],
      { env: { MEMWATCHER_DASHBOARD_TOKEN: 'watch-serve-token-0123456789' } },
    );
    const [, base, , token] = await waitForOutput(watch, URL_LINE);
    assert.equal(token, 'watch-serve-token-0123456789', 'the token from MEMWATCHER_DASHBOARD_TOKEN');
    assert.equal(
      (await get(`${base}api/runs`, { Authorization: 'Bearer watch-serve-token-0123456789' })).status,
      200,
    );
    assert.equal(await watch.exited, 0, watch.stderr());
    await assert.rejects(get(`${base!}api/runs`), /ECONNREFUSED/);
  });

  it('refuses a bad --serve value with a usage error, and says --serve in its help', async () => {
    const bad = startNode([cliPath, 'watch', String(process.pid), '--serve', 'everywhere']);
    assert.equal(await bad.exited, 2);
    assert.match(bad.stderr(), /--serve takes \[host:\]port/);
    const help = startNode([cliPath, 'watch', '--help']);
    let out = '';
    help.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    assert.equal(await help.exited, 0);
    assert.match(out, /^ +--serve <\[host:\]port> +Serve the live dashboard/m);
    assert.match(out, /^ +--token <token> /m);
    assert.match(out, /^ {2}memwatcher watch 4242 --serve 8080$/m);
  });
});
