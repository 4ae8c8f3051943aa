import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LeakVerdict, VerdictSettings } from '../agent/verdict.ts';
import type { OutsideSampleEvent } from './events.ts';
import { OutsideVerdict } from './outside-verdict.ts';

const MB = 1024 * 1024;
const SETTINGS: VerdictSettings = {
  windowMs: 15_000,
  warmupMs: 3000,
  minPoints: 5,
  confidence: 0.95,
  minGrowthBytesPerMinute: 10 * MB,
};
const INTERVAL_MS = 250;
const START = 1_700_000_000_000;

function sample(time: number, rss: number, js?: { heapUsed: number }): OutsideSampleEvent {
  return {
    type: 'sample',
    source: js === undefined ? 'proc' : 'inspector',
    time,
    pid: 42,
    rss,
    rssPeak: null,
    pss: null,
    swap: null,
    threads: null,
    processes: 1,
    heapUsed: js?.heapUsed ?? null,
    heapTotal: js === undefined ? null : 200 * MB,
    external: js === undefined ? null : 5 * MB,
    arrayBuffers: null,
    heapLimit: js === undefined ? null : 4096 * MB,
    heapFloor: null,
  };
}

/** A 20 MB allocation sawtooth with a 0.7 s period (not a divisor of the sampling interval), plus `extra(t)`. */
function sawtooth(t: number): number {
  return ((t % 700) / 700) * 20 * MB;
}

/** Feeds 30 s of samples; returns every verdict and when (ms after start) the first leak was called. */
function judge(rssAt: (t: number) => number, js = false) {
  const verdict = new OutsideVerdict(SETTINGS, { intervalMs: INTERVAL_MS, startedAt: START });
  const verdicts: LeakVerdict[] = [];
  let leakAt: number | undefined;
  for (let t = 0; t <= 30_000; t += INTERVAL_MS) {
    const value = rssAt(t);
    verdict.add(js ? sample(START + t, 300 * MB, { heapUsed: value }) : sample(START + t, value));
    const judged = verdict.judge(START + t);
    verdicts.push(judged);
    if (judged.leaking && leakAt === undefined) leakAt = t;
  }
  return { verdicts, leakAt, last: verdicts.at(-1)! };
}

describe('OutsideVerdict', () => {
  it('calls 1 MB/s of RSS growth under a 20 MB sawtooth a leak within 30 s', () => {
    const { leakAt, last } = judge((t) => 80 * MB + sawtooth(t) + t * 1024 * 1.024);
    assert.ok(leakAt !== undefined && leakAt <= 30_000, String(leakAt));
    assert.equal(last.culprit, 'native', 'all of RSS is native memory when no JS figures are known');
    assert.match(last.summary, /^leak in RSS/);
    assert.match(last.summary, /watched from outside/);
    const growth = last.native.growthBytesPerMinute!;
    assert.ok(growth > 50 * MB && growth < 70 * MB, `${growth / MB} MB/min`);
  });

  it('calls neither the sawtooth alone nor a one-time 40 MB fill a leak', () => {
    const healthy = judge((t) => 80 * MB + sawtooth(t));
    assert.equal(healthy.leakAt, undefined);
    assert.equal(healthy.last.native.status, 'stable');
    const fill = judge(
      (t) => 80 * MB + sawtooth(t) + (t < 4000 ? 0 : t < 5000 ? ((t - 4000) / 1000) * 40 * MB : 40 * MB),
    );
    assert.equal(fill.leakAt, undefined, fill.verdicts.map((v) => v.summary).join('\n'));
  });

  it('says nothing before the warm-up is over, and never blames the JS heap it cannot see', () => {
    const { verdicts } = judge((t) => 80 * MB + t * 2048);
    assert.equal(verdicts[0]!.status, 'warming-up');
    assert.ok(verdicts.every((v) => v.heap.status === 'warming-up' || v.heap.status === 'insufficient-data'));
    assert.ok(verdicts.every((v) => v.heapLimit === 0 && v.timeToHeapLimitMs === undefined));
  });

  it('judges the JS heap when the source reads it (attach), from the lowest heap in use per stretch', () => {
    const { leakAt, last } = judge((t) => 30 * MB + sawtooth(t) + t * 1024 * 1.024, true);
    assert.ok(leakAt !== undefined, last.summary);
    assert.equal(last.culprit, 'js-heap');
    assert.equal(last.heapLimit, 4096 * MB);
    assert.ok(last.timeToHeapLimitMs !== undefined && last.timeToHeapLimitMs > 0);
    assert.match(last.summary, /^leak in JS heap/);
  });
});
