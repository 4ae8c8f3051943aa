import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, test } from 'node:test';
import { InvalidOptionError, InvalidStateError, StoreError } from '../errors.ts';
import * as message from './history.fixture.ts';
import { openHistoryReader } from './history-reader.ts';
import { openHistoryWriter } from './history-writer.ts';

const root = mkdtempSync(join(tmpdir(), 'memwatcher-store-reader-'));
after(() => rmSync(root, { recursive: true, force: true }));
const file = join(root, 'history.db');
const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const PID = 77;
const COUNT = 1000;
const SPIKE = 613;
const MB = 1024 * 1024;
let runId = 0;
let emptyRunId = 0;

before(() => {
  // No tick before close(): retention, which would summarize samples this old, does not run.
  const writer = openHistoryWriter(file, { flushIntervalMs: 60_000 });
  runId = writer.startRun({ mode: 'run', argv: ['node', 'app.js'], startedAt: T0 });
  for (let i = 0; i < COUNT; i++) {
    writer.record(runId, message.sample(PID, T0 + i * 1000, i === SPIKE ? 900 * MB : (40 + (i % 10)) * MB));
  }
  const pauses: [string, number][] = [
    ['minor', 0.3],
    ['major', 0.2],
    ['major', 1],
    ['major', 1.5],
    ['major', 2],
    ['major', 999.9],
    ['major', 1000],
    ['major', 5000],
    ['incremental', 7],
  ];
  pauses.forEach(([kind, durationMs], i) => {
    writer.recordGc(runId, PID, { time: T0 + i, kind: kind as 'major', durationMs });
  });
  for (let i = 0; i < 5; i++) writer.record(runId, message.alert(PID, T0 + i * 60_000));
  writer.record(runId, message.alert(PID + 1, T0 + 30_000));
  emptyRunId = writer.startRun({ mode: 'attach', argv: [], startedAt: T0 + 1 });
  writer.close();
});

test('a series never has more points than asked, and its points add up to every sample', () => {
  const reader = openHistoryReader(file);
  for (const maxPoints of [1, 2, 7, 100, 999, 1000, 5000]) {
    const series = reader.samples(runId, { maxPoints });
    assert.ok(series.points.length <= maxPoints, `${series.points.length} points for maxPoints ${maxPoints}`);
    assert.equal(
      series.points.reduce((sum, p) => sum + p.samples, 0),
      COUNT,
    );
    assert.equal(series.from, T0);
    assert.equal(series.to, T0 + (COUNT - 1) * 1000);
    const times = series.points.map((p) => p.time);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
      'oldest first',
    );
  }
  assert.equal(
    reader.samples(runId, { maxPoints: 5000 }).points.length,
    COUNT,
    'one sample per point when room',
  );
  reader.close();
});

test('a one-sample spike is the maximum of its point however few points there are', () => {
  const reader = openHistoryReader(file);
  for (const maxPoints of [3, 10, 50]) {
    const { points, bucketMs, from } = reader.samples(runId, { maxPoints });
    const spikeTime = T0 + SPIKE * 1000;
    const index = points.findIndex((p) => p.time <= spikeTime && spikeTime <= p.lastTime);
    const point = points[index]!;
    assert.equal(index, Math.floor((spikeTime - from) / bucketMs));
    assert.equal(point.heapUsed?.max, 900 * MB);
    assert.equal(point.heapUsed?.min, 40 * MB);
    const others = points.filter((_, i) => i !== index);
    assert.ok(others.every((p) => (p.heapUsed?.max ?? 0) <= 49 * MB));
    assert.equal(point.rss?.avg, 120 * MB);
    assert.equal(point.gcCount, 2 * point.samples);
  }
  reader.close();
});

test('sums past 2^53 (ten 6 PB samples in a bucket) still average exactly', () => {
  const bigFile = join(root, 'big.db');
  const writer = openHistoryWriter(bigFile, { flushIntervalMs: 60_000 });
  const big = writer.startRun({ mode: 'watch', argv: ['huge'] });
  const rss = 2 ** 52 + 2 ** 51;
  for (let i = 0; i < 10; i++) writer.recordSample(big, 1, { time: T0 + i, rss });
  writer.close();
  const reader = openHistoryReader(bigFile);
  const [point] = reader.samples(big, { maxPoints: 1 }).points;
  assert.equal(point?.rss?.avg, rss);
  assert.equal(point?.rss?.max, rss);
  reader.close();
});

test('a time range keeps the samples inside it, both ends included', () => {
  const reader = openHistoryReader(file);
  const series = reader.samples(runId, { from: T0 + 10_000, to: T0 + 19_000, maxPoints: 100 });
  assert.deepEqual(
    series.points.map((p) => (p.time - T0) / 1000),
    [10, 11, 12, 13, 14, 15, 16, 17, 18, 19],
  );
  assert.equal(reader.samples(runId, { from: T0 + 5_000_000 }).points.length, 0);
  reader.close();
});

test('a run without processes has an empty series; an unknown pid too', () => {
  const reader = openHistoryReader(file);
  const empty = reader.samples(emptyRunId);
  assert.equal(empty.pid, null);
  assert.deepEqual(empty.points, []);
  assert.deepEqual(reader.samples(runId, { pid: 12345 }).points, []);
  reader.close();
});

test('GC pauses are counted per kind into buckets [0,1) [1,2) … [1000,∞)', () => {
  const reader = openHistoryReader(file);
  const histograms = reader.gcPauses(runId);
  assert.deepEqual(
    histograms.map((h) => [h.kind, h.count, h.maxPauseMs]),
    [
      ['minor', 1, 0.3],
      ['major', 7, 5000],
      ['incremental', 1, 7],
    ],
  );
  const major = histograms[1]!;
  assert.ok(Math.abs(major.totalPauseMs - (0.2 + 1 + 1.5 + 2 + 999.9 + 1000 + 5000)) < 1e-9);
  const counts = Object.fromEntries(major.buckets.map((b) => [`${b.fromMs}-${b.toMs ?? 'inf'}`, b.count]));
  assert.deepEqual(counts, {
    '0-1': 1,
    '1-2': 2,
    '2-5': 1,
    '5-10': 0,
    '10-20': 0,
    '20-50': 0,
    '50-100': 0,
    '100-200': 0,
    '200-500': 0,
    '500-1000': 1,
    '1000-inf': 2,
  });
  const coarse = reader.gcPauses(runId, { boundsMs: [10] });
  assert.deepEqual(
    coarse[1]?.buckets.map((b) => b.count),
    [4, 3],
  );
  assert.throws(() => reader.gcPauses(runId, { boundsMs: [5, 2] }), InvalidOptionError);
  assert.throws(() => reader.gcPauses(runId, { boundsMs: [] }), InvalidOptionError);
  reader.close();
});

test('event queries: a time range, a pid, and the most recent `limit`, oldest first', () => {
  const reader = openHistoryReader(file);
  assert.equal(reader.alerts(runId).length, 6);
  assert.deepEqual(
    reader.alerts(runId, { limit: 2 }).map((a) => (a.time - T0) / 60_000),
    [3, 4],
  );
  assert.deepEqual(
    reader.alerts(runId, { from: T0 + 60_000, to: T0 + 120_000 }).map((a) => (a.time - T0) / 60_000),
    [1, 2],
  );
  assert.deepEqual(
    reader.alerts(runId, { pid: PID + 1 }).map((a) => a.pid),
    [PID + 1],
  );
  assert.throws(() => reader.alerts(runId, { limit: 0 }), InvalidOptionError);
  reader.close();
});

test('a damaged file gives ERR_STORE_READ; a closed reader, InvalidStateError', () => {
  const copy = join(root, 'damaged.db');
  const source = new DatabaseSync(file);
  source.exec(`VACUUM INTO '${copy}'`);
  source.close();
  const damage = new DatabaseSync(copy);
  damage.exec('DROP TABLE alerts');
  damage.close();
  const reader = openHistoryReader(copy);
  assert.throws(
    () => reader.alerts(runId),
    (error: unknown) =>
      error instanceof StoreError && error.code === 'ERR_STORE_READ' && /no such table/.test(error.message),
  );
  assert.equal(reader.samples(runId).points.length, 1000, 'the rest still reads');
  reader.close();
  assert.throws(() => reader.runs(), InvalidStateError);
});
