/**
 * `memwatcher run` exits with its command's exit code (128 + n when signal n ended it), passes
 * signals on, and refuses bad command lines before running anything.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isOneCleanLine, runCli } from '../cli/run-cli.ts';
import { ofType, readEvents } from './events-file.ts';

const nodeWorkload = fileURLToPath(new URL('./fixtures/workload.ts', import.meta.url));
const pythonWorkload = fileURLToPath(new URL('./fixtures/workload.py', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'memwatcher-run-exit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Sends `signal` to memwatcher once the program printed "ready" (its handlers are in place). */
function signalWhenReady(signal: NodeJS.Signals) {
  return (child: ChildProcess) => {
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('ready\n')) {
        stdout = '';
        child.kill(signal);
      }
    });
  };
}

describe('memwatcher run: exit codes and signals', { concurrency: true }, () => {
  it("exits with a Node program's exit code and records it", async () => {
    const events = join(dir, 'node-exit.ndjson');
    const run = await runCli([
      'run',
      '-q',
      '--events',
      events,
      '--',
      process.execPath,
      nodeWorkload,
      'exit:3',
    ]);
    assert.equal(run.code, 3, run.stderr);
    const recorded = readEvents(events);
    assert.equal(recorded[0]?.type, 'start');
    const exit = recorded.at(-1);
    assert.ok(exit?.type === 'exit');
    assert.equal(exit.exitCode, 3);
    assert.equal(exit.signal, null);
    assert.equal(exit.reason, 'exited');
    // The agent said hello over IPC: this was watched from inside.
    assert.equal(ofType(recorded, 'hello').length, 1);
  });

  it("exits with a Python program's exit code", async () => {
    const run = await runCli(['run', '-q', '--', 'python3', pythonWorkload, 'exit:5']);
    assert.equal(run.code, 5, run.stderr);
  });

  it('passes SIGTERM on: a program that handles it exits with its own code', async () => {
    const events = join(dir, 'trap.ndjson');
    const run = await runCli(
      ['run', '-q', '--events', events, '--', process.execPath, nodeWorkload, 'trap'],
      {
        onSpawn: signalWhenReady('SIGTERM'),
      },
    );
    assert.equal(run.code, 7, run.stderr);
    assert.equal(readEvents(events).at(-1)?.type, 'exit');
  });

  it('passes SIGTERM on: a program killed by it makes memwatcher exit with 143', async () => {
    const events = join(dir, 'killed.ndjson');
    const run = await runCli(
      ['run', '-q', '--events', events, '--', 'python3', pythonWorkload, 'sleep', '20000'],
      {
        onSpawn: signalWhenReady('SIGTERM'),
      },
    );
    assert.equal(run.code, 143, run.stderr);
    const exit = readEvents(events).at(-1);
    assert.ok(exit?.type === 'exit');
    assert.equal(exit.signal, 'SIGTERM');
    assert.equal(exit.exitCode, null);
  });

  it('passes SIGINT on (kill -INT to memwatcher alone, as from another terminal): exit 130', async () => {
    const run = await runCli(['run', '-q', '--', 'python3', pythonWorkload, 'sleep', '20000'], {
      onSpawn: signalWhenReady('SIGINT'),
    });
    assert.equal(run.code, 130, run.stderr);
  });

  it('says so in one line and exits 127 when the command does not exist', async () => {
    const run = await runCli(['run', '--', 'no-such-command-memwatcher']);
    assert.equal(run.code, 127);
    assert.ok(isOneCleanLine(run.stderr), run.stderr);
    assert.match(run.stderr, /cannot run 'no-such-command-memwatcher': no such command on PATH/);
  });

  it('says so in one line and exits 126 when the file is not executable', async () => {
    const run = await runCli(['run', '--', pythonWorkload]);
    assert.equal(run.code, 126);
    assert.ok(isOneCleanLine(run.stderr), run.stderr);
    assert.match(run.stderr, /is not an executable file/);
  });

  it('refuses bad arguments with exit 2, before running anything', async () => {
    const marker = join(dir, 'ran');
    const command = ['python3', '-c', `open(${JSON.stringify(marker)}, 'w')`];
    for (const args of [
      ['run'],
      ['run', '--interval', 'often', '--', ...command],
      ['run', '--window', '2s', '--', ...command],
      ['run', '--on-leak', 'panic', '--', ...command],
      ['run', '--alert-rss', 'lots', '--', ...command],
      ['run', '--smtp', 'smtp://localhost:2525', '--', ...command],
    ]) {
      const run = await runCli(args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.ok(isOneCleanLine(run.stderr), run.stderr);
    }
    assert.equal(existsSync(marker), false, 'the command never ran');
  });

  it('refuses an events file it cannot write with exit 3, before running anything', async () => {
    const marker = join(dir, 'ran-too');
    const run = await runCli([
      'run',
      '--events',
      join(dir, 'missing-dir', 'events.ndjson'),
      '--',
      'python3',
      '-c',
      `open(${JSON.stringify(marker)}, 'w')`,
    ]);
    assert.equal(run.code, 3, run.stderr);
    assert.ok(isOneCleanLine(run.stderr), run.stderr);
    assert.match(run.stderr, /events file/);
    assert.equal(existsSync(marker), false);
  });
});
