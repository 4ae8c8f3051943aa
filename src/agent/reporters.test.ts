import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MemwatcherError } from '../errors.ts';
import { type AgentMessage, isAgentMessage } from './ipc-protocol.ts';
import { reportOverIpc } from './ipc-reporter.ts';
import { reportToStderr } from './stderr-reporter.ts';
import type { LeakVerdict, MemoryTrend, TrendStatus } from './verdict.ts';
import { MemoryWatcher } from './watcher.ts';

const trend = (status: TrendStatus): MemoryTrend => ({
  status,
  growthBytesPerMinute: 0,
  confidence: 0.5,
  points: 10,
  spanMs: 60_000,
  latestBytes: 1,
});
const verdict = (time: number, status: TrendStatus): LeakVerdict => ({
  time,
  status,
  leaking: status === 'leak',
  culprit: status === 'leak' ? 'js-heap' : undefined,
  heap: trend(status),
  external: trend('stable'),
  rss: trend('stable'),
  native: trend('stable'),
  heapLimit: 100,
  timeToHeapLimitMs: undefined,
  summary: `${status} summary`,
});

/** Reports `watcher` over a channel that acknowledges every message at once; returns what was sent. */
function sendsOverIpc(watcher: MemoryWatcher): AgentMessage[] {
  const sent: AgentMessage[] = [];
  reportOverIpc(
    watcher,
    (message, done) => {
      sent.push(message);
      done(null);
    },
    () => true,
  );
  return sent;
}

describe('reportOverIpc', () => {
  it('sends typed messages and drops new ones while 64 are unacknowledged (a parent that stopped reading)', () => {
    const watcher = new MemoryWatcher();
    const sent: AgentMessage[] = [];
    const acks: (() => void)[] = [];
    const detach = reportOverIpc(
      watcher,
      (message, done) => {
        sent.push(message);
        acks.push(() => done(null));
      },
      () => true,
    );
    const sample = watcher.current();
    for (let i = 0; i < 100; i++) watcher.emit('sample', sample);
    assert.equal(sent.length, 64, 'hello + 63 samples, then nothing until acknowledged');
    assert.ok(sent.every(isAgentMessage));
    assert.equal(sent[0]!.type, 'hello');
    for (const ack of acks.splice(0)) ack();
    watcher.emit('sample', sample);
    assert.equal(sent.length, 65);
    detach();
    watcher.emit('sample', sample);
    assert.equal(sent.length, 65, 'detached');
  });

  it('sends nothing once the channel is gone, and survives a send that throws', () => {
    const watcher = new MemoryWatcher();
    let connected = true;
    let calls = 0;
    reportOverIpc(
      watcher,
      () => {
        calls++;
        throw new Error('channel closed');
      },
      () => connected,
    );
    watcher.emit('sample', watcher.current());
    connected = false;
    watcher.emit('sample', watcher.current());
    assert.equal(calls, 2, 'hello and one sample tried, none after disconnect');
  });

  it('sends the leak with its culprit and the major GCs only', () => {
    const watcher = new MemoryWatcher();
    const sent = sendsOverIpc(watcher);
    watcher.emit('gc', { time: 1, kind: 'minor', durationMs: 1 });
    watcher.emit('gc', { time: 2, kind: 'major', durationMs: 5, heapFloor: 10, externalFloor: 2 });
    watcher.emit('leak', verdict(3, 'leak'));
    const types = sent.map((m) => m.type);
    assert.deepEqual(types, ['hello', 'gc', 'leak']);
    const leak = sent[2]!;
    assert.ok(leak.type === 'leak' && leak.culprit === 'js-heap' && leak.summary === 'leak summary');
  });

  it('puts GC pause and count since the previous sample on each sample message', () => {
    const watcher = new MemoryWatcher();
    const sent = sendsOverIpc(watcher);
    watcher.emit('sample', { ...watcher.current(), gcCount: 3, gcPauseMs: 4.5 });
    const sample = sent[1]!;
    assert.ok(sample.type === 'sample');
    assert.equal(sample.gcCount, 3);
    assert.equal(sample.gcPauseMs, 4.5);
  });
});

describe('reportToStderr', () => {
  it('prefixes every line, logs verdict changes at most once a minute, leaks and faults always', () => {
    const watcher = new MemoryWatcher();
    const lines: string[] = [];
    reportToStderr(watcher, 'verdicts', (line) => lines.push(line));
    watcher.emit('verdict', verdict(0, 'stable'));
    watcher.emit('verdict', verdict(1000, 'growing')); // within a minute: not logged
    watcher.emit('verdict', verdict(61_000, 'growing'));
    watcher.emit('verdict', verdict(200_000, 'growing')); // same status: not logged
    watcher.emit('leak', verdict(300_000, 'leak'));
    watcher.emit('error', { code: 'ERR_ALERT_DELIVERY', message: 'webhook down' } as MemwatcherError);
    assert.deepEqual(
      lines.map((l) => l.replace(/^\[memwatcher\] pid \d+: /, '')),
      [
        'verdict stable summary\n',
        'verdict growing summary\n',
        'LEAK leak summary\n',
        'ERR_ALERT_DELIVERY: webhook down\n',
      ],
    );
    assert.ok(lines.every((l) => l.startsWith(`[memwatcher] pid ${process.pid}: `)));
  });

  it('logs no verdict changes at level leaks, and nothing at level off', () => {
    const watcher = new MemoryWatcher();
    const lines: string[] = [];
    reportToStderr(watcher, 'leaks', (line) => lines.push(line));
    watcher.emit('verdict', verdict(0, 'stable'));
    assert.deepEqual(lines, []);
    const silent = new MemoryWatcher();
    const none: string[] = [];
    reportToStderr(silent, 'off', (line) => none.push(line));
    silent.emit('leak', verdict(0, 'leak'));
    assert.equal(none.length, 0);
  });
});
