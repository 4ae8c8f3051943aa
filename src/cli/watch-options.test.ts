import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Collector } from '../collector/collector.ts';
import { InvalidOptionError } from '../errors.ts';
import { parseCommandLine } from './flags.ts';
import {
  collectorOptionsFromFlags,
  parseDuration,
  parseSize,
  type WatchFlags,
  watchFlagDefinitions,
  withFlagNames,
} from './watch-options.ts';

const parse = (args: string[]) => parseCommandLine<WatchFlags>('run', args, watchFlagDefinitions).options;

describe('parseDuration', () => {
  it('takes ms, s, m, min, h; a bare number is seconds', () => {
    assert.equal(parseDuration('500ms', '--interval'), 500);
    assert.equal(parseDuration('1.5s', '--interval'), 1500);
    assert.equal(parseDuration('2', '--interval'), 2000);
    assert.equal(parseDuration('10m', '--window'), 600_000);
    assert.equal(parseDuration('2min', '--window'), 120_000);
    assert.equal(parseDuration('1h', '--duration'), 3_600_000);
  });

  it('refuses anything else, naming the flag', () => {
    for (const raw of ['', 'often', '-1s', '0', '5 parsecs', '1e3']) {
      assert.throws(() => parseDuration(raw, '--window'), { code: 'ERR_USAGE', message: /^--window must/ });
    }
  });
});

describe('parseSize', () => {
  it('takes KB, MB, GB as powers of 1024 and bare bytes', () => {
    assert.equal(parseSize('512KB', '--min-growth'), 512 * 1024);
    assert.equal(parseSize('1.5GB', '--alert-rss'), 1.5 * 1024 ** 3);
    assert.equal(parseSize('4096', '--alert-rss'), 4096);
  });

  it('refuses anything else', () => {
    for (const raw of ['lots', '0', '-5MB', '1 XB']) {
      assert.throws(() => parseSize(raw, '--alert-rss'), { code: 'ERR_USAGE', message: /^--alert-rss must/ });
    }
  });
});

describe('collectorOptionsFromFlags', () => {
  it('has the defaults of a long-running service', () => {
    const options = collectorOptionsFromFlags(parse([]));
    assert.deepEqual(options.leak, {
      windowMs: 600_000,
      warmupMs: 60_000,
      minPoints: 9,
      confidence: 0.99,
      minGrowthBytesPerMinute: 512 * 1024,
    });
    assert.equal(options.intervalMs, 1000);
    assert.deepEqual(options.alerts, { rules: { leak: true } });
  });

  it('maps the alert flags onto the agent’s rules and sinks', () => {
    const options = collectorOptionsFromFlags(
      parse([
        '--alert-rss=2GB',
        '--alert-heap=500MB',
        '--alert-heap-share=0.85',
        '--alert-growth=5MB',
        '--alert-interval=5m',
        '--no-leak-alert',
        '--webhook=https://hooks.example.com/x',
      ]),
    );
    assert.deepEqual(options.alerts, {
      rules: {
        rssAbove: 2 * 1024 ** 3,
        heapUsedAbove: 500 * 1024 ** 2,
        heapLimitShareAbove: 0.85,
        growthAbove: 5 * 1024 ** 2,
        leak: false,
      },
      minIntervalMs: 300_000,
      webhook: 'https://hooks.example.com/x',
    });
    // The collector accepts them as they are.
    assert.ok(new Collector(options));
  });

  it('wants mail settings together', () => {
    assert.throws(() => collectorOptionsFromFlags(parse(['--smtp=smtp://localhost:25'])), /--mail-from/);
    assert.throws(() => collectorOptionsFromFlags(parse(['--mail-to=a@example.com'])), /--smtp/);
    const options = collectorOptionsFromFlags(
      parse([
        '--smtp=smtp://localhost:25',
        '--mail-from=mw@example.com',
        '--mail-to=a@example.com, b@example.com',
      ]),
    );
    assert.deepEqual(options.alerts?.email, {
      smtp: 'smtp://localhost:25',
      from: 'mw@example.com',
      to: ['a@example.com', 'b@example.com'],
    });
  });
});

describe('withFlagNames', () => {
  it('turns the collector’s option errors into usage errors naming the flag', () => {
    let error: unknown;
    try {
      new Collector(collectorOptionsFromFlags(parse(['--interval=1s', '--window=2s'])));
    } catch (caught) {
      error = withFlagNames(caught);
    }
    assert.ok(error instanceof Error);
    assert.equal((error as { code?: string }).code, 'ERR_USAGE');
    assert.match(error.message, /^--window: must hold at least 5 samples/);
    const webhook = withFlagNames(new InvalidOptionError('alerts.webhook.url', 'must be an http(s) URL.'));
    assert.match((webhook as Error).message, /^--webhook: must be/);
    const other = new Error('x');
    assert.equal(withFlagNames(other), other);
  });
});
