/**
 * The dashboard served by the real CLI: `memwatcher run --serve` around a real leaking Node program
 * (token required, loopback by default, live samples over SSE from the child's agent, /metrics), and
 * `memwatcher dashboard --db` over a history file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hello, oneOfEach, sample } from '../../src/store/history.fixture.ts';
import { openHistoryWriter } from '../../src/store/history-writer.ts';
import { cliPath, fixture, get, readEvents, startNode, waitForOutput } from './support.ts';

const URL_LINE = /memwatcher: dashboard (?:of \S+ )?at (http:\/\/([^/]+)\/)\?token=(\S+)/;

describe('memwatcher run --serve', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'memwatcher-serve-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the live dashboard of a real program on loopback, behind a generated token', async () => {
    const run = startNode(
      [
        cliPath,
        'run',
        '--serve',
        '0',
        '--interval',
        '200ms',
        '--snapshot-dir',
        dir,
        '--',
        process.execPath,
        fixture('leaky-app.mjs'),
      ],
      { env: { LIFETIME_MS: '30000', MEMWATCHER_DASHBOARD_TOKEN: '' } },
    );
    try {
      const [, base, host, token] = await waitForOutput(run, URL_LINE);
      assert.match(host!, /^127\.0\.0\.1:\d+$/, 'loopback by default');
      assert.match(token!, /^[\w-]{32,}$/, 'a generated token of 192 bits');

      const denied = await get(`${base}api/runs`);
      assert.equal(denied.status, 401);
      const auth = { Authorization: `Bearer ${token}` };

      // Samples of the watched child, as its agent sends them, streamed to the page.
      const samples = (await readEvents(`${base}api/events`, auth, 'sample', 3)) as {
        pid: number;
        sample: { heapUsed: number | null; rss: number };
      }[];
      const pid = run.child.pid;
      assert.ok(
        samples.every((event) => event.pid !== pid),
        'samples are of the child, not of memwatcher',
      );
      assert.ok(samples.every((event) => event.sample.rss > 10e6 && (event.sample.heapUsed ?? 0) > 1e6));

      const runs = JSON.parse((await get(`${base}api/runs`, auth)).text) as {
        processes: { pid: number; method: string; canSnapshot: boolean; command: string[] }[];
      }[];
      const process0 = runs[0]!.processes.find((entry) => entry.pid === samples[0]!.pid)!;
      assert.equal(process0.method, 'agent');
      assert.equal(process0.canSnapshot, true, 'the agent said hello: snapshots can be taken');
      assert.ok(process0.command.some((arg) => arg.endsWith('leaky-app.mjs')));

      const metrics = await get(`${base}metrics`, auth);
      assert.equal(metrics.status, 200);
      assert.match(
        metrics.text,
        /^nodejs_heap_size_used_bytes\{pid="\d+",command="[^"]*leaky-app\.mjs"\} \d+/m,
      );
      assert.match(String(metrics.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    } finally {
      run.child.kill('SIGTERM');
    }
    assert.equal(await run.exited, 0, `memwatcher exits with the child's code:\n${run.stderr()}`);
  });

  it('refuses a bad --serve value with a usage error before running anything', async () => {
    const run = startNode([cliPath, 'run', '--serve', 'everywhere', '--', process.execPath, '-e', '0']);
    assert.equal(await run.exited, 2);
    assert.match(run.stderr(), /--serve takes \[host:\]port/);
  });
});

describe('memwatcher dashboard --db', () => {
  let dir: string;
  let file: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'memwatcher-dashboard-'));
    file = join(dir, 'history.db');
    const writer = openHistoryWriter(file);
    const start = Date.now() - 3_600_000;
    const first = writer.startRun({ mode: 'run', argv: ['node', 'batch.js'], startedAt: start });
    writer.record(first, hello(101, start));
    for (let t = 1; t <= 120; t++) writer.record(first, sample(101, start + t * 1000));
    writer.endRun(first, { endedAt: start + 121_000, exitCode: 0 });
    const second = writer.startRun({ mode: 'run', argv: ['node', 'server.js'], startedAt: start + 200_000 });
    for (const message of oneOfEach(202, start + 200_000)) writer.record(second, message);
    writer.endRun(second, { endedAt: start + 300_000, exitCode: 1 });
    writer.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('serves every run of a history file until interrupted', async () => {
    const token = 'history-token-0123456789';
    const run = startNode([cliPath, 'dashboard', '--db', file, '--serve', '127.0.0.1:0'], {
      env: { MEMWATCHER_DASHBOARD_TOKEN: token },
    });
    try {
      const [, base, , printed] = await waitForOutput(run, URL_LINE);
      assert.equal(printed, token, 'the token from MEMWATCHER_DASHBOARD_TOKEN');
      assert.equal((await get(`${base}api/runs`)).status, 401);
      const runs = JSON.parse((await get(`${base}api/runs`, { Authorization: `Bearer ${token}` })).text) as {
        id: number;
        command: string[];
        live: boolean;
      }[];
      assert.deepEqual(
        runs.map((entry) => [entry.command.join(' '), entry.live]),
        [
          ['node server.js', false],
          ['node batch.js', false],
        ],
      );
      const samples = JSON.parse(
        (
          await get(`${base}api/samples?run=${runs[1]!.id}&maxPoints=1000`, {
            Authorization: `Bearer ${token}`,
          })
        ).text,
      ) as { time: number[] };
      assert.equal(samples.time.length, 120);
      const info = JSON.parse((await get(`${base}api/info`, { Authorization: `Bearer ${token}` })).text) as {
        mode: string;
        snapshots: boolean;
      };
      assert.deepEqual([info.mode, info.snapshots], ['history', false]);
    } finally {
      run.child.kill('SIGINT');
    }
    assert.equal(await run.exited, 0, run.stderr());
  });

  it('needs --db, and a history file that exists', async () => {
    const missing = startNode([cliPath, 'dashboard']);
    assert.equal(await missing.exited, 2);
    assert.match(missing.stderr(), /missing --db/);
    const absent = startNode([cliPath, 'dashboard', '--db', join(dir, 'absent.db')]);
    assert.equal(await absent.exited, 3);
    assert.match(absent.stderr(), /^memwatcher: /);
  });
});
