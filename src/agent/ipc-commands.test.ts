import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isInspectorSessionOpen } from './inspector-session.ts';
import { answer } from './ipc-commands.ts';
import {
  IPC_PROTOCOL_VERSION,
  isAgentCommand,
  isCommandReply,
  type SnapshotSeriesCommand,
} from './ipc-protocol.ts';
import { MemoryWatcher } from './watcher.ts';

const dir = mkdtempSync(join(tmpdir(), 'memwatcher-ipc-commands-'));
const watcher = new MemoryWatcher();
after(() => {
  watcher.stop();
  rmSync(dir, { recursive: true, force: true });
});

function series(overrides: Partial<SnapshotSeriesCommand> = {}): SnapshotSeriesCommand {
  return {
    source: 'memwatcher',
    v: IPC_PROTOCOL_VERSION,
    type: 'command',
    command: 'snapshot-series',
    id: 7,
    dir,
    count: 2,
    intervalMs: 0,
    label: 'leak',
    ...overrides,
  };
}

describe('answer (the agent side of the snapshot-series command)', () => {
  it('takes the series into the directory, in order, and answers with the files', async () => {
    const reply = await answer(watcher, series());
    assert.ok(isCommandReply(reply));
    assert.equal(reply.id, 7);
    assert.equal(reply.ok, true, reply.message ?? '');
    assert.equal(reply.files.length, 2);
    assert.match(reply.files[0]!, /-leak-1\.heapsnapshot$/);
    assert.match(reply.files[1]!, /-leak-2\.heapsnapshot$/);
    assert.ok(reply.files.every((file) => existsSync(file)));
    assert.equal(isInspectorSessionOpen(), false, 'the session held across the series is released');
  });

  it('answers a failure with its code, never a rejection', async () => {
    const missing = await answer(watcher, series({ dir: join(dir, 'missing') }));
    assert.equal(missing.ok, false);
    assert.equal(missing.code, 'ERR_SNAPSHOT_DIR');
    assert.deepEqual(missing.files, []);
    const tooMany = await answer(watcher, series({ count: 50 }));
    assert.equal(tooMany.code, 'ERR_INVALID_OPTION');
    const unknown = await answer(watcher, {
      ...series(),
      command: 'format-disk',
    } as unknown as SnapshotSeriesCommand);
    assert.equal(unknown.code, 'ERR_UNKNOWN_COMMAND');
  });

  it('tells commands from other messages on the channel', () => {
    assert.equal(isAgentCommand(series()), true);
    assert.equal(isAgentCommand({ type: 'command', id: 1 }), false, "the program's own messages");
    assert.equal(isAgentCommand({ ...series(), v: 99 }), false);
    assert.equal(isCommandReply(series()), false);
  });
});
