import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LeakVerdict } from '../agent/verdict.ts';
import type { WatchedProcess } from './collector.ts';
import { createStatusLine, describeStatus } from './status-line.ts';

const MB = 1024 * 1024;

function fakeStream(isTTY: boolean, columns = 120) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns, write: (text: string) => writes.push(text) > 0 } };
}

const trend = (status: LeakVerdict['status'], growth?: number) => ({
  status,
  growthBytesPerMinute: growth,
  confidence: growth === undefined ? undefined : 0.99,
  points: 9,
  spanMs: 60_000,
  latestBytes: 10 * MB,
});

function watched(overrides: Partial<WatchedProcess> = {}): WatchedProcess {
  return {
    pid: 4242,
    method: 'agent',
    time: 0,
    rss: 61.5 * MB,
    rssPeak: null,
    heapUsed: 18 * MB,
    heapFloor: 12 * MB,
    processes: 1,
    verdict: {
      time: 0,
      status: 'growing',
      leaking: false,
      culprit: undefined,
      heap: trend('growing', 1.5 * MB),
      external: trend('stable', 0),
      rss: trend('stable', 0),
      native: trend('stable', 0),
      heapLimit: 4096 * MB,
      timeToHeapLimitMs: undefined,
      summary: 'growing',
    },
    leakCalled: false,
    ...overrides,
  };
}

describe('describeStatus', () => {
  it('shows RSS, heap, floor, growth of the judged figure and the verdict', () => {
    assert.equal(
      describeStatus(watched()),
      'memwatcher: pid 4242  RSS 61.5 MB  heap 18.0 MB  floor 12.0 MB  +1.5 MB/min  growing',
    );
  });

  it('shows RSS growth for a process watched from outside, and the size of a tree', () => {
    const base = watched().verdict!;
    const text = describeStatus(
      watched({
        method: 'proc',
        heapUsed: null,
        heapFloor: null,
        processes: 3,
        verdict: { ...base, status: 'leak', leaking: true, culprit: 'native', native: trend('leak', 2 * MB) },
      }),
    );
    assert.equal(text, 'memwatcher: pid 4242  RSS 61.5 MB (3 processes)  +2.0 MB/min  LEAK');
  });
});

describe('createStatusLine', () => {
  it('draws nothing but `say` lines when stderr is not a terminal', () => {
    const { writes, stream } = fakeStream(false);
    const status = createStatusLine({ stream, quiet: false });
    status.update(watched());
    status.say('memwatcher: LEAK');
    status.stop();
    assert.deepEqual(writes, ['memwatcher: LEAK\n']);
  });

  it('redraws one line on a terminal, at most 4 times a second, cut to its width', () => {
    const { writes, stream } = fakeStream(true, 40);
    let now = 0;
    const status = createStatusLine({ stream, quiet: false, now: () => now });
    for (; now < 1000; now += 50) status.update(watched());
    assert.equal(writes.length, 4);
    for (const line of writes) {
      assert.ok(line.startsWith('\r') && line.endsWith('\u001b[K') && !line.includes('\n'));
      assert.equal(line.length, 1 + 39 + 3);
    }
  });

  it('prints a `say` line above the status line and draws the status line again', () => {
    const { writes, stream } = fakeStream(true);
    const status = createStatusLine({ stream, quiet: false, now: () => 0 });
    status.update(watched());
    writes.length = 0;
    status.say('memwatcher: alert');
    assert.equal(writes[0], '\r\u001b[K');
    assert.equal(writes[1], 'memwatcher: alert\n');
    assert.match(writes[2] ?? '', /^memwatcher: pid 4242/);
    status.stop();
    assert.equal(writes.at(-1), '\r\u001b[K');
  });

  it('draws nothing with --quiet on a terminal', () => {
    const { writes, stream } = fakeStream(true);
    const status = createStatusLine({ stream, quiet: true });
    status.update(watched());
    status.stop();
    assert.deepEqual(writes, []);
  });
});
