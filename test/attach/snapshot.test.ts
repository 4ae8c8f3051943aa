/**
 * `memwatcher snapshot <pid>` on real processes started without memwatcher: the snapshot is written
 * (0600, a real V8 heap snapshot), and the process is left as it was — its inspector closed again
 * (or left open when it was open before), still running, ending normally afterwards. Bad PIDs,
 * non-Node processes, a busy port and a non-loopback inspector give one clear line and the right
 * exit code, and the process is not signalled. Targets get their own inspector port
 * (`--inspect-port`), so these tests run beside others; one test uses the default port 9229.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isOneCleanLine, runCli } from '../cli/run-cli.ts';
import { freePort, isListening, type RunningApp, startRunningApp } from './running-app.ts';

const dir = mkdtempSync(join(tmpdir(), 'memwatcher-snapshot-'));
const started: RunningApp[] = [];
after(() => {
  for (const app of started) app.kill();
  rmSync(dir, { recursive: true, force: true });
});

async function app(mode: 'leak' | 'steady', execArgv: string[] = [], node?: string): Promise<RunningApp> {
  const running = await startRunningApp(mode, { execArgv, ...(node === undefined ? {} : { node }) });
  started.push(running);
  return running;
}

function head(file: string, bytes: number): string {
  const fd = openSync(file, 'r');
  const buffer = Buffer.alloc(bytes);
  readSync(fd, buffer, 0, bytes, 0);
  return buffer.toString('utf8');
}

/** The process is as memwatcher found it, and still alive and working. */
async function assertLeftAsItWas(target: RunningApp, inspectorOpen: boolean) {
  const before = await target.status();
  assert.equal(before.inspectorUrl !== null, inspectorOpen, `inspector ${before.inspectorUrl}`);
  assert.equal(before.observers, 0, 'no GC observer left behind');
  assert.equal(before.addedGlobals, 0, 'no globals added');
  assert.equal(before.addedSymbols, 0, 'no global symbols added');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.ok((await target.status()).ticks > before.ticks, 'it keeps running');
  const end = await target.exit();
  assert.deepEqual([end.code, end.signal, end.lastLine], [0, null, 'bye'], target.stderr());
}

describe('memwatcher snapshot', { concurrency: true, timeout: 120_000 }, () => {
  it('writes a heap snapshot of a running process and closes the inspector it opened', async () => {
    const port = await freePort();
    const target = await app('steady', [`--inspect-port=127.0.0.1:${port}`]);
    const file = join(dir, 'steady.heapsnapshot');
    const run = await runCli(['snapshot', String(target.pid), '-o', file]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      new RegExp(
        `^Wrote ${file} \\([\\d.]+ [kMG]B in [\\d.]+ s\\): heap snapshot of process ${target.pid}\\.`,
      ),
    );
    assert.match(run.stdout, /Its inspector was closed again/);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.match(head(file, 40), /^\{"snapshot":\{"meta":\{"node_fields":/);
    assert.match(target.stderr(), new RegExp(`Debugger listening on ws://127\\.0\\.0\\.1:${port}/`));
    assert.equal(await isListening(port), false, 'the port is free again');
    await assertLeftAsItWas(target, false);

    // The file is a whole snapshot the engine reads.
    const analysis = await runCli(['analyze', file, '--json', '--top', '3'], { timeoutMs: 90_000 });
    assert.equal(analysis.code, 0, analysis.stderr);
    assert.ok(JSON.parse(analysis.stdout).snapshots[0].nodeCount > 10_000);
  });

  it('uses an inspector that was open already and leaves it open', async () => {
    const port = await freePort();
    const target = await app('steady', [`--inspect=127.0.0.1:${port}`]);
    const file = join(dir, 'open.heapsnapshot');
    const run = await runCli(['snapshot', String(target.pid), '-o', file]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Its inspector was already open and was left open\./);
    assert.ok(existsSync(file));
    assert.equal(await isListening(port), true);
    await assertLeftAsItWas(target, true);
  });

  it('opens the inspector on the default port 9229 when the process names none', async (t) => {
    if (await isListening(9229)) {
      t.skip('something listens on 127.0.0.1:9229 on this machine');
      return;
    }
    const target = await app('steady');
    const run = await runCli(['snapshot', String(target.pid), '-o', join(dir, 'default.heapsnapshot')]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(target.stderr(), /Debugger listening on ws:\/\/127\.0\.0\.1:9229\//);
    await assertLeftAsItWas(target, false);
  });

  it('works on a target of another Node version (the machine’s node, when it is not ours)', async (t) => {
    const other = '/usr/bin/node';
    if (!existsSync(other)) {
      t.skip('no /usr/bin/node on this machine');
      return;
    }
    const port = await freePort();
    const target = await app('steady', [`--inspect-port=${port}`], other);
    const run = await runCli(['snapshot', String(target.pid), '-o', join(dir, 'other-node.heapsnapshot')]);
    assert.equal(run.code, 0, run.stderr);
    await assertLeftAsItWas(target, false);
  });

  it('refuses a process that is not Node, without signalling it', async () => {
    const python = spawn('python3', ['-c', 'import time; time.sleep(60)'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const run = await runCli(['snapshot', String(python.pid)]);
      assert.equal(run.code, 3);
      assert.ok(isOneCleanLine(run.stderr), run.stderr);
      assert.match(
        run.stderr,
        new RegExp(`Process ${python.pid} \\(python[\\d.]*\\) is not a Node\\.js process`),
      );
      assert.equal(python.exitCode, null, 'SIGUSR1 would have ended it');
      assert.equal(python.signalCode, null);
    } finally {
      python.kill('SIGKILL');
    }
  });

  it('says so when the port is taken by something that is not an inspector', async () => {
    const port = await freePort();
    const squatter = createServer((_, response) => response.end('hello')).listen(port, '127.0.0.1');
    try {
      const target = await app('steady', [`--inspect-port=${port}`]);
      const run = await runCli(['snapshot', String(target.pid)]);
      assert.equal(run.code, 4);
      assert.ok(isOneCleanLine(run.stderr), run.stderr);
      assert.match(
        run.stderr,
        new RegExp(`Port 127\\.0\\.0\\.1:${port} is taken by something that is not a Node inspector`),
      );
      assert.doesNotMatch(target.stderr(), /Debugger/, 'the process was not signalled');
      await assertLeftAsItWas(target, false);
    } finally {
      squatter.close();
    }
  });

  it('refuses an inspector that would listen beyond loopback, without signalling', async () => {
    const port = await freePort();
    const target = await app('steady', [`--inspect-port=0.0.0.0:${port}`]);
    const run = await runCli(['snapshot', String(target.pid)]);
    assert.equal(run.code, 4);
    assert.ok(isOneCleanLine(run.stderr), run.stderr);
    assert.match(run.stderr, /would open its inspector on 0\.0\.0\.0, reachable from other machines/);
    assert.doesNotMatch(target.stderr(), /Debugger/);
    await assertLeftAsItWas(target, false);
  });

  it('gives one clear line for a missing PID and bad arguments', async () => {
    const cases: [string[], number, RegExp][] = [
      // Linux pids stop at 2^22: 2^31 − 1 is a valid number that names no process.
      [['snapshot', '2147483647'], 3, /No process with PID 2147483647 is running/],
      [['snapshot', '4194303999'], 2, /<pid> must be a process id/],
      [['snapshot'], 2, /missing <pid> argument/],
      [['snapshot', 'node'], 2, /<pid> must be a process id \(a positive whole number\), got 'node'/],
      [['snapshot', '0'], 2, /<pid> must be a process id/],
      [['snapshot', '12', '13'], 2, /unexpected argument '13'/],
      [['snapshot', '12', '--port', '70000'], 2, /--port must be a TCP port \(1–65535\), got '70000'/],
      [['attach', '2147483647'], 3, /No process with PID 2147483647 is running/],
      [['attach', '12', '--interval', 'soon'], 2, /--interval must be a duration/],
    ];
    for (const [args, code, message] of cases) {
      const run = await runCli(args);
      assert.equal(run.code, code, `${args.join(' ')}: ${run.stderr}`);
      assert.ok(isOneCleanLine(run.stderr), run.stderr);
      assert.match(run.stderr, message);
    }
  });
});
