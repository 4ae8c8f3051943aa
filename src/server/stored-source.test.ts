import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SECRET_KEY, tokenSuspect } from '../report/sample-model.fixture.ts';
import { analysisResult, gc, hello, leak, oneOfEach, sample } from '../store/history.fixture.ts';
import { openHistoryReader } from '../store/history-reader.ts';
import { openHistoryWriter } from '../store/history-writer.ts';
import type { DashboardEvent } from './api-types.ts';
import { StoredSource } from './stored-source.ts';

const PID = 5150;

describe('StoredSource', () => {
  let dir: string;
  let file: string;
  const now = Date.now();
  const T0 = now - 60 * 60_000;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'memwatcher-stored-'));
    file = join(dir, 'history.db');
    const writer = openHistoryWriter(file);
    const ended = writer.startRun({ mode: 'run', argv: ['node', 'old.js'], startedAt: T0 - 3_600_000 });
    writer.record(ended, hello(11, T0 - 3_600_000));
    writer.record(ended, sample(11, T0 - 3_599_000));
    writer.endRun(ended, { endedAt: T0 - 3_500_000, exitCode: 0 });
    const run = writer.startRun({ mode: 'run', argv: ['node', 'server.js'], startedAt: T0 });
    for (const message of oneOfEach(PID, T0)) writer.record(run, message);
    for (let t = 1; t < 3600; t++) writer.record(run, sample(PID, T0 + 1000 + t * 1000, 50e6 + t * 1000));
    writer.record(run, gc(PID, T0 + 5000, 150));
    writer.recordAnalysis(run, PID, {
      time: T0 + 9000,
      result: { ...analysisResult(['/tmp/1', '/tmp/2', '/tmp/3']), suspects: [tokenSuspect()] },
      durationMs: 800,
    });
    writer.close();
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('lists every run, the latest first; a run still written recently is live', () => {
    const source = new StoredSource(openHistoryReader(file), { now: () => now });
    try {
      const runs = source.runs();
      assert.deepEqual(
        runs.map((run) => [run.command.join(' '), run.live]),
        [
          ['node server.js', true],
          ['node old.js', false],
        ],
      );
      assert.equal(runs[0]?.processes[0]?.pid, PID);
      assert.equal(runs[0]?.processes[0]?.method, 'agent');
      assert.equal(runs[0]?.processes[0]?.canSnapshot, false, 'history cannot take snapshots');
      assert.equal(runs[1]?.exitCode, 0);
      assert.equal(source.title(), file);
    } finally {
      source.close();
    }
  });

  it('reads samples downsampled by the store, and the state of a process', () => {
    const source = new StoredSource(openHistoryReader(file), { now: () => now });
    try {
      const runId = source.runs()[0]!.id;
      const all = source.samples(runId, PID, { maxPoints: 10_000 })!;
      assert.equal(all.time.length, 3600);
      assert.equal(all.bucketMs, 0, 'raw samples');
      const few = source.samples(runId, PID, { maxPoints: 60 })!;
      assert.ok(few.time.length <= 60);
      assert.ok(few.bucketMs >= 59_000, `${few.bucketMs}`);
      assert.equal(
        Math.max(...(few.heapUsed as number[])),
        Math.max(...(all.heapUsed as number[])),
        'peaks kept',
      );
      assert.equal(source.samples(runId, 1, { maxPoints: 10 }), undefined);
      assert.equal(source.samples(999, PID, { maxPoints: 10 }), undefined);

      const state = source.state(runId, undefined)!;
      assert.equal(state.pid, PID);
      assert.equal(state.verdict?.status, 'leak');
      assert.equal(state.alerts.length, 1);
      assert.deepEqual(
        state.gcEvents.map((event) => event.durationMs),
        [12.5, 150],
      );
      assert.equal(state.gcKinds[0]?.count, 2);
      assert.equal(state.analyses.length, 1);
      assert.equal(state.errors[0]?.code, 'ERR_CENSUS');

      const analysis = source.analysis(state.analyses[0]!.id, false)!;
      assert.equal(analysis.suspects.length, 1);
      assert.equal(JSON.stringify(analysis).includes(SECRET_KEY), false);
      assert.ok(JSON.stringify(source.analysis(state.analyses[0]!.id, true)).includes(SECRET_KEY));
    } finally {
      source.close();
    }
  });

  it('streams what another process writes to a live run', async () => {
    const source = new StoredSource(openHistoryReader(file), { pollMs: 20, now: () => now });
    const events: DashboardEvent[] = [];
    const unsubscribe = source.subscribe((event) => events.push(event));
    try {
      await new Promise((resolve) => setTimeout(resolve, 60));
      const writer = openHistoryWriter(file);
      const runId = source.runs()[0]!.id;
      writer.record(runId, sample(PID, T0 + 4_000_000, 99e6));
      writer.record(runId, leak(PID, now + 1));
      writer.close();
      for (let i = 0; i < 100 && !events.some((event) => event.type === 'verdict'); i++)
        await new Promise((resolve) => setTimeout(resolve, 20));
      const samples = events.filter((event) => event.type === 'sample');
      assert.equal(samples.length, 1, JSON.stringify(events.map((event) => event.type)));
      assert.equal(samples[0]?.type === 'sample' && samples[0].sample.heapUsed, 99e6);
      assert.ok(events.some((event) => event.type === 'verdict'));
    } finally {
      unsubscribe();
      source.close();
    }
  });
});
