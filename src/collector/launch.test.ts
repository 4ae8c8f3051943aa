import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { stripPreload } from '../agent/register-env.ts';
import { agentEnvironment, isNodeProgram, preloadOption, REGISTER_URL, resolveCommand } from './launch.ts';

const dir = mkdtempSync(join(tmpdir(), 'memwatcher launch-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const SETTINGS = {
  intervalMs: 250,
  leak: {
    windowMs: 15_000,
    warmupMs: 3000,
    minPoints: 5,
    confidence: 0.95,
    minGrowthBytesPerMinute: 10_485_760,
  },
};

describe('preloadOption', () => {
  it('points at the register entry next to the collector (sources: .ts)', () => {
    assert.match(REGISTER_URL.href, /\/src\/agent\/register\.ts$/);
    assert.match(
      preloadOption(),
      /^--import "data:text\/javascript,try\{await import\('file:\/\/\/.*\/agent\/register\.ts'\)\}/,
    );
  });

  it('is removed from NODE_OPTIONS by the agent, so the watched program does not pass it on', () => {
    assert.equal(stripPreload(`--max-old-space-size=512 ${preloadOption()}`), '--max-old-space-size=512');
  });

  it('keeps paths with spaces and quotes in one NODE_OPTIONS token', () => {
    const option = preloadOption(pathToFileURL("/opt/my apps/it's/register.js"));
    // Inside the quotes NODE_OPTIONS ends the token at a quote and treats a backslash as an escape.
    assert.doesNotMatch(option.slice('--import "'.length, -1), /["\\]/);
    assert.match(option, /my%20apps\/it%27s\/register\.js/);
  });

  it('lets the program run, unwatched, when this Node cannot load the agent', () => {
    const missing = pathToFileURL(join(dir, 'no-such-register.ts'));
    const result = spawnSync(process.execPath, ['-e', 'console.log("program ran")'], {
      env: { ...process.env, NODE_OPTIONS: preloadOption(missing) },
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, 'program ran\n');
    assert.match(
      result.stderr,
      /^\[memwatcher\] pid \d+: not watching this process: .*no-such-register.*\n$/,
    );
  });
});

describe('agentEnvironment', () => {
  it('adds the preload to NODE_OPTIONS, names this process for IPC and passes the verdict settings', () => {
    const env = agentEnvironment({ PATH: '/bin', NODE_OPTIONS: '--max-old-space-size=512' }, SETTINGS, 4242);
    assert.equal(env.PATH, '/bin');
    assert.ok(env.NODE_OPTIONS?.startsWith('--max-old-space-size=512 --import "data:'));
    assert.equal(env.MEMWATCHER_IPC, '4242');
    assert.equal(env.MEMWATCHER_INTERVAL_MS, '250');
    assert.equal(env.MEMWATCHER_WINDOW_MS, '15000');
    assert.equal(env.MEMWATCHER_WARMUP_MS, '3000');
    assert.equal(env.MEMWATCHER_MIN_POINTS, '5');
    assert.equal(env.MEMWATCHER_CONFIDENCE, '0.95');
    assert.equal(env.MEMWATCHER_MIN_GROWTH, '10485760');
    assert.equal(env.MEMWATCHER_ALERT_LEAK, '0', 'alerting is memwatcher’s');
    assert.ok(agentEnvironment({}, SETTINGS).NODE_OPTIONS?.startsWith('--import "data:'));
  });
});

describe('isNodeProgram and resolveCommand', () => {
  const script = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    chmodSync(path, 0o755);
    return path;
  };

  it('knows node binaries and scripts whose #! line runs node', async () => {
    assert.equal(await isNodeProgram(process.execPath), true);
    assert.equal(await isNodeProgram('/usr/bin/node'), true);
    assert.equal(await isNodeProgram(script('npm-like', '#!/usr/bin/env node\nrequire("x")\n')), true);
    assert.equal(
      await isNodeProgram(script('flags', '#!/usr/bin/env -S node --max-old-space-size=99\n')),
      true,
    );
    assert.equal(await isNodeProgram(script('py', '#!/usr/bin/env python3\nprint(1)\n')), false);
    assert.equal(await isNodeProgram(script('nodemonish', '#!/bin/sh\nexec nodemon "$@"\n')), false);
    assert.equal(await isNodeProgram(join(dir, 'missing')), false);
  });

  it('finds commands on PATH, and only executable files', async () => {
    script('tool', '#!/bin/sh\n');
    writeFileSync(join(dir, 'data'), 'not a program');
    const env = { PATH: `/nonexistent:${dir}` };
    assert.equal(await resolveCommand('tool', env), join(dir, 'tool'));
    assert.equal(await resolveCommand('data', env), undefined);
    assert.equal(await resolveCommand('missing', env), undefined);
    assert.equal(await resolveCommand(join(dir, 'tool'), {}), join(dir, 'tool'));
    assert.equal(await resolveCommand(dir, {}), undefined, 'a directory is not a command');
  });
});
