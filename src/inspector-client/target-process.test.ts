import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { AttachError } from '../errors.ts';
import { checkTargetProcess, isProcessAlive } from './target-process.ts';

const isCode = (code: string) => (error: unknown) => error instanceof AttachError && error.code === code;
const linux = process.platform === 'linux' ? false : 'reads /proc';

describe('checkTargetProcess', { skip: linux }, () => {
  it('accepts a Node process and reads where its inspector would open', async () => {
    const child = spawn(
      process.execPath,
      ['--inspect-port=127.0.0.1:9333', '-e', 'setTimeout(() => {}, 30000)'],
      {
        stdio: 'ignore',
        env: { ...process.env, NODE_OPTIONS: '' },
      },
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const target = await checkTargetProcess(child.pid!);
      assert.equal(target.name, 'node');
      assert.equal(target.argv[1], '--inspect-port=127.0.0.1:9333');
      assert.deepEqual([target.inspectorAddress.host, target.inspectorAddress.port], ['127.0.0.1', 9333]);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses a process that is not Node', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await assert.rejects(
        checkTargetProcess(child.pid!),
        (error: unknown) =>
          isCode('ERR_NOT_NODE')(error) &&
          /\(sleep\) is not a Node\.js process/.test((error as Error).message),
      );
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses a Node process that does not catch SIGUSR1', async () => {
    const child = spawn(process.execPath, ['--disable-sigusr1', '-e', 'setTimeout(() => {}, 30000)'], {
      stdio: 'ignore',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await assert.rejects(
        checkTargetProcess(child.pid!),
        (error: unknown) =>
          isCode('ERR_NOT_NODE')(error) &&
          /does not open its inspector on SIGUSR1/.test((error as Error).message),
      );
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('says when there is no such process', async () => {
    await assert.rejects(
      checkTargetProcess(2_147_483_647),
      (error: unknown) =>
        isCode('ERR_NO_SUCH_PROCESS')(error) &&
        /No process with PID 2147483647/.test((error as Error).message),
    );
    const child = spawn('true', [], { stdio: 'ignore' });
    await new Promise((resolve) => child.on('close', resolve));
    assert.equal(await isProcessAlive(child.pid!), false);
    assert.equal(await isProcessAlive(process.pid), true);
  });
});
