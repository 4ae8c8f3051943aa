import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { combineVerdict, type MemoryTrend } from '../verdict.ts';
import type { AlertMemory } from './alert.ts';
import { logAlert } from './log-sink.ts';
import { AlertRateLimiter, evaluateRules } from './rules.ts';
import { sampleAlert } from './sample-alert.fixture.ts';

const noFault = (error: unknown) => assert.fail(`unexpected fault: ${String(error)}`);

const MB = 1024 * 1024;
const memory: AlertMemory = {
  rss: 900 * MB,
  heapTotal: 500 * MB,
  heapUsed: 450 * MB,
  external: 30 * MB,
  arrayBuffers: 10 * MB,
  heapLimit: 500 * MB,
  heapFloor: 400 * MB,
};
const trend = (status: MemoryTrend['status'], growth: number, latest: number): MemoryTrend => ({
  status,
  growthBytesPerMinute: growth,
  confidence: 0.999,
  points: 30,
  spanMs: 600_000,
  latestBytes: latest,
});
const leaking = combineVerdict({
  time: 0,
  heap: trend('leak', 5 * MB, 400 * MB),
  external: trend('stable', 0, 30 * MB),
  rss: trend('leak', 5 * MB, 900 * MB),
  native: trend('stable', 0, 300 * MB),
  heapLimit: 500 * MB,
});

describe('evaluateRules', () => {
  it('raises each rule whose threshold is crossed, with value and threshold', () => {
    const drafts = evaluateRules(
      {
        heapUsedAbove: 400 * MB,
        rssAbove: 1000 * MB,
        externalAbove: 20 * MB,
        heapLimitShareAbove: 0.85,
        growthAbove: 1 * MB,
        timeToHeapLimitBelow: 60 * 60_000,
        leak: true,
      },
      memory,
      leaking,
      0.99,
    );
    const rules = drafts.map((d) => (d.subject === undefined ? d.rule : `${d.rule}:${d.subject}`));
    assert.deepEqual(rules, [
      'heapUsedAbove',
      'externalAbove',
      'heapLimitShareAbove',
      'growthAbove:heap',
      'growthAbove:rss',
      'timeToHeapLimitBelow',
      'leak',
    ]);
    const share = drafts.find((d) => d.rule === 'heapLimitShareAbove')!;
    assert.equal(share.value, 0.9);
    assert.equal(share.severity, 'critical');
    assert.match(share.message, /90\.0% of the 500 MB heap limit/);
    const ttl = drafts.find((d) => d.rule === 'timeToHeapLimitBelow')!;
    assert.equal(ttl.value, 20 * 60_000);
    assert.match(ttl.message, /in ~20 min/);
    assert.match(drafts.at(-1)!.message, /^memory leak: leak in JS heap/);
  });

  it('raises nothing for a healthy process, and no leak alert when the rule is off', () => {
    const healthy = combineVerdict({
      time: 0,
      heap: trend('stable', 1000, 100 * MB),
      external: trend('stable', 0, 30 * MB),
      rss: trend('stable', 0, 300 * MB),
      native: trend('stable', 0, 100 * MB),
      heapLimit: 500 * MB,
    });
    assert.deepEqual(
      evaluateRules({ leak: true, growthAbove: MB }, { ...memory, heapUsed: 100 * MB }, healthy, 0.99),
      [],
    );
    assert.deepEqual(evaluateRules({ leak: false }, memory, leaking, 0.99), []);
  });

  it('quotes a leak by the growth of its culprit: native memory for a native leak, not RSS', () => {
    const nativeLeak = combineVerdict({
      time: 0,
      heap: trend('stable', 0, 400 * MB),
      external: trend('stable', 0, 30 * MB),
      rss: trend('leak', 9 * MB, 900 * MB),
      native: trend('leak', 4 * MB, 300 * MB),
      heapLimit: 500 * MB,
    });
    assert.equal(nativeLeak.culprit, 'native');
    const [leak] = evaluateRules({ leak: true }, memory, nativeLeak, 0.99);
    assert.equal(leak?.rule, 'leak');
    assert.equal(leak?.value, 4 * MB);
  });

  it('ignores growth that is not certain enough', () => {
    const unsure = combineVerdict({
      time: 0,
      heap: { ...trend('stable', 5 * MB, 100 * MB), confidence: 0.6 },
      external: trend('stable', 0, 30 * MB),
      rss: trend('stable', 0, 300 * MB),
      native: trend('stable', 0, 100 * MB),
      heapLimit: 500 * MB,
    });
    assert.deepEqual(evaluateRules({ growthAbove: MB }, memory, unsure, 0.99), []);
  });
});

describe('AlertRateLimiter', () => {
  it('lets one alert per rule and subject through per interval', () => {
    const limiter = new AlertRateLimiter(60_000);
    const rss = { rule: 'rssAbove', severity: 'warning', value: 1, threshold: 0, message: '' } as const;
    const heapGrowth = { ...rss, rule: 'growthAbove', subject: 'heap' } as const;
    const rssGrowth = { ...rss, rule: 'growthAbove', subject: 'rss' } as const;
    assert.equal(limiter.allow(rss, 0), true);
    assert.equal(limiter.allow(rss, 59_999), false);
    assert.equal(limiter.allow(heapGrowth, 1), true);
    assert.equal(limiter.allow(rssGrowth, 2), true);
    assert.equal(limiter.allow(heapGrowth, 3), false);
    assert.equal(limiter.allow(rss, 60_000), true);
  });
});

describe('logAlert', () => {
  it('calls warn or error pino-style with the alert object and a message', () => {
    const calls: [string, unknown, unknown][] = [];
    const logger = {
      warn: (object: unknown, message: unknown) => calls.push(['warn', object, message]),
      error: (object: unknown, message: unknown) => calls.push(['error', object, message]),
    };
    const warning = sampleAlert();
    logAlert(logger, warning, noFault);
    logAlert(logger, sampleAlert({ severity: 'critical' }), noFault);
    assert.deepEqual(
      calls.map((c) => c[0]),
      ['warn', 'error'],
    );
    assert.deepEqual(calls[0]![1], { memwatcher: warning });
    assert.equal(calls[0]![2], '[memwatcher] RSS 812 MB is above 768 MB');
  });

  it('reports a logger that throws or rejects instead of throwing', async () => {
    const faults: unknown[] = [];
    const throwing = {
      warn: () => {
        throw new Error('disk full');
      },
      error: () => Promise.reject(new Error('transport closed')),
    };
    logAlert(throwing, sampleAlert(), (e) => faults.push(e));
    logAlert(throwing, sampleAlert({ severity: 'critical' }), (e) => faults.push(e));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      faults.map((e) => (e as Error).message),
      ['disk full', 'transport closed'],
    );
  });
});
