/**
 * What `memwatcher run` leaves behind: the `--events` NDJSON, the `--db` history file (read back with
 * the store's reader) and the `--report` HTML page, for a Node program (agent over IPC) and a Python
 * one (/proc from outside).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openHistoryReader } from '../../src/store/index.ts';
import { runCli } from '../cli/run-cli.ts';
import { ofType, readEvents } from './events-file.ts';

const nodeWorkload = fileURLToPath(new URL('./fixtures/workload.ts', import.meta.url));
const pythonWorkload = fileURLToPath(new URL('./fixtures/workload.py', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'memwatcher-run-outputs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function runWithOutputs(name: string, command: string[]) {
  const files = {
    events: join(dir, `${name}.ndjson`),
    db: join(dir, `${name}.db`),
    report: join(dir, `${name}.html`),
  };
  const run = await runCli(
    [
      'run',
      '--interval',
      '200ms',
      '--events',
      files.events,
      '--db',
      files.db,
      '--report',
      files.report,
      '--',
      ...command,
    ],
    { timeoutMs: 60_000 },
  );
  assert.equal(run.code, 0, run.stderr);
  return { run, files, events: readEvents(files.events) };
}

describe('memwatcher run: events, history and report files', { concurrency: true }, () => {
  it('writes them for a Node program watched by its agent', async () => {
    const { run, files, events } = await runWithOutputs('node', [
      process.execPath,
      nodeWorkload,
      'healthy',
      '3000',
    ]);

    const start = events[0];
    assert.ok(start?.type === 'start' && start.source === 'collector');
    assert.equal(start.mode, 'run');
    assert.equal(start.method, 'agent');
    const hello = ofType(events, 'hello')[0];
    assert.ok(hello !== undefined, 'the agent said hello');
    assert.equal(hello.pid, start.pid, 'the agent runs in the child memwatcher started');
    const samples = ofType(events, 'sample');
    assert.ok(samples.length >= 8, `${samples.length} samples`);
    for (const sample of samples) {
      assert.equal(sample.source, 'memwatcher', 'samples come from the agent, not /proc');
      assert.ok(sample.rss > 0 && sample.heapUsed !== null && sample.heapUsed > 0);
    }
    assert.ok(ofType(events, 'verdict').length >= 1);
    const exit = events.at(-1);
    assert.ok(exit?.type === 'exit' && exit.exitCode === 0 && exit.reason === 'exited');
    const times = events.map((event) => event.time);
    assert.ok(
      times.every((time) => time > Date.now() - 120_000 && time <= Date.now()),
      'times are ms since epoch',
    );

    const history = openHistoryReader(files.db);
    try {
      const [stored] = history.runs();
      assert.ok(stored !== undefined);
      assert.equal(stored.mode, 'run');
      assert.equal(stored.exitCode, 0);
      assert.ok(stored.endedAt !== null);
      assert.deepEqual(stored.argv.slice(-2), ['healthy', '3000']);
      const process = stored.processes.find((p) => p.pid === hello.pid);
      assert.ok(process?.nodeVersion?.startsWith('v'), 'the hello was stored');
      const series = history.samples(stored.id, { pid: hello.pid });
      assert.ok(series.points.length >= 5);
      assert.ok(series.points.every((point) => point.heapUsed !== null));
      assert.ok(history.verdicts(stored.id).length >= 1);
    } finally {
      history.close();
    }

    const html = readFileSync(files.report, 'utf8');
    assert.match(html, /^<!doctype html>/i);
    assert.match(html, /workload\.ts/);
    assert.match(html, /Node v\d+/);
    assert.equal(statSync(files.report).mode & 0o777, 0o600);
    assert.match(run.stderr, /wrote events .*node\.ndjson, history .*node\.db, report .*node\.html/);
  });

  it('writes them for a Python program watched from outside', async () => {
    const { files, events } = await runWithOutputs('python', ['python3', pythonWorkload, 'healthy', '3000']);

    const start = events[0];
    assert.ok(start?.type === 'start');
    assert.equal(start.method, 'proc');
    assert.equal(ofType(events, 'hello').length, 0);
    const samples = ofType(events, 'sample');
    assert.ok(samples.length >= 8, `${samples.length} samples`);
    for (const sample of samples) {
      assert.ok(sample.source === 'proc');
      assert.equal(sample.pid, start.pid);
      assert.ok(sample.rss > 1024 * 1024, 'RSS in bytes');
      assert.ok(sample.rssPeak !== null && sample.rssPeak >= sample.rss);
      assert.ok(sample.threads !== null && sample.threads >= 1);
      assert.equal(sample.heapUsed, null, 'no JS figures from outside');
    }
    assert.ok(ofType(events, 'verdict').every((event) => event.source === 'collector'));

    const history = openHistoryReader(files.db);
    try {
      const [stored] = history.runs();
      assert.ok(stored !== undefined && stored.exitCode === 0);
      const series = history.samples(stored.id, { pid: start.pid });
      assert.ok(series.points.length >= 5);
      assert.ok(series.points.every((point) => point.rss !== null && point.threads !== null));
      assert.ok(series.points.every((point) => point.heapUsed === null));
    } finally {
      history.close();
    }

    const html = readFileSync(files.report, 'utf8');
    assert.match(html, /watched from outside/);
    assert.match(html, /workload\.py/);
  });
});
