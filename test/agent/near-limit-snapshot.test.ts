/**
 * Snapshot near the heap limit, opt-in through MEMWATCHER_SNAPSHOT_NEAR_LIMIT: a process started with
 * a small heap limit fills it past the share and gets one heap snapshot (0600), announced over IPC.
 * The share is of V8's `heap_size_limit`, which counts the young generation's maximum too: with
 * `--max-old-space-size=96` it is 288 MB on Node 24, so 60 MB retained is a share of ~0.25.
 */
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type AgentMessage, isAgentMessage } from '../../src/agent/ipc-protocol.ts';
import { childOutcome } from './child-outcome.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fillHeap = fileURLToPath(new URL('./fixtures/fill-heap.ts', import.meta.url));

describe('heap snapshot near the heap limit', () => {
  it('is taken once the JS heap passes the configured share of its limit, and only once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'memwatcher-near-limit-'));
    try {
      const child = fork(fillHeap, ['60', '4000'], {
        cwd: root,
        execArgv: [
          '--max-old-space-size=96',
          '--conditions=memwatcher-source',
          '--import',
          'memwatcher/register',
        ],
        env: {
          ...process.env,
          MEMWATCHER_IPC: '1',
          MEMWATCHER_INTERVAL_MS: '100',
          MEMWATCHER_SNAPSHOT_DIR: dir,
          MEMWATCHER_SNAPSHOT_NEAR_LIMIT: '0.2',
        },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      const messages: AgentMessage[] = [];
      child.on('message', (m) => {
        if (isAgentMessage(m)) messages.push(m);
      });
      const { code, stderr } = await childOutcome(child);
      assert.equal(code, 0, stderr);
      const snapshots = messages.filter((m) => m.type === 'snapshot');
      assert.equal(snapshots.length, 1, `${snapshots.length} snapshots; stderr: ${stderr}`);
      const snapshot = snapshots[0]!;
      assert.ok(snapshot.type === 'snapshot');
      assert.equal(snapshot.reason, 'near-heap-limit');
      const hello = messages[0]!;
      assert.ok(hello.type === 'hello');
      const before = messages.filter((m) => m.type === 'sample' && m.time < snapshot.time);
      assert.ok(before.some((m) => m.type === 'sample' && m.heapUsed / m.heapLimit >= 0.2));
      const info = await stat(snapshot.file);
      assert.equal(info.mode & 0o777, 0o600);
      assert.equal(info.size, snapshot.bytes);
      assert.equal((await readdir(dir)).length, 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
