import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidOptionError } from '../errors.ts';
import {
  matchesWatchPattern,
  optionsFromEnvironment,
  parseBytes,
  planFromEnvironment,
  stripPreload,
  variableForOption,
} from './register-env.ts';
import { MemoryWatcher } from './watcher.ts';

const main = {
  argv: ['/usr/bin/node', '/srv/app/server.js'],
  pid: 100,
  ppid: 50,
  isMainThread: true,
  hasIpcChannel: false,
};

describe('stripPreload', () => {
  const cases: [string, string][] = [
    ['--import memwatcher/register', ''],
    ['--import=memwatcher/register', ''],
    [
      '--max-old-space-size=512 --import memwatcher/register --enable-source-maps',
      '--max-old-space-size=512 --enable-source-maps',
    ],
    ['--import /work/main/src/agent/register.ts', ''],
    ['--import ./node_modules/memwatcher/dist/agent/register.js --trace-warnings', '--trace-warnings'],
    ['-r memwatcher/register', ''],
    ['--import tsx --import memwatcher/register', '--import tsx'],
    ['--import other/register', '--import other/register'],
    ['--title "my app" --import memwatcher/register', '--title "my app"'],
  ];
  for (const [input, expected] of cases) {
    it(`"${input}" → "${expected}"`, () => assert.equal(stripPreload(input), expected));
  }
});

describe('parseBytes', () => {
  it('reads plain numbers and units in powers of 1024', () => {
    assert.equal(parseBytes('X', '1048576'), 1048576);
    assert.equal(parseBytes('X', '512KB'), 512 * 1024);
    assert.equal(parseBytes('X', '1.5 GB'), 1.5 * 1024 ** 3);
    assert.equal(parseBytes('X', '10m'), 10 * 1024 ** 2);
    assert.equal(parseBytes('X', ''), undefined);
  });

  it('names the variable when the value is not a size', () => {
    assert.throws(
      () => parseBytes('MEMWATCHER_ALERT_RSS', 'lots'),
      (error: unknown) => {
        assert.ok(error instanceof InvalidOptionError);
        assert.equal(error.option, 'MEMWATCHER_ALERT_RSS');
        assert.match(error.message, /512KB or 1.5GB/);
        return true;
      },
    );
  });
});

describe('planFromEnvironment', () => {
  it('watches the main thread of a plain program and reports to stderr without a parent', () => {
    const plan = planFromEnvironment({}, main);
    assert.equal(plan.action, 'watch');
    assert.ok(plan.action === 'watch' && plan.ipc === false && plan.log === 'verdicts');
  });

  it('never watches a worker thread', () => {
    assert.equal(planFromEnvironment({}, { ...main, isMainThread: false }).action, 'disabled');
  });

  it('is disabled by MEMWATCHER_DISABLE', () => {
    assert.equal(planFromEnvironment({ MEMWATCHER_DISABLE: '1' }, main).action, 'disabled');
  });

  it('passes through package managers so the app they start is watched', () => {
    const npm = { ...main, argv: ['/usr/bin/node', '/usr/lib/node_modules/npm/bin/npm-cli.js', 'start'] };
    assert.equal(planFromEnvironment({}, npm).action, 'pass-through');
    const yarn = { ...main, argv: ['/usr/bin/node', '/usr/local/bin/yarn', 'start'] };
    assert.equal(planFromEnvironment({}, yarn).action, 'pass-through');
  });

  it('watches only the process matching MEMWATCHER_WATCH', () => {
    assert.equal(planFromEnvironment({ MEMWATCHER_WATCH: 'server.js' }, main).action, 'watch');
    assert.equal(planFromEnvironment({ MEMWATCHER_WATCH: 'worker.js' }, main).action, 'pass-through');
    assert.equal(planFromEnvironment({ MEMWATCHER_WATCH: '/app\\/serv/' }, main).action, 'watch');
    const npm = { ...main, argv: ['/usr/bin/node', '/usr/lib/node_modules/npm/bin/npm-cli.js', 'start'] };
    assert.equal(planFromEnvironment({ MEMWATCHER_WATCH: 'npm-cli' }, npm).action, 'watch');
  });

  it('keeps descendants of a watched process passive unless MEMWATCHER_INHERIT is set', () => {
    assert.equal(planFromEnvironment({ MEMWATCHER_WATCHED_PID: '42' }, main).action, 'pass-through');
    assert.equal(planFromEnvironment({ MEMWATCHER_WATCHED_PID: '100' }, main).action, 'watch');
    assert.equal(
      planFromEnvironment({ MEMWATCHER_WATCHED_PID: '42', MEMWATCHER_INHERIT: '1' }, main).action,
      'watch',
    );
  });

  it('uses IPC only with a channel and, when a pid is given, only towards that parent', () => {
    const withChannel = { ...main, hasIpcChannel: true };
    const ipc = (env: Record<string, string>, context = withChannel) => {
      const plan = planFromEnvironment(env, context);
      return plan.action === 'watch' && plan.ipc;
    };
    assert.equal(ipc({ MEMWATCHER_IPC: '1' }), true);
    assert.equal(ipc({ MEMWATCHER_IPC: '50' }), true);
    assert.equal(ipc({ MEMWATCHER_IPC: '51' }), false);
    assert.equal(ipc({ MEMWATCHER_IPC: '1' }, main), false);
    assert.equal(ipc({}), false);
  });

  it('lists MEMWATCHER_ variables nobody reads', () => {
    const plan = planFromEnvironment({ MEMWATCHER_INTERVAL: '5', MEMWATCHER_INTERVAL_MS: '500' }, main);
    assert.ok(plan.action === 'watch');
    assert.deepEqual(plan.unknownVariables, ['MEMWATCHER_INTERVAL']);
  });

  it('rejects a bad MEMWATCHER_LOG and a bad flag, naming the variable', () => {
    assert.throws(
      () => planFromEnvironment({ MEMWATCHER_LOG: 'loud' }, main),
      /MEMWATCHER_LOG: must be off, leaks or verdicts/,
    );
    assert.throws(
      () => planFromEnvironment({ MEMWATCHER_INHERIT: 'maybe' }, main),
      /MEMWATCHER_INHERIT: must be 1/,
    );
  });
});

describe('optionsFromEnvironment', () => {
  it('maps every variable onto watcher options the watcher accepts', () => {
    const options = optionsFromEnvironment({
      MEMWATCHER_INTERVAL_MS: '250',
      MEMWATCHER_WINDOW_MS: '120000',
      MEMWATCHER_WARMUP_MS: '0',
      MEMWATCHER_MIN_POINTS: '6',
      MEMWATCHER_CONFIDENCE: '0.95',
      MEMWATCHER_MIN_GROWTH: '1MB',
      MEMWATCHER_ALERT_HEAP_USED: '1GB',
      MEMWATCHER_ALERT_RSS: '2GB',
      MEMWATCHER_ALERT_EXTERNAL: '512MB',
      MEMWATCHER_ALERT_HEAP_SHARE: '0.85',
      MEMWATCHER_ALERT_GROWTH: '5MB',
      MEMWATCHER_ALERT_TIME_TO_LIMIT_MS: '3600000',
      MEMWATCHER_ALERT_LEAK: '0',
      MEMWATCHER_ALERT_INTERVAL_MS: '60000',
      MEMWATCHER_WEBHOOK_URL: 'https://hooks.example.com/a',
      MEMWATCHER_SMTP_URL: 'smtp://127.0.0.1:2525',
      MEMWATCHER_EMAIL_FROM: 'mw@example.com',
      MEMWATCHER_EMAIL_TO: 'a@example.com, b@example.com',
      MEMWATCHER_SNAPSHOT_DIR: '/tmp',
      MEMWATCHER_SNAPSHOT_ON_LEAK: 'yes',
      MEMWATCHER_SNAPSHOT_NEAR_LIMIT: '0.9',
    });
    assert.deepEqual(options, {
      intervalMs: 250,
      leak: {
        windowMs: 120_000,
        warmupMs: 0,
        minPoints: 6,
        confidence: 0.95,
        minGrowthBytesPerMinute: 1024 ** 2,
      },
      alerts: {
        rules: {
          heapUsedAbove: 1024 ** 3,
          rssAbove: 2 * 1024 ** 3,
          externalAbove: 512 * 1024 ** 2,
          heapLimitShareAbove: 0.85,
          growthAbove: 5 * 1024 ** 2,
          timeToHeapLimitBelow: 3_600_000,
          leak: false,
        },
        minIntervalMs: 60_000,
        webhook: 'https://hooks.example.com/a',
        email: {
          smtp: 'smtp://127.0.0.1:2525',
          from: 'mw@example.com',
          to: ['a@example.com', 'b@example.com'],
        },
      },
      snapshots: { dir: '/tmp', onLeak: true, nearHeapLimit: 0.9 },
    });
    assert.ok(new MemoryWatcher(options));
  });

  it('requires the email sender and recipients once an SMTP server is set', () => {
    assert.throws(
      () => optionsFromEnvironment({ MEMWATCHER_SMTP_URL: 'smtp://x' }),
      /MEMWATCHER_EMAIL_FROM: is required/,
    );
  });

  it('names the variable behind a watcher option', () => {
    assert.equal(variableForOption('leak.windowMs'), 'MEMWATCHER_WINDOW_MS');
    assert.equal(variableForOption('alerts.webhook.url'), 'MEMWATCHER_WEBHOOK_URL');
  });
});

describe('matchesWatchPattern', () => {
  it('matches substrings and /regex/flags, and rejects a broken regex', () => {
    assert.equal(matchesWatchPattern('server', '/srv/server.js'), true);
    assert.equal(matchesWatchPattern('/SERVER\\.js$/i', '/srv/server.js'), true);
    assert.equal(matchesWatchPattern('/^worker/', '/srv/server.js'), false);
    assert.throws(
      () => matchesWatchPattern('/(/', 'x'),
      /MEMWATCHER_WATCH: is not a valid regular expression/,
    );
  });
});
