import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidStateError, type StoreError } from '../errors.ts';
import * as message from './history.fixture.ts';
import { openHistoryReader } from './history-reader.ts';
import { openHistoryWriter } from './history-writer.ts';

const root = mkdtempSync(join(tmpdir(), 'memwatcher-store-writer-'));
after(() => rmSync(root, { recursive: true, force: true }));
let files = 0;
const fresh = () => join(root, `history-${++files}.db`);
const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const PID = 4242;

/** Rows another connection sees: only what was committed. */
function committedSamples(file: string): number {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return Number(db.prepare('SELECT count(*) AS n FROM samples').get()?.n);
  } finally {
    db.close();
  }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 5000) assert.fail(`gave up waiting: ${what}`);
    await sleep(10);
  }
}

test('rows wait in memory until a flush commits them, all at once', () => {
  const file = fresh();
  const writer = openHistoryWriter(file, { flushIntervalMs: 60_000 });
  const runId = writer.startRun({ mode: 'run', argv: ['node', 'app.js'] });
  for (let i = 0; i < 50; i++) writer.record(runId, message.sample(PID, T0 + i * 1000));
  assert.equal(committedSamples(file), 0);
  assert.equal(writer.stats.pendingRows, 51, '50 samples and the row of their process');
  assert.equal(writer.flush(), true);
  assert.equal(committedSamples(file), 50);
  assert.deepEqual(
    { ...writer.stats, lastError: undefined },
    { pendingRows: 0, writtenRows: 51, droppedRows: 0, flushes: 1, failedFlushes: 0, lastError: undefined },
  );
  writer.close();
});

test('the timer commits by itself every flushIntervalMs', async () => {
  const file = fresh();
  const writer = openHistoryWriter(file, { flushIntervalMs: 20 });
  const runId = writer.startRun({ mode: 'run', argv: ['node'] });
  // Recent times: the first tick also applies retention, which summarizes samples older than a day.
  const now = Date.now();
  writer.record(runId, message.sample(PID, now));
  await until(() => committedSamples(file) === 1, 'the timer to commit the sample');
  writer.record(runId, message.sample(PID, now + 1000));
  await until(() => committedSamples(file) === 2, 'the timer to commit the second sample');
  writer.close();
});

test('maxBatchRows rows waiting are committed at once, without waiting for the timer', () => {
  const file = fresh();
  const writer = openHistoryWriter(file, { flushIntervalMs: 60_000, maxBatchRows: 10 });
  const runId = writer.startRun({ mode: 'run', argv: ['node'] });
  for (let i = 0; i < 8; i++) writer.record(runId, message.sample(PID, T0 + i));
  assert.equal(committedSamples(file), 0);
  writer.record(runId, message.sample(PID, T0 + 8));
  assert.equal(committedSamples(file), 9, 'the tenth row (with the process row) triggered the commit');
  writer.close();
});

test('every agent message lands where the reader finds it; a verdict and its leak event are one row', () => {
  const file = fresh();
  const writer = openHistoryWriter(file, { flushIntervalMs: 60_000 });
  const runId = writer.startRun({ mode: 'run', argv: ['node', 'server.js'], startedAt: T0 - 100 });
  for (const m of message.oneOfEach(PID, T0)) writer.record(runId, m);
  writer.record(runId, message.verdict(PID, T0 + 9000));
  writer.recordAnalysis(runId, PID, {
    time: T0 + 4000,
    result: message.analysisResult(['/tmp/a.heapsnapshot', '/tmp/b.heapsnapshot', '/tmp/c.heapsnapshot']),
    durationMs: 1234,
  });
  writer.endRun(runId, { endedAt: T0 + 10_000, exitCode: null, signal: 'SIGTERM' });

  const reader = openHistoryReader(file);
  const [run] = reader.runs();
  assert.deepEqual(run, {
    id: runId,
    mode: 'run',
    argv: ['node', 'server.js'],
    hostname: run?.hostname,
    startedAt: T0 - 100,
    endedAt: T0 + 10_000,
    exitCode: null,
    signal: 'SIGTERM',
    processes: [
      {
        pid: PID,
        firstSeen: T0,
        argv: ['/usr/bin/node', '/srv/app/server.js'],
        nodeVersion: 'v24.21.0',
        intervalMs: 1000,
        heapLimit: 4096 * 1024 * 1024,
        firstSample: T0 + 1000,
        lastSample: T0 + 1000,
      },
    ],
  });
  const series = reader.samples(runId);
  assert.equal(series.points.length, 1);
  assert.equal(series.points[0]?.heapUsed?.max, 50 * 1024 * 1024);
  assert.equal(series.points[0]?.gcPauseMs, 1.5);
  assert.deepEqual(
    reader.gcEvents(runId).map((e) => [e.time, e.kind, e.durationMs]),
    [[T0 + 1500, 'major', 12.5]],
  );
  const verdicts = reader.verdicts(runId);
  assert.deepEqual(
    verdicts.map((v) => [v.time, v.leakEvent]),
    [
      [T0 + 2000, true],
      [T0 + 9000, false],
    ],
  );
  // JSON keeps what JSON can: fields that were `undefined` come back absent.
  assert.deepEqual(verdicts[0]?.verdict, JSON.parse(JSON.stringify(message.leakVerdict(T0 + 2000))));
  assert.deepEqual(
    reader.alerts(runId)[0]?.alert,
    JSON.parse(JSON.stringify(message.alert(PID, T0 + 2100).alert)),
  );
  assert.deepEqual(reader.snapshots(runId), [
    {
      id: 1,
      pid: PID,
      time: T0 + 3000,
      file: `/tmp/heap-${PID}-${T0 + 3000}.heapsnapshot`,
      bytes: 12 * 1024 * 1024,
      label: 'leak',
      durationMs: 840,
    },
  ]);
  assert.deepEqual(reader.faults(runId), [
    { pid: PID, time: T0 + 3500, code: 'ERR_CENSUS', message: 'the census did not answer in time' },
  ]);
  const [analysis] = reader.analyses(runId);
  assert.deepEqual(analysis?.files, ['/tmp/a.heapsnapshot', '/tmp/b.heapsnapshot', '/tmp/c.heapsnapshot']);
  assert.equal(analysis?.suspectCount, 1);
  assert.equal(analysis?.durationMs, 1234);
  assert.deepEqual(analysis?.result, message.analysisResult(analysis?.files ?? []));
  assert.equal(
    analysis?.result.suspects[0]?.retainerPath[1]?.nodeId,
    4_294_967_301,
    'ids above 2^32 survive',
  );
  // Lists leave the result unparsed; one analysis is found by id alone.
  const { result: _result, ...summary } = analysis!;
  assert.deepEqual(reader.analysisSummaries(runId), [summary]);
  assert.deepEqual(reader.analysis(analysis!.id), analysis);
  assert.equal(reader.analysis(analysis!.id + 1000), undefined);
  reader.close();
  writer.close();
});

test('while the file is locked, rows are kept and retried, the oldest dropped past maxPendingRows; one report per trouble', () => {
  const file = fresh();
  const errors: StoreError[] = [];
  let now = Date.now();
  const writer = openHistoryWriter(file, {
    flushIntervalMs: 60_000,
    busyTimeoutMs: 0,
    maxPendingRows: 6,
    onError: (error) => errors.push(error),
    now: () => now,
  });
  const runId = writer.startRun({ mode: 'run', argv: ['node'] });
  const blocker = new DatabaseSync(file);
  blocker.exec('BEGIN IMMEDIATE');

  for (let i = 0; i < 3; i++) writer.record(runId, message.sample(PID, T0 + i));
  assert.equal(writer.flush(), false);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]?.code, 'ERR_STORE_WRITE');
  assert.match(errors[0]?.message ?? '', /locked/);
  assert.equal(writer.flush(), false);
  assert.equal(errors.length, 1, 'the same trouble is reported once');

  for (let i = 3; i < 10; i++) writer.record(runId, message.sample(PID, T0 + i));
  assert.equal(writer.stats.pendingRows, 6);
  assert.equal(writer.stats.droppedRows, 5, 'the five oldest samples; the process row is never dropped');
  assert.equal(errors.length, 2, 'dropping rows is reported, once');
  assert.match(errors[1]?.message ?? '', /oldest are being dropped/);

  blocker.exec('ROLLBACK');
  blocker.close();
  assert.equal(writer.flush(), true);
  const reader = openHistoryReader(file);
  const times = reader.samples(runId, { maxPoints: 100 }).points.map((p) => p.time - T0);
  assert.deepEqual(times, [5, 6, 7, 8, 9], 'the newest samples, and the process row they need');
  assert.equal(reader.runs()[0]?.processes.length, 1);
  reader.close();
  assert.equal(writer.stats.failedFlushes, 2);

  const again = new DatabaseSync(file);
  again.exec('BEGIN IMMEDIATE');
  writer.record(runId, message.sample(PID, T0 + 10));
  assert.equal(writer.flush(), false);
  assert.equal(errors.length, 2, 'the same trouble coming back within a minute is not reported again');
  again.exec('ROLLBACK');
  assert.equal(writer.flush(), true);
  now += 60_000;
  again.exec('BEGIN IMMEDIATE');
  writer.record(runId, message.sample(PID, T0 + 11));
  assert.equal(writer.flush(), false);
  assert.equal(errors.length, 3, 'a minute later, it is');
  again.exec('ROLLBACK');
  again.close();
  writer.close();
});

test('a row SQLite refuses is dropped and reported; the rest of its batch is kept', () => {
  const file = fresh();
  const errors: StoreError[] = [];
  const writer = openHistoryWriter(file, { flushIntervalMs: 60_000, onError: (error) => errors.push(error) });
  const runId = writer.startRun({ mode: 'run', argv: ['node'] });
  writer.record(runId, message.sample(PID, T0));
  // A snapshot without a label cannot be bound (the producer has a bug).
  writer.recordSnapshot(runId, PID, { time: T0, file: '/tmp/x', bytes: 1, label: undefined as never });
  writer.record(runId, message.sample(PID, T0 + 1000));
  assert.equal(writer.flush(), true);
  assert.equal(committedSamples(file), 2);
  assert.equal(writer.stats.droppedRows, 1);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]?.code, 'ERR_STORE_WRITE');
  assert.match(errors[0]?.message ?? '', /refused and dropped/);
  writer.close();
});

test('records with an invalid time are not stored, counted, and reported once per kind', () => {
  const file = fresh();
  const errors: StoreError[] = [];
  const writer = openHistoryWriter(file, { flushIntervalMs: 60_000, onError: (error) => errors.push(error) });
  const runId = writer.startRun({ mode: 'watch', argv: ['python3'] });
  writer.recordSample(runId, 7, { time: Number.NaN, rss: 1 });
  writer.recordSample(runId, 7, { time: Number.POSITIVE_INFINITY, rss: 1 });
  writer.recordSample(runId, 7, { time: T0, rss: 1, heapUsed: Number.NaN });
  writer.flush();
  assert.equal(writer.stats.droppedRows, 2);
  assert.equal(errors.length, 1);
  assert.match(errors[0]?.message ?? '', /Sample not stored: invalid time/);
  const reader = openHistoryReader(file);
  const [point] = reader.samples(runId).points;
  assert.equal(point?.rss?.max, 1);
  assert.equal(point?.heapUsed, null, 'a figure that is not a number is stored as unknown');
  reader.close();
  writer.close();
});

test('an alert or analysis that cannot be JSON is refused, not thrown', () => {
  const file = fresh();
  const errors: StoreError[] = [];
  const writer = openHistoryWriter(file, { flushIntervalMs: 60_000, onError: (error) => errors.push(error) });
  const runId = writer.startRun({ mode: 'library', argv: [] });
  const cyclic: Record<string, unknown> = { ...message.alert(PID, T0).alert };
  cyclic.self = cyclic;
  writer.recordAlert(runId, PID, cyclic as never);
  writer.recordAnalysis(runId, PID, { time: T0, result: { snapshots: [{ bytes: 1n }] } as never });
  writer.recordAnalysis(runId, PID, { time: T0, result: {} as never });
  assert.equal(writer.flush(), true);
  assert.equal(writer.stats.droppedRows, 3);
  assert.deepEqual(
    errors.map((e) => e.message.replace(file, 'FILE')),
    [
      'Alert not stored: it could not be written as JSON.',
      'Analysis not stored: it could not be written as JSON.',
    ],
  );
  writer.close();
});

test('an onError that throws does not stop the writer', () => {
  const file = fresh();
  const writer = openHistoryWriter(file, {
    flushIntervalMs: 60_000,
    onError: () => {
      throw new Error('handler bug');
    },
  });
  const runId = writer.startRun({ mode: 'run', argv: ['node'] });
  writer.recordSample(runId, PID, { time: Number.NaN, rss: 1 });
  writer.record(runId, message.sample(PID, T0));
  assert.equal(writer.flush(), true);
  assert.equal(committedSamples(file), 1);
  writer.close();
});

test('without onError, a trouble becomes one process warning with its code', async () => {
  const file = fresh();
  const writer = openHistoryWriter(file, { flushIntervalMs: 60_000 });
  const runId = writer.startRun({ mode: 'run', argv: ['node'] });
  const warned = new Promise<Error & { code?: string }>((resolve) => process.once('warning', resolve));
  writer.recordSample(runId, PID, { time: Number.NaN, rss: 1 });
  const warning = await warned;
  assert.equal(warning.code, 'ERR_STORE_WRITE');
  assert.match(warning.message, /invalid time/);
  writer.close();
});

test('close() commits what waits; later records are counted as dropped, never thrown', () => {
  const file = fresh();
  const writer = openHistoryWriter(file, { flushIntervalMs: 60_000 });
  const runId = writer.startRun({ mode: 'run', argv: ['node'] });
  writer.record(runId, message.sample(PID, T0));
  assert.equal(writer.close(), true);
  assert.equal(committedSamples(file), 1);
  writer.record(runId, message.sample(PID, T0 + 1000));
  writer.endRun(runId);
  assert.equal(writer.stats.droppedRows, 2);
  assert.equal(writer.close(), true);
  assert.throws(() => writer.startRun({ mode: 'run', argv: [] }), InvalidStateError);
});

test('processes of one run are kept apart, each with its own samples', () => {
  const file = fresh();
  const writer = openHistoryWriter(file, { flushIntervalMs: 60_000 });
  const runId = writer.startRun({ mode: 'run', argv: ['npm', 'start'] });
  writer.record(runId, message.sample(100, T0 + 5, 10));
  writer.record(runId, message.sample(200, T0, 20));
  writer.record(runId, message.sample(200, T0 + 1000, 30));
  writer.close();
  const reader = openHistoryReader(file);
  assert.deepEqual(
    reader.runs()[0]?.processes.map((p) => p.pid),
    [200, 100],
    'in the order they were first heard from',
  );
  assert.deepEqual(
    reader.samples(runId, { pid: 100 }).points.map((p) => p.heapUsed?.max),
    [10],
  );
  const first = reader.samples(runId);
  assert.equal(first.pid, 200, 'by default, the first process');
  assert.deepEqual(
    first.points.map((p) => p.heapUsed?.max),
    [20, 30],
  );
  reader.close();
});
