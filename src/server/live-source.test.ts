import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnalysisEvent, StartEvent } from '../collector/events.ts';
import { sampleAt } from '../collector/sinks.fixture.ts';
import type { AnalysisResult } from '../heap/types.ts';
import { SECRET_KEY, SECRET_VALUE, sessionSuspect, tokenSuspect } from '../report/sample-model.fixture.ts';
import { oneOfEach, sample } from '../store/history.fixture.ts';
import type { DashboardEvent } from './api-types.ts';
import { LiveSource } from './live-source.ts';

const PID = 4242;
const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);

function analysisEvent(files: string[], result: AnalysisResult): AnalysisEvent {
  return {
    type: 'analysis',
    source: 'collector',
    time: T0 + 10_000,
    pid: PID,
    files,
    durationMs: 1200,
    suspectCount: result.suspects.length,
    result,
  };
}

function leakResult(): AnalysisResult {
  return {
    snapshots: [1, 2, 3].map((i) => ({ file: `/tmp/s${i}`, nodeCount: 10, edgeCount: 20, totalSize: 1000 })),
    summary: [
      { name: 'Session', type: 'object', count: 4500, selfSize: 180_000, retainedSize: 2_191_200 },
      { name: `{${SECRET_KEY}, id}`, type: 'object', count: 3, selfSize: 96, retainedSize: 96 },
    ],
    largest: [],
    diff: [
      {
        name: 'Session',
        type: 'object',
        addedCount: 4000,
        removedCount: 0,
        addedSize: 160_000,
        removedSize: 0,
        countDelta: 4000,
        sizeDelta: 160_000,
      },
    ],
    suspects: [sessionSuspect(), tokenSuspect()],
  };
}

describe('LiveSource', () => {
  it('turns agent messages into the page state, and streams them', () => {
    const live = new LiveSource({ mode: 'live', runMode: 'run', command: ['node', 'server.js'] });
    const events: DashboardEvent[] = [];
    live.subscribe((event) => events.push(event));
    for (const message of oneOfEach(PID, T0)) live.accept(message);
    live.accept(sample(PID, T0 + 2000, 60e6));

    const [run] = live.runs();
    assert.equal(run?.live, true);
    assert.equal(run?.processes[0]?.pid, PID);
    assert.equal(run?.processes[0]?.method, 'agent');
    assert.equal(run?.processes[0]?.nodeVersion, 'v24.21.0');
    assert.equal(run?.processes[0]?.canSnapshot, false, 'nobody said snapshots can be taken');

    const series = live.samples(1, PID, { maxPoints: 100 })!;
    assert.deepEqual(series.time, [T0 + 1000, T0 + 2000]);
    assert.equal(series.heapUsed[1], 60e6);

    const state = live.state(1, undefined)!;
    assert.equal(state.pid, PID, 'the process with samples is chosen when none is named');
    assert.equal(state.verdict?.status, 'leak');
    assert.equal(state.verdicts.length, 1, 'verdict then leak with the same verdict count once');
    assert.equal(state.alerts.length, 1);
    assert.deepEqual(
      state.gcEvents.map((gc) => gc.durationMs),
      [12.5],
    );
    assert.equal(state.gcKinds[0]?.kind, 'major');
    assert.equal(state.gcKinds[0]?.buckets.find((bucket) => bucket.fromMs === 10)?.count, 1);
    assert.equal(state.snapshots[0]?.reason, 'leak');
    assert.equal(state.errors[0]?.code, 'ERR_CENSUS');

    const types = new Set(events.map((event) => event.type));
    for (const type of ['runs', 'sample', 'gc', 'verdict', 'alert', 'snapshot', 'error'] as const)
      assert.ok(types.has(type), `streams ${type}`);
    assert.equal(live.samples(2, PID, { maxPoints: 10 }), undefined, 'only run 1 exists');
    assert.equal(live.state(1, 1), undefined, 'unknown pid');
  });

  it('ends the run with the collector exit event', () => {
    const live = new LiveSource({ mode: 'live', runMode: 'run', command: ['node'] });
    live.accept(sample(PID, T0));
    live.accept({
      type: 'exit',
      source: 'collector',
      time: T0 + 5,
      pid: PID,
      exitCode: 3,
      signal: null,
      reason: 'exited',
    });
    const [run] = live.runs();
    assert.equal(run?.live, false);
    assert.equal(run?.exitCode, 3);
    assert.equal(run?.processes[0]?.exit?.exitCode, 3);
  });

  it('says why heap snapshots are unavailable: watched from outside, not said hello yet, exited', () => {
    const start = (mode: string, method: StartEvent['method']): StartEvent => ({
      type: 'start',
      source: 'collector',
      time: T0,
      pid: PID,
      mode,
      command: ['prog'],
      method,
      intervalMs: 1000,
      windowMs: 600_000,
      warmupMs: 60_000,
    });
    const unavailable = (live: LiveSource) => {
      const process0 = live.runs()[0]?.processes[0];
      assert.equal(process0?.canSnapshot, process0?.snapshotsUnavailable === null);
      return process0?.snapshotsUnavailable ?? null;
    };

    const watched = new LiveSource({ mode: 'live', runMode: 'watch', command: [], canSnapshot: () => false });
    watched.accept(start('watch', 'proc'));
    watched.accept(sampleAt(PID, 0, 50e6));
    assert.match(
      unavailable(watched)!,
      /^Heap snapshots are unavailable for pid 4242: 'memwatcher watch' .*\/proc/,
    );
    assert.match(unavailable(watched)!, /memwatcher attach 4242 --serve/);
    assert.equal(
      watched.snapshotsUnavailable(PID),
      unavailable(watched),
      'the API refuses in the same words',
    );
    assert.match(watched.snapshotsUnavailable(1)!, /pid 1: this dashboard does not watch it/);

    const python = new LiveSource({ mode: 'live', runMode: 'run', command: [], canSnapshot: () => false });
    python.accept(start('run', 'proc'));
    assert.match(unavailable(python)!, /through \/proc.*not a Node program/);

    // `npm start`: a Node program whose agent never says hello over IPC is sampled from outside after all.
    const npm = new LiveSource({ mode: 'live', runMode: 'run', command: [], canSnapshot: () => false });
    npm.accept(start('run', 'agent'));
    assert.match(unavailable(npm)!, /until its agent says hello/);
    npm.accept(sampleAt(PID, 3000, 80e6));
    assert.equal(npm.runs()[0]?.processes[0]?.method, 'proc', 'the page shows no JS heap figures');
    assert.match(unavailable(npm)!, /through \/proc/);

    let capture = true;
    const node = new LiveSource({ mode: 'live', runMode: 'run', command: [], canSnapshot: () => capture });
    for (const message of oneOfEach(PID, T0)) node.accept(message);
    assert.equal(unavailable(node), null, 'the agent said hello and can take them');
    capture = false;
    assert.match(unavailable(node)!, /pid 4242 now\.$/);
    capture = true;
    node.accept({
      type: 'exit',
      source: 'collector',
      time: T0 + 9,
      pid: PID,
      exitCode: 0,
      signal: null,
      reason: 'exited',
    });
    assert.match(unavailable(node)!, /pid 4242: it has exited\.$/);
  });

  it('keeps analyses by id, names redacted unless asked for', () => {
    const live = new LiveSource({ mode: 'live', runMode: 'run', command: ['node'] });
    live.accept(analysisEvent(['/tmp/a', '/tmp/b', '/tmp/c'], leakResult()));
    const id = live.analysisIdFor(['/tmp/a', '/tmp/b', '/tmp/c']);
    assert.equal(id, 1);
    assert.equal(live.analysisIdFor(['/tmp/a']), undefined);

    const safe = live.analysis(id!, false)!;
    assert.equal(safe.redacted, true);
    assert.equal(safe.snapshotCount, 3);
    assert.equal(safe.suspects.length, 2);
    const text = JSON.stringify(safe);
    assert.equal(text.includes(SECRET_KEY), false, 'data-like keys are hidden');
    assert.equal(text.includes(SECRET_VALUE), false, 'string values are hidden');
    assert.ok(text.includes('‹key, 17 chars›'), 'shown by their length');
    assert.equal(safe.census.find((entry) => entry.name === 'Session')?.countDelta, 4000);

    const open = live.analysis(id!, true)!;
    assert.equal(open.redacted, false);
    assert.ok(JSON.stringify(open).includes(SECRET_KEY));
    assert.equal(live.analysis(99, false), undefined);
  });

  it('keeps at most the latest 20 analyses', () => {
    const live = new LiveSource({ mode: 'live', runMode: 'run', command: ['node'] });
    for (let i = 0; i < 25; i++) live.accept(analysisEvent([`/tmp/${i}`], leakResult()));
    assert.equal(live.analysis(1, false), undefined);
    assert.ok(live.analysis(25, false) !== undefined);
    assert.equal(live.state(1, PID)?.analyses.length, 20);
  });

  it('never throws on a malformed event, nor when a listener throws', () => {
    const live = new LiveSource({ mode: 'live', runMode: 'run', command: ['node'] });
    live.subscribe(() => {
      throw new Error('a broken stream');
    });
    const received: DashboardEvent[] = [];
    live.subscribe((event) => received.push(event));
    assert.doesNotThrow(() => live.accept({ type: 'verdict', pid: PID, time: T0 } as never));
    assert.doesNotThrow(() => live.accept(sample(PID, T0)));
    assert.ok(
      received.some((event) => event.type === 'sample'),
      'the other listener still got the sample',
    );
  });
});
