import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentMessage, type SampleMessage, type VerdictMessage } from '../agent/ipc-protocol.ts';
import type { MemwatcherError } from '../errors.ts';
import { Collector, type LeakCall } from './collector.ts';
import type { CollectorEvent } from './events.ts';
import { FIXTURE_START, sampleAt } from './sinks.fixture.ts';

const MB = 1024 * 1024;
const START = FIXTURE_START;

/** A `/proc` reading of pid 7 (unless told), `t` ms after START. */
const procSample = (t: number, rss: number, pid = 7) => sampleAt(pid, t, rss);

function collect(options: ConstructorParameters<typeof Collector>[0] = {}) {
  const faults: MemwatcherError[] = [];
  const collector = new Collector({
    intervalMs: 250,
    leak: { windowMs: 10_000, warmupMs: 1000, minPoints: 5, confidence: 0.95, minGrowthBytesPerMinute: MB },
    now: () => START,
    onFault: (error) => faults.push(error),
    ...options,
  });
  const events: CollectorEvent[] = [];
  collector.subscribe((event) => events.push(event));
  const leaks: LeakCall[] = [];
  collector.onLeak((leak) => leaks.push(leak));
  return { collector, events, leaks, faults };
}

describe('Collector', () => {
  it('publishes outside samples, verdicts on status changes, and one leak per process', () => {
    const { collector, events, leaks } = collect();
    for (let t = 0; t <= 20_000; t += 250) collector.acceptSample(procSample(t, 50 * MB + t * 2048));
    const types = events.map((event) => event.type);
    assert.equal(types.filter((type) => type === 'sample').length, 81);
    assert.equal(types.filter((type) => type === 'leak').length, 1);
    assert.equal(leaks.length, 1);
    assert.equal(leaks[0]!.pid, 7);
    assert.equal(leaks[0]!.method, 'proc');
    const statuses = events.flatMap((event) => (event.type === 'verdict' ? [event.verdict.status] : []));
    assert.equal(statuses[0], 'warming-up');
    assert.equal(statuses.at(-1), 'leak');
    for (let i = 1; i < statuses.length; i++) assert.notEqual(statuses[i], statuses[i - 1], 'only changes');
    const leak = events.find((event) => event.type === 'leak');
    assert.ok(leak?.type === 'leak' && leak.source === 'collector' && leak.culprit === 'native');
    assert.ok(leak.growthBytesPerMinute! > 100 * MB);
    const watched = collector.process(7);
    assert.equal(watched?.leakCalled, true);
    assert.equal(watched?.method, 'proc');
    // The default rule: a leak verdict alerts, with the watched process' pid (not memwatcher's).
    const alert = events.find((event) => event.type === 'alert');
    assert.ok(alert?.type === 'alert' && alert.alert.rule === 'leak' && alert.alert.pid === 7);
  });

  it('evaluates threshold rules on outside samples, rate-limited per process', () => {
    const { collector, events } = collect({ alerts: { rules: { rssAbove: 100 * MB, leak: false } } });
    for (let t = 0; t < 2000; t += 250) {
      collector.acceptSample(procSample(t, 150 * MB, 7));
      collector.acceptSample(procSample(t, 150 * MB, 8));
      collector.acceptSample(procSample(t, 50 * MB, 9));
    }
    const alerts = events.flatMap((event) => (event.type === 'alert' ? [event.alert] : []));
    assert.deepEqual(
      alerts.map((alert) => [alert.rule, alert.pid]),
      [
        ['rssAbove', 7],
        ['rssAbove', 8],
      ],
    );
    assert.match(alerts[0]!.message, /^RSS .* is above/);
  });

  it("publishes an agent's messages as they came and alerts on its samples", () => {
    const { collector, events, leaks } = collect({ alerts: { rules: { heapUsedAbove: 10 * MB } } });
    const sample = agentMessage<SampleMessage>(
      {
        type: 'sample',
        rss: 90 * MB,
        heapTotal: 40 * MB,
        heapUsed: 30 * MB,
        external: MB,
        arrayBuffers: 0,
        heapLimit: 4096 * MB,
        heapFloor: 20 * MB,
        gcPauseMs: 1,
        gcCount: 2,
        gcShare: 0,
        nativeContexts: 1,
        detachedContexts: 0,
        heapSpaces: [],
      },
      START,
    );
    collector.acceptAgentMessage(sample);
    assert.equal(events[0], sample, 'the very message, not a copy');
    const alert = events.find((event) => event.type === 'alert');
    assert.ok(
      alert?.type === 'alert' && alert.alert.rule === 'heapUsedAbove' && alert.source === 'collector',
    );
    assert.equal(collector.process(sample.pid)?.heapFloor, 20 * MB);
    assert.equal(leaks.length, 0);
  });

  it('keeps delivering to the other sinks when one throws, and reports it once', () => {
    const { collector, events, faults } = collect();
    collector.subscribe(() => {
      throw new Error('disk on fire');
    });
    collector.acceptSample(procSample(0, MB));
    collector.acceptSample(procSample(250, MB));
    assert.equal(events.filter((event) => event.type === 'sample').length, 2);
    assert.equal(faults.length, 1);
    assert.equal(faults[0]!.code, 'ERR_SINK');
    assert.match(faults[0]!.message, /disk on fire/);
    const error = events.find((event) => event.type === 'error');
    assert.ok(error?.type === 'error' && error.code === 'ERR_SINK');
  });

  it('remembers the verdict an agent sent, for the status line', () => {
    const { collector } = collect();
    const outside = new Collector({ intervalMs: 250 });
    const verdict = (() => {
      for (let t = 0; t < 500; t += 250) outside.acceptSample(procSample(t, MB));
      return outside.process(7)!.verdict!;
    })();
    collector.acceptAgentMessage(agentMessage<VerdictMessage>({ type: 'verdict', verdict }, START));
    assert.equal(collector.process()?.verdict, verdict);
    assert.equal(collector.process()?.method, 'agent');
  });

  it('throws on bad options, naming them', () => {
    assert.throws(() => new Collector({ intervalMs: 1000, leak: { windowMs: 2000 } }), {
      code: 'ERR_INVALID_OPTION',
      message: /leak\.windowMs/,
    });
  });
});
