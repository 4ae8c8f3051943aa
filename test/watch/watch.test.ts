/**
 * `memwatcher watch <pid>`: a running process watched from outside through /proc, until it exits,
 * `--duration` runs out, or memwatcher is stopped; a PID that names no process is a clear error.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isOneCleanLine, runCli } from '../cli/run-cli.ts';
import { ofType, readEvents } from '../run/events-file.ts';

const pythonWorkload = fileURLToPath(new URL('../run/fixtures/workload.py', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'memwatcher-watch-'));
const started: ChildProcess[] = [];
after(() => {
  for (const child of started) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Starts a program the test owns and resolves once it printed "ready". */
function startProgram(command: string, args: string[]): Promise<ChildProcess> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(child);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', () => resolve(child));
  });
}

describe('memwatcher watch', { concurrency: true }, () => {
  it('samples a Python process from outside for --duration, then exits 0', async () => {
    const program = await startProgram('python3', [pythonWorkload, 'healthy', '20000']);
    const events = join(dir, 'duration.ndjson');
    const run = await runCli([
      'watch',
      String(program.pid),
      '--interval',
      '200ms',
      '--duration',
      '2s',
      '--events',
      events,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const recorded = readEvents(events);
    const start = recorded[0];
    assert.ok(start?.type === 'start');
    assert.equal(start.mode, 'watch');
    assert.equal(start.method, 'proc');
    assert.equal(start.pid, program.pid);
    assert.ok(
      start.command.some((arg) => arg.endsWith('workload.py')),
      JSON.stringify(start.command),
    );
    const samples = ofType(recorded, 'sample');
    assert.ok(samples.length >= 5, `${samples.length} samples`);
    assert.ok(samples.every((sample) => sample.pid === program.pid && sample.rss > 1024 * 1024));
    const exit = recorded.at(-1);
    assert.ok(exit?.type === 'exit' && exit.reason === 'duration');
    assert.equal(program.exitCode, null, 'the watched process was left running');
    assert.match(run.stderr, /memwatcher: watched pid \d+ for \d+ s \(--duration\)\./);
  });

  it('ends when the watched process exits', async () => {
    const program = await startProgram('python3', [pythonWorkload, 'sleep', '5000']);
    const events = join(dir, 'exited.ndjson');
    const run = await runCli(['watch', String(program.pid), '--interval', '100ms', '--events', events]);
    assert.equal(run.code, 0, run.stderr);
    const exit = readEvents(events).at(-1);
    assert.ok(exit?.type === 'exit' && exit.reason === 'exited');
  });

  it('stops on SIGTERM and still writes its files', async () => {
    const program = await startProgram('python3', [pythonWorkload, 'sleep', '20000']);
    const events = join(dir, 'stopped.ndjson');
    const run = await runCli(['watch', String(program.pid), '--interval', '100ms', '--events', events], {
      // Once it says it is watching (its signal handlers are in place).
      onSpawn: (child) => child.stderr?.once('data', () => child.kill('SIGTERM')),
    });
    assert.equal(run.code, 0, run.stderr);
    const exit = readEvents(events).at(-1);
    assert.ok(exit?.type === 'exit' && exit.reason === 'stopped');
  });

  it('sums a process tree with --tree', async () => {
    const program = await startProgram('sh', ['-c', `python3 ${pythonWorkload} sleep 20000`]);
    const events = join(dir, 'tree.ndjson');
    const run = await runCli([
      'watch',
      String(program.pid),
      '--tree',
      '--duration',
      '1s',
      '--events',
      events,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const samples = ofType(readEvents(events), 'sample');
    assert.ok(samples.length >= 1);
    assert.ok(
      samples.every((sample) => sample.source === 'proc' && sample.processes >= 2),
      JSON.stringify(samples),
    );
  });

  it('exits 3 with one clear line for a PID that names no process', async () => {
    const run = await runCli(['watch', '99999999']);
    assert.equal(run.code, 3);
    assert.ok(isOneCleanLine(run.stderr), run.stderr);
    assert.match(run.stderr, /^memwatcher: no process with pid 99999999/);
  });

  it('exits 2 for a PID that is not a number, or none', async () => {
    for (const args of [
      ['watch', 'abc'],
      ['watch'],
      ['watch', '1', '2'],
      ['watch', '1', '--duration', 'soon'],
    ]) {
      const run = await runCli(args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.ok(isOneCleanLine(run.stderr), run.stderr);
    }
  });
});
