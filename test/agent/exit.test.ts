/**
 * A watched program exits when it would have without us: the agent's timers and handles are
 * unref()ed. Each fixture must end by itself; a generous kill timer only turns a hang into a failure.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { childOutcome } from './child-outcome.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const idleWatcher = fileURLToPath(new URL('./fixtures/idle-watcher.ts', import.meta.url));
const HANG_LIMIT_MS = 20_000;

const outcome = (child: ChildProcess) => childOutcome(child, HANG_LIMIT_MS);

describe('a watched program exits by itself', () => {
  it('when it only starts a MemoryWatcher', async () => {
    const result = await outcome(spawn(process.execPath, [idleWatcher], { stdio: 'pipe' }));
    assert.equal(result.signal, null, 'killed: the watcher kept the process alive');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'started true\n');
  });

  it('while an alert is stuck on a webhook that never answers and an SMTP server that is down', async () => {
    const hanging: ServerResponse[] = [];
    const server = createServer((_req, res) => hanging.push(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const result = await outcome(
        spawn(
          process.execPath,
          [idleWatcher, 'sinks', `http://127.0.0.1:${port}/hook`, 'smtp://127.0.0.1:1'],
          {
            stdio: 'pipe',
          },
        ),
      );
      assert.equal(result.signal, null, 'killed: a sink kept the process alive');
      assert.equal(result.code, 0, result.stderr);
      assert.ok(hanging.length >= 1, 'the webhook request was in flight');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('when loaded through memwatcher/register, with and without an IPC channel', async () => {
    const program = ['-e', 'setTimeout(() => process.stdout.write("done\\n"), 300)'];
    const execArgv = ['--conditions=memwatcher-source', '--import', 'memwatcher/register'];
    const plain = await outcome(
      spawn(process.execPath, [...execArgv, ...program], { cwd: root, stdio: 'pipe' }),
    );
    assert.equal(plain.signal, null);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout, 'done\n');

    const viaIpc = fork(fileURLToPath(new URL('./fixtures/report-watched.ts', import.meta.url)), ['ipc'], {
      cwd: root,
      execArgv,
      env: { ...process.env, MEMWATCHER_IPC: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let messages = 0;
    viaIpc.on('message', () => messages++);
    const ipc = await outcome(viaIpc);
    assert.equal(ipc.signal, null, 'killed: the IPC channel kept the process alive');
    assert.equal(ipc.code, 0, ipc.stderr);
    assert.match(ipc.stdout, /"watched":true/);
    assert.ok(messages >= 1, 'the agent said hello over IPC');
  });
});
