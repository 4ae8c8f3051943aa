import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidOptionError } from '../errors.ts';
import type { MemoryWatcherOptions } from './options.ts';
import { resolveWatcherOptions } from './options.ts';
import { MemoryWatcher } from './watcher.ts';

/** Each case: options, the option the error must name, and a fragment of its message. */
const BAD: [string, unknown, string, RegExp][] = [
  ['not an object', 42, 'options', /must be an object/],
  ['unknown top-level key', { intervalMS: 1000 }, 'options.intervalMS', /unknown option.*`intervalMs`/],
  ['interval not a number', { intervalMs: '1000' }, 'intervalMs', /finite number/],
  ['interval too small', { intervalMs: 1 }, 'intervalMs', /between 10 and 3600000 ms/],
  ['interval NaN', { intervalMs: Number.NaN }, 'intervalMs', /finite number/],
  ['leak not an object', { leak: true }, 'leak', /must be an object/],
  ['unknown leak key', { leak: { window: 5 } }, 'leak.window', /unknown option/],
  [
    'window shorter than 5 samples',
    { intervalMs: 1000, leak: { windowMs: 3000 } },
    'leak.windowMs',
    /at least 5 samples/,
  ],
  ['negative warm-up', { leak: { warmupMs: -1 } }, 'leak.warmupMs', /between 0 and/],
  ['fractional minPoints', { leak: { minPoints: 6.5 } }, 'leak.minPoints', /whole number/],
  ['confidence of 1', { leak: { confidence: 1 } }, 'leak.confidence', /between 0.5 and 0.9999/],
  [
    'zero minimum growth',
    { leak: { minGrowthBytesPerMinute: 0 } },
    'leak.minGrowthBytesPerMinute',
    /at least 1/,
  ],
  ['unknown rule', { alerts: { rules: { heapAbove: 1 } } }, 'alerts.rules.heapAbove', /unknown option/],
  ['negative size rule', { alerts: { rules: { rssAbove: -5 } } }, 'alerts.rules.rssAbove', /at least 0/],
  [
    'share above 1',
    { alerts: { rules: { heapLimitShareAbove: 1.5 } } },
    'alerts.rules.heapLimitShareAbove',
    /between 0 and 1/,
  ],
  ['leak rule not boolean', { alerts: { rules: { leak: 'yes' } } }, 'alerts.rules.leak', /true or false/],
  [
    'webhook URL not a URL',
    { alerts: { webhook: 'hooks.example.com' } },
    'alerts.webhook.url',
    /absolute URL/,
  ],
  [
    'webhook URL wrong scheme',
    { alerts: { webhook: 'ftp://example.com/x' } },
    'alerts.webhook.url',
    /http: or https:/,
  ],
  ['webhook without url', { alerts: { webhook: { retries: 2 } } }, 'alerts.webhook.url', /is required/],
  [
    'webhook header not a string',
    { alerts: { webhook: { url: 'http://127.0.0.1/', headers: { a: 1 } } } },
    'alerts.webhook.headers.a',
    /must be a string/,
  ],
  [
    'webhook retries fractional',
    { alerts: { webhook: { url: 'http://127.0.0.1/', retries: 1.5 } } },
    'alerts.webhook.retries',
    /whole number/,
  ],
  [
    'email without from',
    { alerts: { email: { to: 'a@b.c', smtp: 'smtp://127.0.0.1:25' } } },
    'alerts.email.from',
    /required/,
  ],
  [
    'email bad recipient',
    { alerts: { email: { from: 'a@b.c', to: ['nobody'], smtp: 'smtp://127.0.0.1:25' } } },
    'alerts.email.to',
    /address/,
  ],
  [
    'email no recipients',
    { alerts: { email: { from: 'a@b.c', to: [], smtp: 'smtp://127.0.0.1:25' } } },
    'alerts.email.to',
    /non-empty list/,
  ],
  [
    'email bad smtp scheme',
    { alerts: { email: { from: 'a@b.c', to: 'x@y.z', smtp: 'http://127.0.0.1' } } },
    'alerts.email.smtp',
    /smtp: or smtps:/,
  ],
  [
    'email smtp without host',
    { alerts: { email: { from: 'a@b.c', to: 'x@y.z', smtp: { port: 25 } } } },
    'alerts.email.smtp.host',
    /required/,
  ],
  [
    'logger without error()',
    { alerts: { logger: { warn() {} } } },
    'alerts.logger',
    /warn\(\) and error\(\)/,
  ],
  ['onAlert not a function', { onAlert: 'call me' }, 'onAlert', /must be a function/],
  ['snapshots without dir', { snapshots: { onLeak: true } }, 'snapshots.dir', /required/],
  [
    'snapshot share too high',
    { snapshots: { dir: '/tmp', nearHeapLimit: 1 } },
    'snapshots.nearHeapLimit',
    /between 0.05 and 0.99/,
  ],
  ['census without method', { census: {} }, 'census', /topGrowingClasses/],
  ['empty history tiers', { historyTiers: [] }, 'historyTiers', /1 to 8 tiers/],
  [
    'history tier capacity 0',
    { historyTiers: [{ resolutionMs: 0, capacity: 0 }] },
    'historyTiers[0].capacity',
    /between 1 and/,
  ],
];

describe('MemoryWatcher option validation', () => {
  for (const [name, options, option, message] of BAD) {
    it(`rejects ${name} with InvalidOptionError naming ${option}`, () => {
      assert.throws(
        () => new MemoryWatcher(options as MemoryWatcherOptions),
        (error: unknown) => {
          assert.ok(error instanceof InvalidOptionError, String(error));
          assert.equal(error.code, 'ERR_INVALID_OPTION');
          assert.equal(error.option, option);
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }

  it('accepts no options and fills the documented defaults', () => {
    const resolved = resolveWatcherOptions(undefined);
    assert.equal(resolved.intervalMs, 1000);
    assert.deepEqual(resolved.leak, {
      windowMs: 600_000,
      warmupMs: 60_000,
      minPoints: 6,
      confidence: 0.99,
      minGrowthBytesPerMinute: 512 * 1024,
    });
    assert.deepEqual(resolved.alerts.rules, { leak: true });
    assert.equal(resolved.alerts.minIntervalMs, 900_000);
    assert.equal(resolved.snapshotsConfigured, false);
  });

  it('accepts a full configuration', () => {
    const resolved = resolveWatcherOptions({
      intervalMs: 500,
      leak: { windowMs: 60_000, warmupMs: 0, minPoints: 5, confidence: 0.95, minGrowthBytesPerMinute: 1 },
      alerts: {
        rules: {
          rssAbove: 1e9,
          heapLimitShareAbove: 0.9,
          growthAbove: 1e6,
          timeToHeapLimitBelow: 3_600_000,
          leak: false,
        },
        webhook: { url: 'https://hooks.example.com/x', headers: { authorization: 'Bearer t' }, retries: 0 },
        email: { from: 'a@example.com', to: 'b@example.com', smtp: { host: 'localhost', port: 2525 } },
        logger: console,
      },
      snapshots: { dir: '/tmp', onLeak: true, nearHeapLimit: 0.9 },
      census: { topGrowingClasses: () => [] },
    });
    assert.equal(resolved.alerts.webhook?.retries, 0);
    assert.equal(resolved.alerts.webhook?.timeoutMs, 5000);
    assert.deepEqual(resolved.alerts.email?.to, ['b@example.com']);
    assert.equal(resolved.alerts.rules.leak, false);
    assert.equal(resolved.snapshots.nearHeapLimit, 0.9);
  });
});
