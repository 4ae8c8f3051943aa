import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InvalidOptionError } from '../errors.ts';
import * as message from '../store/history.fixture.ts';
import { openHistoryReader } from '../store/history-reader.ts';
import { openHistoryWriter } from '../store/history-writer.ts';
import { buildReport } from './build-report.ts';
import { memoryPoints, reportModelFromStore } from './model-from-store.ts';

const MB = 1024 * 1024;
const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const PID = 4242;
const OTHER_PID = 4343;
const SAMPLES = 3000;
const root = mkdtempSync(join(tmpdir(), 'memwatcher-model-from-store-'));
const file = join(root, 'history.db');
let agentRun = 0;
let procRun = 0;
let attachRun = 0;
after(() => rmSync(root, { recursive: true, force: true }));

/** A sawtooth heap: climbs 40 → 59 MB over 20 samples, then a GC drops it back. */
const sawtooth = (i: number) => (40 + (i % 20)) * MB;

before(() => {
  // A long flush interval: everything is written by close(), and retention never runs.
  const writer = openHistoryWriter(file, { flushIntervalMs: 60_000 });
  agentRun = writer.startRun({ mode: 'run', argv: ['node', 'server.js'], startedAt: T0 });
  writer.record(agentRun, message.hello(PID, T0));
  for (let i = 0; i < SAMPLES; i++)
    writer.record(agentRun, message.sample(PID, T0 + 1000 + i * 1000, sawtooth(i)));
  for (let i = 0; i < 30; i++) writer.record(agentRun, message.gc(PID, T0 + 1500 + i * 100_000, 10 + i));
  writer.record(agentRun, message.verdict(PID, T0 + 600_000));
  writer.record(agentRun, message.leak(PID, T0 + 600_000));
  writer.record(agentRun, message.alert(PID, T0 + 601_000));
  writer.record(agentRun, message.snapshot(PID, T0 + 700_000));
  writer.recordAnalysis(agentRun, PID, {
    time: T0 + 800_000,
    result: message.analysisResult(['a.heapsnapshot', 'b.heapsnapshot', 'c.heapsnapshot']),
  });
  writer.endRun(agentRun, { endedAt: T0 + 1000 + SAMPLES * 1000, exitCode: 0 });

  // A program watched from outside: RSS only, and a second process that is not the default.
  procRun = writer.startRun({ mode: 'watch', argv: ['python3', 'worker.py'], startedAt: T0 });
  for (let i = 0; i < 50; i++) {
    writer.recordSample(procRun, PID, { time: T0 + i * 1000, rss: (100 + i) * MB, threads: 4 });
    writer.recordSample(procRun, OTHER_PID, { time: T0 + i * 1000 + 1, rss: 7 * MB });
  }
  writer.endRun(procRun, { endedAt: T0 + 60_000, exitCode: 1 });

  // `attach`: no agent said hello, but its GC observer counted collections with each sample.
  attachRun = writer.startRun({ mode: 'attach', argv: ['node', 'api.js'], startedAt: T0 - 1 });
  for (let i = 0; i < 20; i++) {
    writer.recordSample(attachRun, PID, {
      time: T0 + i * 1000,
      rss: 90 * MB,
      heapUsed: 30 * MB,
      gcCount: 3,
      gcPauseMs: 2,
    });
  }
  writer.endRun(attachRun, { endedAt: T0 + 20_000 });
  writer.close();
});

describe('reportModelFromStore', () => {
  it('keeps the sawtooth: each bucket gives its lows and its highs', () => {
    const history = openHistoryReader(file);
    try {
      const model = reportModelFromStore(history, { runId: agentRun, maxBuckets: 100 });
      assert.ok(model.samples.length > 100 && model.samples.length <= 200, `${model.samples.length} points`);
      const heap = model.samples.map((point) => point.heapUsed ?? Number.NaN);
      // Averages would sit near 49.5 MB everywhere; the lows and highs reach the real troughs and peaks.
      assert.equal(Math.min(...heap), 40 * MB);
      assert.equal(Math.max(...heap), 59 * MB);
      const lows = heap.filter((_, index) => index % 2 === 0);
      const highs = heap.filter((_, index) => index % 2 === 1);
      // Buckets of 30 s hold 30 samples: a whole tooth, so each has the trough and the peak.
      assert.ok(
        lows.every((value) => value === 40 * MB),
        'every bucket holds a trough',
      );
      assert.ok(
        highs.every((value) => value === 59 * MB),
        'and a peak',
      );
      for (let i = 1; i < model.samples.length; i++) {
        assert.ok(model.samples[i]!.time > model.samples[i - 1]!.time, 'points in time order');
      }
    } finally {
      history.close();
    }
  });

  it('keeps GC totals: each bucket counts its collections once', () => {
    const history = openHistoryReader(file);
    try {
      const report = buildReport(reportModelFromStore(history, { runId: agentRun, maxBuckets: 37 }));
      // message.sample carries 2 collections and 1.5 ms of pause per sample.
      assert.equal(report.gc.collections, SAMPLES * 2);
      assert.ok(Math.abs((report.gc.pauseMs ?? 0) - SAMPLES * 1.5) < 1e-6);
      assert.equal(report.gc.pauses.length, 30);
      assert.equal(report.gc.byKind[0]?.kind, 'major');
    } finally {
      history.close();
    }
  });

  it('carries the run, verdicts, alerts, snapshots and the latest analysis', () => {
    const history = openHistoryReader(file);
    try {
      const model = reportModelFromStore(history, { runId: agentRun });
      assert.deepEqual(model.run.command, ['/usr/bin/node', '/srv/app/server.js']);
      assert.equal(model.run.pid, PID);
      assert.equal(model.run.watchedBy, 'agent');
      assert.equal(model.run.nodeVersion, 'v24.21.0');
      assert.equal(model.run.exitCode, 0);
      assert.equal(model.run.heapLimit, 4096 * MB);
      assert.equal(model.verdicts.at(-1)?.status, 'leak');
      assert.equal(model.verdicts.at(-1)?.time, T0 + 600_000);
      assert.equal(model.alerts.length, 1);
      assert.deepEqual(
        model.snapshots.map((snapshot) => snapshot.reason),
        ['leak'],
      );
      assert.equal(model.analyzedSnapshots, 3);
      assert.equal(model.suspects[0]?.name, 'Session');
      assert.equal(model.classes[0]?.name, 'Session', 'classes from the analysis, not the census');
    } finally {
      history.close();
    }
  });

  it('reads the latest run by default; a process watched from outside has no GC figures', () => {
    const history = openHistoryReader(file);
    try {
      const model = reportModelFromStore(history);
      assert.equal(model.run.command[0], 'python3');
      assert.equal(model.run.watchedBy, 'proc');
      assert.equal(model.run.pid, PID);
      assert.equal(model.samples.at(-1)?.rss, 149 * MB);
      assert.equal(model.samples[0]?.heapUsed, null);
      assert.equal(buildReport(model).gc.collections, null, 'not measured is not zero');
      const other = reportModelFromStore(history, { pid: OTHER_PID });
      assert.equal(other.run.pid, OTHER_PID);
      assert.ok(other.samples.every((point) => point.rss === 7 * MB));
    } finally {
      history.close();
    }
  });

  it('counts the collections an attached process reported', () => {
    const history = openHistoryReader(file);
    try {
      const report = buildReport(reportModelFromStore(history, { runId: attachRun, maxBuckets: 7 }));
      assert.equal(report.run.watchedBy, 'proc');
      assert.equal(report.gc.collections, 60);
      assert.equal(report.gc.pauseMs, 40);
    } finally {
      history.close();
    }
  });

  it('names the runs and processes there are when asked for another', () => {
    const history = openHistoryReader(file);
    try {
      assert.throws(
        () => reportModelFromStore(history, { runId: 99 }),
        (error: unknown) =>
          error instanceof InvalidOptionError && /no run 99 \(runs: 1, 2, 3\)/.test(error.message),
      );
      assert.throws(
        () => reportModelFromStore(history, { runId: procRun, pid: 1 }),
        (error: unknown) =>
          error instanceof InvalidOptionError && /processes: 4242, 4343/.test(error.message),
      );
    } finally {
      history.close();
    }
  });
});

describe('memoryPoints', () => {
  const range = (value: number) => ({ min: value, max: value, avg: value });
  const bucket = {
    time: 1000,
    lastTime: 1000,
    samples: 1,
    rss: range(100),
    heapTotal: null,
    heapUsed: range(50),
    external: null,
    arrayBuffers: null,
    heapFloor: null,
    swap: null,
    threads: null,
    detachedContexts: null,
    gcPauseMs: 3,
    gcCount: 2,
  };

  it('gives one point for a bucket of one sample', () => {
    assert.deepEqual(memoryPoints(bucket, true), [
      {
        time: 1000,
        rss: 100,
        heapUsed: 50,
        heapTotal: null,
        external: null,
        arrayBuffers: null,
        heapFloor: null,
        gcPauseMs: 3,
        gcCount: 2,
      },
    ]);
  });

  it('gives the lows first, the highs last, and the GC sums once', () => {
    const points = memoryPoints(
      { ...bucket, lastTime: 5000, samples: 5, rss: { min: 90, max: 130, avg: 100 } },
      true,
    );
    assert.deepEqual(
      points.map((point) => [point.time, point.rss, point.gcCount, point.gcPauseMs]),
      [
        [1000, 90, 2, 3],
        [5000, 130, 0, 0],
      ],
    );
    assert.deepEqual(
      memoryPoints(bucket, false).map((point) => point.gcCount),
      [null],
    );
  });
});
