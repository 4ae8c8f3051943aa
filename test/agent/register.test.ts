/**
 * `node --import memwatcher/register`: configured by environment variables, reports over IPC or to
 * stderr, never watches workers or children by accident, lets package managers pass it on.
 */
import assert from 'node:assert/strict';
import { fork, spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type AgentMessage, isAgentMessage } from '../../src/agent/ipc-protocol.ts';
import { childOutcome } from './child-outcome.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const PRELOAD = '--conditions=memwatcher-source --import memwatcher/register';

function run(args: string[], env: Record<string, string> = {}) {
  return childOutcome(
    spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: 'pipe' }),
  );
}

const jsonLines = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { label: string; watched: boolean; nodeOptions: string | null });

describe('memwatcher/register', () => {
  it('logs its verdicts to stderr, one [memwatcher] line each, when no parent listens', async () => {
    const result = await run([...PRELOAD.split(' '), fixture('workload.ts'), 'buffer-leak', '7000'], {
      MEMWATCHER_INTERVAL_MS: '100',
      MEMWATCHER_WINDOW_MS: '5000',
      MEMWATCHER_WARMUP_MS: '1000',
      MEMWATCHER_MIN_POINTS: '5',
      MEMWATCHER_CONFIDENCE: '0.95',
      MEMWATCHER_MIN_GROWTH: '5MB',
      MEMWATCHER_LOG: 'leaks',
    });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stderr.trim().split('\n');
    assert.ok(lines.length >= 1);
    for (const line of lines) assert.match(line, /^\[memwatcher\] pid \d+: /);
    assert.match(result.stderr, /LEAK leak in external memory \(Buffers\/ArrayBuffers\)/);
    assert.match(result.stderr, /alert \(critical, leak\): memory leak:/);
  });

  it('reports over IPC with typed messages when the parent sets MEMWATCHER_IPC', async () => {
    const child = fork(fixture('report-watched.ts'), ['ipc'], {
      cwd: root,
      execArgv: PRELOAD.split(' '),
      env: { ...process.env, MEMWATCHER_IPC: '1', MEMWATCHER_INTERVAL_MS: '50' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const messages: unknown[] = [];
    child.on('message', (message) => messages.push(message));
    const { stderr } = await childOutcome(child);
    assert.equal(stderr, '', 'nothing on stderr when a parent listens');
    assert.ok(messages.length >= 1);
    assert.ok(messages.every(isAgentMessage), JSON.stringify(messages));
    const hello = messages[0] as AgentMessage;
    assert.equal(hello.type, 'hello');
    assert.ok(
      hello.type === 'hello' &&
        hello.heapLimit > 0 &&
        hello.argv.some((a) => a.endsWith('report-watched.ts')),
    );
    assert.equal(hello.pid, child.pid);
    assert.ok(Math.abs(hello.time - Date.now()) < 60_000, 'time is ms since epoch');
  });

  it('falls back to stderr when MEMWATCHER_IPC is set but there is no channel', async () => {
    const result = await run([...PRELOAD.split(' '), '-e', 'setTimeout(() => {}, 300)'], {
      MEMWATCHER_IPC: '1',
      MEMWATCHER_INTERVAL_MS: '50',
      MEMWATCHER_ALERT_HEAP_USED: '1',
    });
    assert.equal(result.code, 0);
    assert.match(
      result.stderr,
      /^\[memwatcher\] pid \d+: alert \(warning, heapUsedAbove\): JS heap in use .* is above 1 B\n/,
    );
  });

  it('says why it is not watching when a value is invalid, and the program still runs', async () => {
    const result = await run([...PRELOAD.split(' '), '-e', 'setTimeout(() => {}, 200)'], {
      MEMWATCHER_INTERVAL_MS: 'soon',
    });
    assert.equal(result.code, 0);
    assert.match(
      result.stderr,
      /^\[memwatcher\] pid \d+: not watching this process: MEMWATCHER_INTERVAL_MS: must be a number, got "soon"\.\n$/,
    );
  });

  it('names the variable when a value is out of range, and the program still runs', async () => {
    const result = await run([...PRELOAD.split(' '), '-e', 'console.log("program ran")'], {
      MEMWATCHER_WINDOW_MS: '10',
      MEMWATCHER_WEBHOOK_URL: 'https://hooks.example.com/x',
    });
    assert.equal(result.code, 0);
    assert.equal(result.stdout, 'program ran\n');
    assert.match(
      result.stderr,
      /not watching this process: MEMWATCHER_WINDOW_MS: must be between 1000 and \d+ ms, got 10\./,
    );
  });

  it('does not watch worker threads or child processes, unless MEMWATCHER_INHERIT=1', async () => {
    const env = { NODE_OPTIONS: PRELOAD, MEMWATCHER_LOG: 'off' };
    const plain = jsonLines((await run([fixture('spawner.ts'), 'main'], env)).stdout);
    assert.deepEqual(
      plain.map((r) => [r.label, r.watched]),
      [
        ['main', true],
        ['worker', false],
        ['forked', false],
        ['spawned', false],
      ],
    );
    assert.equal(plain.find((r) => r.label === 'spawned')!.nodeOptions, '--conditions=memwatcher-source');

    const inherited = jsonLines(
      (await run([fixture('spawner.ts'), 'main'], { ...env, MEMWATCHER_INHERIT: '1' })).stdout,
    );
    assert.deepEqual(
      inherited.map((r) => [r.label, r.watched]),
      [
        ['main', true],
        ['worker', false],
        ['forked', true],
        ['spawned', true],
      ],
    );

    // Loaded with execArgv instead of NODE_OPTIONS: a forked child inherits execArgv, yet stays passive.
    const execArgv = jsonLines(
      (await run([...PRELOAD.split(' '), fixture('spawner.ts'), 'main'], { MEMWATCHER_LOG: 'off' })).stdout,
    );
    assert.deepEqual(
      execArgv.map((r) => [r.label, r.watched]),
      [
        ['main', true],
        ['worker', false],
        ['forked', false],
        ['spawned', false],
      ],
    );
  });

  it('lets a package manager pass the preload on to the app it starts (memwatcher run -- npm start)', async () => {
    const env = { NODE_OPTIONS: PRELOAD, MEMWATCHER_LOG: 'off' };
    const launched = jsonLines((await run([fixture('launcher/npm-cli.ts'), 'npm'], env)).stdout);
    assert.deepEqual(
      launched.map((r) => [r.label, r.watched]),
      [
        ['npm', false],
        ['app', true],
      ],
    );
    // MEMWATCHER_WATCH picks the process by its command line instead.
    const chosen = jsonLines(
      (await run([fixture('launcher/npm-cli.ts'), 'npm'], { ...env, MEMWATCHER_WATCH: 'npm-cli' })).stdout,
    );
    assert.deepEqual(
      chosen.map((r) => [r.label, r.watched]),
      [
        ['npm', true],
        ['app', false],
      ],
    );
  });
});
