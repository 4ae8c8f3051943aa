/**
 * `memwatcher attach <pid>` on real Node programs started without memwatcher, through the whole
 * pipeline: inspector samples → verdict → `--on-leak snapshot` series in one session → analysis in a
 * worker → events, history and report; then Ctrl-C (SIGINT), `--duration`, or the program's own exit
 * ends it, and the program is left as it was (inspector closed, no GC observer, no globals, still
 * running, exits normally). Short verdict windows keep this under half a minute.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../cli/run-cli.ts';
import { freePort, isListening, type RunningApp, startRunningApp } from './running-app.ts';

const dir = mkdtempSync(join(tmpdir(), 'memwatcher-attach-'));
const started: RunningApp[] = [];
after(() => {
  for (const app of started) app.kill();
  rmSync(dir, { recursive: true, force: true });
});

const FAST_VERDICT = ['--interval', '200ms', '--window', '8s', '--warmup', '2s'];

interface Event {
  type: string;
  source: string;
  pid: number;
  [key: string]: unknown;
}

function readEvents(file: string): Event[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Event);
}

async function target(mode: 'leak' | 'steady'): Promise<{ app: RunningApp; port: number }> {
  const port = await freePort();
  // --expose-gc: the app then runs a full GC every 500 ms, so the heap floor is measured often.
  const app = await startRunningApp(mode, { execArgv: [`--inspect-port=127.0.0.1:${port}`, '--expose-gc'] });
  started.push(app);
  return { app, port };
}

async function assertLeftAsItWas(app: RunningApp, port: number) {
  assert.equal(await isListening(port), false, 'the inspector port is free again');
  const status = await app.status();
  assert.equal(status.inspectorUrl, null, 'inspector closed');
  assert.equal(status.observers, 0, 'GC observer removed');
  assert.equal(status.addedGlobals, 0);
  assert.equal(status.addedSymbols, 0);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.ok((await app.status()).ticks > status.ticks, 'it keeps running');
  const end = await app.exit();
  assert.deepEqual([end.code, end.signal, end.lastLine], [0, null, 'bye'], app.stderr());
}

describe('memwatcher attach', { concurrency: true, timeout: 120_000 }, () => {
  it('calls a leak, takes a matching snapshot series, names the culprit, and detaches on Ctrl-C', async () => {
    const { app, port } = await target('leak');
    const events = join(dir, 'leak.ndjson');
    const db = join(dir, 'leak.db');
    const report = join(dir, 'leak.html');
    const snapshots = join(dir, 'snapshots');
    let interrupted = false;
    const run = await runCli(
      [
        'attach',
        String(app.pid),
        ...FAST_VERDICT,
        '--on-leak',
        'snapshot',
        '--snapshot-interval',
        '1s',
        '--snapshot-dir',
        snapshots,
        '--events',
        events,
        '--db',
        db,
        '--report',
        report,
      ],
      {
        timeoutMs: 90_000,
        onSpawn: (child) => {
          let stderr = '';
          child.stderr?.on('data', (chunk: Buffer) => {
            stderr += chunk.toString();
            // The suspects are printed once the analysis is done: then detach as a user would.
            if (!interrupted && /Leak suspects/.test(stderr)) {
              interrupted = true;
              child.kill('SIGINT');
            }
          });
        },
      },
    );
    assert.equal(run.timedOut, false, run.stderr);
    assert.ok(interrupted, `no analysis was printed: ${run.stderr}`);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      new RegExp(`attached to pid ${app.pid} \\(inspector opened on 127\\.0\\.0\\.1:${port}\\)`),
    );
    assert.match(run.stderr, new RegExp(`LEAK in pid ${app.pid}: leak in JS heap`));
    assert.match(run.stderr, /1\. LeakedRecord \(object\): [\d,]+ alive/);
    assert.match(run.stderr, /Context\.leaked → Array\[\d+\] → LeakedRecord/);
    assert.match(run.stderr, new RegExp(`detached from pid ${app.pid}\\. Its inspector was closed again`));

    const lines = readEvents(events);
    assert.deepEqual([lines[0]?.type, lines[0]?.mode, lines[0]?.method], ['start', 'attach', 'inspector']);
    const samples = lines.filter((event) => event.type === 'sample');
    assert.ok(samples.length >= 20, `${samples.length} samples`);
    assert.ok(samples.every((sample) => sample.source === 'inspector' && (sample.heapUsed as number) > 0));
    assert.ok(
      samples.some((sample) => sample.heapFloor !== null),
      'floors from major GCs',
    );
    assert.ok(
      samples.some((sample) => (sample.gcCount as number) > 0),
      'GC counted in the process',
    );
    // The verdict may leave and re-enter `leak` (snapshots pause the program); the series is taken once.
    assert.ok(lines.some((event) => event.type === 'leak'));
    const taken = lines.filter((event) => event.type === 'snapshot');
    assert.equal(taken.length, 3);
    for (const snapshot of taken) assert.equal(statSync(snapshot.file as string).mode & 0o777, 0o600);
    const analysis = lines.find((event) => event.type === 'analysis') as
      | (Event & { result: { suspects: { name: string; growth: number[] }[] } })
      | undefined;
    assert.equal(analysis?.result.suspects[0]?.name, 'LeakedRecord');
    // Matched by object id across the series: the count grows from each snapshot to the next.
    const growth = analysis?.result.suspects[0]?.growth ?? [];
    assert.ok(growth.length === 3 && growth[0]! < growth[1]! && growth[1]! < growth[2]!, `growth ${growth}`);
    assert.deepEqual([lines.at(-1)?.type, lines.at(-1)?.reason], ['exit', 'stopped']);

    // What was recorded makes a report of the attached run.
    assert.ok(existsSync(report));
    const fromHistory = await runCli(['report', db, '--format', 'json'], { timeoutMs: 90_000 });
    assert.equal(fromHistory.code, 0, fromHistory.stderr);
    const json = JSON.parse(fromHistory.stdout);
    assert.equal(json.run.pid, app.pid);
    assert.equal(json.verdict.leakCalledAt !== null, true);
    assert.equal(json.suspects[0].name, 'LeakedRecord');
    assert.equal(json.snapshots.length, 3);

    await assertLeftAsItWas(app, port);
  });

  it('watches a steady program for --duration without calling a leak', async () => {
    const { app, port } = await target('steady');
    const events = join(dir, 'steady.ndjson');
    const run = await runCli(
      ['attach', String(app.pid), ...FAST_VERDICT, '--duration', '6s', '--events', events],
      {
        timeoutMs: 60_000,
      },
    );
    assert.equal(run.code, 0, run.stderr);
    const lines = readEvents(events);
    assert.ok(lines.filter((event) => event.type === 'sample').length >= 20);
    assert.equal(lines.filter((event) => event.type === 'leak').length, 0, run.stderr);
    assert.deepEqual([lines.at(-1)?.type, lines.at(-1)?.reason], ['exit', 'duration']);
    await assertLeftAsItWas(app, port);
  });

  it('detaches on SIGTERM as on Ctrl-C', async () => {
    const { app, port } = await target('steady');
    const events = join(dir, 'sigterm.ndjson');
    let sent = false;
    const run = await runCli(['attach', String(app.pid), ...FAST_VERDICT, '--events', events], {
      timeoutMs: 60_000,
      onSpawn: (child) => {
        child.stderr?.on('data', (chunk: Buffer) => {
          if (!sent && /attached to pid/.test(chunk.toString())) {
            sent = true;
            setTimeout(() => child.kill('SIGTERM'), 1000);
          }
        });
      },
    });
    assert.ok(sent, run.stderr);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.signal, null);
    assert.match(run.stderr, /Its inspector was closed again/);
    const lines = readEvents(events);
    assert.deepEqual([lines.at(-1)?.type, lines.at(-1)?.reason], ['exit', 'stopped']);
    await assertLeftAsItWas(app, port);
  });

  it('ends when the program exits while attached', async () => {
    const { app } = await target('steady');
    const events = join(dir, 'exits.ndjson');
    let exited: Promise<unknown> | undefined;
    const run = await runCli(['attach', String(app.pid), ...FAST_VERDICT, '--events', events], {
      timeoutMs: 60_000,
      onSpawn: (child) => {
        child.stderr?.on('data', (chunk: Buffer) => {
          if (exited === undefined && /attached to pid/.test(chunk.toString())) {
            exited = new Promise((resolve) => setTimeout(resolve, 1000)).then(() => app.exit());
          }
        });
      },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(await exited, { code: 0, signal: null, lastLine: 'bye' });
    assert.match(run.stderr, /The process exited while memwatcher was attached\./);
    const lines = readEvents(events);
    assert.deepEqual([lines.at(-1)?.type, lines.at(-1)?.reason], ['exit', 'exited']);
  });
});
