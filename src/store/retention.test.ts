import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, test } from 'node:test';
import * as message from './history.fixture.ts';
import { openHistoryReader } from './history-reader.ts';
import type { SamplePoint } from './history-types.ts';
import { type HistoryWriter, openHistoryWriter } from './history-writer.ts';
import type { RetentionOptions } from './retention.ts';

const root = mkdtempSync(join(tmpdir(), 'memwatcher-store-retention-'));
after(() => rmSync(root, { recursive: true, force: true }));
let files = 0;
const fresh = () => join(root, `history-${++files}.db`);

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const PID = 31;
const SPIKE_AT = T0 + 30 * MINUTE + 17 * SECOND;

/** Three hours of 1 s samples with a sawtooth heap, one spike, and no floor for the first ten minutes. */
function recordThreeHours(writer: HistoryWriter, runId: number): void {
  for (let i = 0; i < 3 * 3600; i++) {
    const time = T0 + i * SECOND;
    writer.recordSample(runId, PID, {
      time,
      rss: 100_000_000 + i,
      heapUsed: time === SPIKE_AT ? 2_000_000_000 : 40_000_000 + (i % 60) * 100_000,
      heapFloor: i < 600 ? null : 30_000_000 + i,
      gcPauseMs: (i % 7) / 4,
      gcCount: i % 3,
    });
  }
  writer.flush();
}

function rowsByTier(file: string): Record<string, { rows: number; oldest: number; newest: number }> {
  const db = new DatabaseSync(file, { readOnly: true });
  const tiers = db
    .prepare(`
      SELECT 0 AS resolution, count(*) AS rows, min(time) AS oldest, max(time) AS newest FROM samples
      UNION ALL
      SELECT resolution_ms, count(*), min(time), max(time) FROM sample_rollups GROUP BY resolution_ms`)
    .all();
  db.close();
  return Object.fromEntries(
    tiers
      .filter((t) => Number(t.rows) > 0)
      .map((t) => [
        String(t.resolution),
        { rows: Number(t.rows), oldest: Number(t.oldest), newest: Number(t.newest) },
      ]),
  );
}

/** The whole history of the process as one point: totals, extremes and averages of every figure. */
function wholeHistory(file: string, runId: number): SamplePoint {
  const reader = openHistoryReader(file);
  const series = reader.samples(runId, { pid: PID, from: 0, to: T0 + DAY, maxPoints: 1 });
  reader.close();
  assert.equal(series.points.length, 1);
  return series.points[0]!;
}

function assertSameSummary(actual: SamplePoint, expected: SamplePoint): void {
  assert.equal(actual.samples, expected.samples);
  assert.equal(actual.gcCount, expected.gcCount);
  assert.ok(Math.abs(actual.gcPauseMs - expected.gcPauseMs) < 1e-6);
  for (const key of ['rss', 'heapUsed', 'heapFloor'] as const) {
    assert.equal(actual[key]?.min, expected[key]?.min, `${key} min`);
    assert.equal(actual[key]?.max, expected[key]?.max, `${key} max`);
    assert.ok(Math.abs(actual[key]!.avg - expected[key]!.avg) < 1e-6, `${key} avg`);
  }
}

const tiers: RetentionOptions = {
  rawSamples: { maxAgeMs: HOUR },
  rollups: [
    { resolutionMs: MINUTE, maxAgeMs: 2 * HOUR },
    { resolutionMs: 10 * MINUTE, maxAgeMs: 4 * HOUR },
  ],
};

test('old samples move down the tiers; counts, minimums, maximums and averages are kept exactly', () => {
  const file = fresh();
  let now = T0 + 3 * HOUR;
  const writer = openHistoryWriter(file, { flushIntervalMs: 60_000, retention: tiers, now: () => now });
  const runId = writer.startRun({ mode: 'run', argv: ['node'], startedAt: T0 });
  recordThreeHours(writer, runId);
  const before = wholeHistory(file, runId);
  assert.equal(before.samples, 10_800);
  assert.equal(before.heapUsed?.max, 2_000_000_000);

  const result = writer.applyRetention();
  assert.equal(result?.samplesSummarized, 2 * 3600);
  assert.deepEqual(rowsByTier(file), {
    '0': { rows: 3600, oldest: T0 + 2 * HOUR, newest: T0 + 3 * HOUR - SECOND },
    [MINUTE]: { rows: 60, oldest: T0 + HOUR, newest: T0 + 2 * HOUR - MINUTE },
    [10 * MINUTE]: { rows: 6, oldest: T0, newest: T0 + 50 * MINUTE },
  });
  assertSameSummary(wholeHistory(file, runId), before);

  // The spike is still the maximum of its ten-minute bucket, 2.5 hours later.
  const reader = openHistoryReader(file);
  const points = reader.samples(runId, { from: T0, to: T0 + HOUR - 1, maxPoints: 6 }).points;
  assert.equal(points.length, 6);
  assert.equal(points[3]?.heapUsed?.max, 2_000_000_000);
  assert.ok((points[3]?.heapUsed?.avg ?? 0) < 50_000_000);
  assert.equal(points[0]?.heapFloor, null, 'no floor in the first ten minutes');
  reader.close();

  // Time passes: what is older than the last tier's age goes.
  now += 2 * HOUR;
  writer.applyRetention();
  const after = rowsByTier(file);
  assert.equal(after['0'], undefined);
  assert.equal(after[String(10 * MINUTE)]?.oldest, T0 + HOUR);
  assert.equal(wholeHistory(file, runId).samples, 2 * 3600);
  writer.close();
});

test('a late sample in a bucket already summarized is merged into it, not lost', () => {
  const file = fresh();
  const writer = openHistoryWriter(file, {
    flushIntervalMs: 60_000,
    retention: tiers,
    now: () => T0 + 3 * HOUR,
  });
  const runId = writer.startRun({ mode: 'run', argv: ['node'], startedAt: T0 });
  recordThreeHours(writer, runId);
  writer.applyRetention();
  const before = wholeHistory(file, runId);
  writer.recordSample(runId, PID, { time: T0 + 500, rss: 1, heapUsed: 3_000_000_000 });
  writer.flush();
  writer.applyRetention();
  const merged = wholeHistory(file, runId);
  assert.equal(merged.samples, before.samples + 1);
  assert.equal(merged.rss?.min, 1);
  assert.equal(merged.heapUsed?.max, 3_000_000_000);
  assert.equal(
    merged.heapFloor?.avg,
    before.heapFloor?.avg,
    'a sample without a floor leaves the floor average',
  );
  assert.deepEqual(Object.keys(rowsByTier(file)).sort(), ['0', String(MINUTE), String(10 * MINUTE)].sort());
  assert.equal(rowsByTier(file)[String(10 * MINUTE)]?.rows, 6, 'merged into the existing bucket');
  writer.close();
});

test('a short sampling interval is capped by rows per process, not only by age', () => {
  const file = fresh();
  const writer = openHistoryWriter(file, {
    flushIntervalMs: 60_000,
    retention: { ...tiers, rawSamples: { maxAgeMs: DAY, maxRowsPerProcess: 100 } },
    now: () => T0 + 3 * HOUR,
  });
  const runId = writer.startRun({ mode: 'run', argv: ['node'], startedAt: T0 });
  recordThreeHours(writer, runId);
  const before = wholeHistory(file, runId);
  writer.applyRetention();
  const raw = rowsByTier(file)['0']?.rows ?? 0;
  // Whole minutes move, so up to a minute more than the cap stays raw.
  assert.ok(raw >= 100 && raw < 160, `${raw} raw samples left`);
  assertSameSummary(wholeHistory(file, runId), before);
  writer.close();
});

test('old runs go with all their rows; a run the writer has open stays, and so does a recent one', () => {
  const file = fresh();
  const now = T0 + 10 * DAY;
  const writer = openHistoryWriter(file, {
    flushIntervalMs: 60_000,
    retention: { runs: { maxAgeMs: 2 * DAY } },
    now: () => now,
  });
  const ended = writer.startRun({ mode: 'run', argv: ['ended long ago'], startedAt: T0 });
  for (const m of message.oneOfEach(PID, T0)) writer.record(ended, m);
  writer.endRun(ended, { endedAt: T0 + HOUR, exitCode: 0 });
  const killed = writer.startRun({
    mode: 'run',
    argv: ['writer killed, last sample 5 days ago'],
    startedAt: T0,
  });
  writer.record(killed, message.sample(PID, now - 5 * DAY));
  const killedRecently = writer.startRun({ mode: 'watch', argv: ['last sample 1 day ago'], startedAt: T0 });
  writer.record(killedRecently, message.sample(PID, now - DAY));
  // Ended for the writer, then made to look like the file of a killed writer: no end recorded.
  writer.endRun(killed, {});
  writer.endRun(killedRecently, {});
  const db = new DatabaseSync(file);
  db.prepare('UPDATE runs SET ended_at = NULL WHERE id IN (?, ?)').run(killed, killedRecently);
  db.close();
  const open = writer.startRun({ mode: 'attach', argv: ['still being written'], startedAt: T0 });
  writer.flush();

  const result = writer.applyRetention();
  assert.equal(result?.runsDeleted, 2);
  const reader = openHistoryReader(file);
  assert.deepEqual(
    reader
      .runs()
      .map((r) => r.id)
      .sort(),
    [killedRecently, open].sort(),
  );
  for (const rows of [
    reader.verdicts(ended),
    reader.alerts(ended),
    reader.snapshots(ended),
    reader.faults(ended),
    reader.gcEvents(ended),
    reader.samples(ended).points,
  ]) {
    assert.deepEqual(rows, []);
  }
  reader.close();
  writer.close();
});

test('beyond maxRuns the oldest runs go first', () => {
  const file = fresh();
  const writer = openHistoryWriter(file, {
    flushIntervalMs: 60_000,
    retention: { runs: { maxRuns: 2 } },
    now: () => T0 + HOUR,
  });
  const ids = [3, 1, 2].map((minute) => {
    const id = writer.startRun({ mode: 'run', argv: [String(minute)], startedAt: T0 + minute * MINUTE });
    writer.endRun(id, { endedAt: T0 + minute * MINUTE + 1 });
    return id;
  });
  // The oldest of all, without an end and active a minute ago: another writer may still be at it.
  const other = writer.startRun({ mode: 'run', argv: ['other writer'], startedAt: T0 });
  writer.record(other, message.sample(PID, T0 + 59 * MINUTE));
  writer.endRun(other);
  const db = new DatabaseSync(file);
  db.prepare('UPDATE runs SET ended_at = NULL WHERE id = ?').run(other);
  db.close();
  writer.applyRetention();
  const reader = openHistoryReader(file);
  assert.deepEqual(
    reader.runs().map((r) => r.argv[0]),
    ['3', '2', 'other writer'],
  );
  assert.equal(reader.run(ids[1]!), undefined);
  reader.close();
  writer.close();
});

test('GC events are kept by age and by count per process', () => {
  const file = fresh();
  const writer = openHistoryWriter(file, {
    flushIntervalMs: 60_000,
    retention: { gcEvents: { maxAgeMs: HOUR, maxRowsPerProcess: 5 } },
    now: () => T0 + 2 * HOUR,
  });
  const runId = writer.startRun({ mode: 'run', argv: ['node'], startedAt: T0 });
  for (let i = 0; i < 20; i++) writer.record(runId, message.gc(PID, T0 + i * 10 * MINUTE, i));
  writer.record(runId, message.gc(PID + 1, T0, 99));
  writer.flush();
  writer.applyRetention();
  const reader = openHistoryReader(file);
  assert.deepEqual(
    reader.gcEvents(runId).map((e) => e.durationMs),
    [15, 16, 17, 18, 19],
  );
  reader.close();
  writer.close();
});
