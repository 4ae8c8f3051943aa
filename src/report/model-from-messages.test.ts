import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MemoryAlert } from '../agent/alerts/alert.ts';
import type { AgentMessage } from '../agent/ipc-protocol.ts';
import type { LeakVerdict, MemoryTrend, TrendStatus } from '../agent/verdict.ts';
import type { AnalysisResult } from '../heap/types.ts';
import { withAnalysis } from './model-from-analysis.ts';
import { reportModelFromMessages, verdictPoint } from './model-from-messages.ts';
import { sessionSuspect } from './sample-model.fixture.ts';

const T = 1_700_000_000_000;
const envelope = { source: 'memwatcher', v: 1, pid: 77 } as const;

function trend(status: TrendStatus, growthBytesPerMinute?: number, confidence?: number): MemoryTrend {
  return { status, growthBytesPerMinute, confidence, points: 9, spanMs: 60_000, latestBytes: 1e6 };
}

function verdict(time: number, status: TrendStatus, parts: Partial<LeakVerdict> = {}): LeakVerdict {
  return {
    time,
    status,
    leaking: status === 'leak',
    culprit: undefined,
    heap: trend('stable', 1000, 0.4),
    external: trend('stable', 10, 0.2),
    rss: trend('stable', 100, 0.3),
    native: trend('stable', 5, 0.1),
    heapLimit: 4e9,
    timeToHeapLimitMs: undefined,
    summary: status,
    ...parts,
  };
}

function sample(time: number, rss: number, heapFloor: number | null): AgentMessage {
  return {
    ...envelope,
    type: 'sample',
    time,
    rss,
    heapTotal: 50e6,
    heapUsed: 40e6,
    external: 2e6,
    arrayBuffers: 1e6,
    heapLimit: 4e9,
    heapFloor,
    gcPauseMs: 3,
    gcCount: 2,
    gcShare: 0.01,
    nativeContexts: 1,
    detachedContexts: 0,
    heapSpaces: [],
  };
}

function alert(time: number, withCensus: boolean): AgentMessage {
  const body: MemoryAlert = {
    rule: 'heapUsedAbove',
    severity: 'warning',
    time,
    message: 'JS heap in use 40 MB is above 30 MB',
    value: 40e6,
    threshold: 30e6,
    memory: {
      rss: 1,
      heapTotal: 1,
      heapUsed: 1,
      external: 1,
      arrayBuffers: 1,
      heapLimit: 1,
      heapFloor: undefined,
    },
    verdict: undefined,
    pid: 77,
    hostname: 'h',
    ...(withCensus
      ? { topGrowingClasses: [{ name: 'Session', count: 900, countDelta: 400, bytesDelta: 64_000 }] }
      : {}),
  };
  return { ...envelope, type: 'alert', time, alert: body };
}

describe('reportModelFromMessages', () => {
  const leak = verdict(T + 3000, 'leak', {
    culprit: 'js-heap',
    heap: trend('leak', 9e6, 0.999),
    timeToHeapLimitMs: 600_000,
  });
  const messages: AgentMessage[] = [
    {
      ...envelope,
      type: 'hello',
      time: T,
      argv: ['node', 'app.js'],
      nodeVersion: 'v24.21.0',
      intervalMs: 1000,
      heapLimit: 4e9,
    },
    sample(T + 2000, 200e6, 30e6),
    sample(T + 1000, 100e6, null),
    {
      ...envelope,
      type: 'gc',
      time: T + 1500,
      kind: 'major',
      durationMs: 12.5,
      heapFloor: 30e6,
      externalFloor: 2e6,
    },
    { ...envelope, type: 'verdict', time: T + 500, verdict: verdict(T + 500, 'warming-up') },
    alert(T + 2500, true),
    alert(T + 2600, false),
    { ...envelope, type: 'verdict', time: T + 3000, verdict: leak },
    {
      ...envelope,
      type: 'leak',
      time: T + 3000,
      culprit: 'js-heap',
      growthBytesPerMinute: 9e6,
      confidence: 0.999,
      timeToHeapLimitMs: 600_000,
      summary: 'leak',
      verdict: leak,
    },
    {
      ...envelope,
      type: 'snapshot',
      time: T + 3500,
      reason: 'leak',
      file: '/tmp/1.heapsnapshot',
      bytes: 5e6,
      durationMs: 300,
    },
    { ...envelope, type: 'error', time: T + 3600, code: 'ERR_X', message: 'agent trouble' },
  ];

  it('takes run info from hello and the end from the caller', () => {
    const model = reportModelFromMessages(messages, { exitCode: 3, endedAt: T + 4000 });
    assert.deepEqual(model.run, {
      command: ['node', 'app.js'],
      pid: 77,
      watchedBy: 'agent',
      nodeVersion: 'v24.21.0',
      startedAt: T,
      endedAt: T + 4000,
      exitCode: 3,
      signal: null,
      heapLimit: 4e9,
      intervalMs: 1000,
    });
  });

  it('keeps samples in time order with all their figures', () => {
    const model = reportModelFromMessages(messages);
    assert.deepEqual(
      model.samples.map((s) => [s.time, s.rss, s.heapFloor, s.gcCount]),
      [
        [T + 1000, 100e6, null, 2],
        [T + 2000, 200e6, 30e6, 2],
      ],
    );
  });

  it('turns gc, verdict, alert and snapshot messages into their model parts; leak is not a second verdict', () => {
    const model = reportModelFromMessages(messages);
    assert.deepEqual(model.gcPauses, [{ time: T + 1500, kind: 'major', durationMs: 12.5 }]);
    assert.deepEqual(
      model.verdicts.map((v) => v.status),
      ['warming-up', 'leak'],
    );
    assert.equal(model.alerts.length, 2);
    assert.equal(model.alerts[0]?.message, 'JS heap in use 40 MB is above 30 MB');
    assert.deepEqual(model.snapshots, [
      { time: T + 3500, file: '/tmp/1.heapsnapshot', reason: 'leak', bytes: 5e6 },
    ]);
    // The census of the latest alert that carried one.
    assert.deepEqual(model.classes, [
      {
        name: 'Session',
        type: null,
        count: 900,
        selfSize: null,
        retainedSize: null,
        countDelta: 400,
        selfSizeDelta: 64_000,
      },
    ]);
  });

  it('reduces a verdict to the figure it is about', () => {
    assert.deepEqual(verdictPoint(leak), {
      time: T + 3000,
      status: 'leak',
      leaking: true,
      culprit: 'js-heap',
      figure: 'heapFloor',
      growthBytesPerMinute: 9e6,
      confidence: 0.999,
      timeToHeapLimitMs: 600_000,
    });
    // No culprit: the figure whose status is the verdict's (RSS growing here).
    const growing = verdictPoint(verdict(T, 'growing', { rss: trend('growing', 5e6, 0.98) }));
    assert.equal(growing.growthBytesPerMinute, 5e6);
    assert.equal(growing.figure, 'rss');
    assert.equal(growing.culprit, null);
    const external = verdictPoint(
      verdict(T, 'leak', { culprit: 'external', external: trend('leak', 2e6, 0.99) }),
    );
    assert.equal(external.growthBytesPerMinute, 2e6);
    assert.equal(external.figure, 'external');
  });

  it('copes with no messages at all', () => {
    const model = reportModelFromMessages([], { command: ['python3', 'x.py'], endedAt: null });
    assert.deepEqual(model.run.command, ['python3', 'x.py']);
    assert.equal(model.samples.length, 0);
    assert.equal(model.run.endedAt, null);
  });
});

describe('withAnalysis', () => {
  it('joins the class summary with the first → last diff and takes the suspects', () => {
    const analysis: AnalysisResult = {
      snapshots: [
        { file: '1', nodeCount: 1, edgeCount: 1, totalSize: 1 },
        { file: '2', nodeCount: 1, edgeCount: 1, totalSize: 1 },
      ],
      summary: [
        { name: 'Session', type: 'object', count: 10, selfSize: 800, retainedSize: 2000 },
        { name: 'Session', type: 'closure', count: 1, selfSize: 64, retainedSize: 64 },
        { name: 'Map', type: 'object', count: 1, selfSize: 80, retainedSize: 2100 },
      ],
      largest: [],
      diff: [
        {
          name: 'Session',
          type: 'object',
          addedCount: 8,
          removedCount: 0,
          addedSize: 640,
          removedSize: 0,
          countDelta: 8,
          sizeDelta: 640,
        },
      ],
      suspects: [sessionSuspect()],
    };
    const model = withAnalysis(reportModelFromMessages([]), analysis);
    assert.deepEqual(
      model.classes.map((c) => [c.name, c.type, c.countDelta, c.selfSizeDelta]),
      [
        ['Session', 'object', 8, 640],
        // Same name, other type: not the diff's entry.
        ['Session', 'closure', null, null],
        ['Map', 'object', null, null],
      ],
    );
    assert.equal(model.suspects[0]?.name, 'Session');
    // One snapshot: no diff, so no deltas at all.
    const { diff: _diff, ...withoutDiff } = analysis;
    const single = withAnalysis(reportModelFromMessages([]), {
      ...withoutDiff,
      snapshots: analysis.snapshots.slice(0, 1),
    });
    assert.equal(single.classes[0]?.countDelta, null);
  });
});
