/**
 * Paths the memwatcher process may not write: a clear ERR_STORE_OPEN naming the reason, and a
 * history file in a read-only place (an archive, someone else's directory) can still be read.
 * The child runs as `nobody` when the tests run as root (root would ignore the permissions).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openHistoryWriter } from '../../src/store/index.ts';

const root = mkdtempSync(join(tmpdir(), 'memwatcher-store-unwritable-'));
after(() => {
  chmodSync(join(root, 'archive'), 0o755);
  rmSync(root, { recursive: true, force: true });
});
const fixture = fileURLToPath(new URL('./fixtures/open-as-other-user.ts', import.meta.url));

test('unwritable paths are ERR_STORE_OPEN with the reason; a read-only history still reads', () => {
  const archive = join(root, 'archive');
  mkdirSync(archive);
  const file = join(archive, 'history.db');
  const writer = openHistoryWriter(file);
  writer.startRun({ mode: 'run', argv: ['node', 'archived.js'] });
  writer.close();
  // Readable by anyone, writable by no one: the directory and the file.
  chmodSync(root, 0o755);
  chmodSync(file, 0o444);
  chmodSync(archive, 0o555);

  const output = execFileSync(process.execPath, [fixture, archive, file], { encoding: 'utf8' });
  const result = JSON.parse(output) as Record<string, { ok?: unknown; code?: string; message?: string }>;
  assert.notEqual(result.uid, 0, 'the child is not root');
  assert.equal(result.newFile?.code, 'ERR_STORE_OPEN');
  assert.match(result.newFile?.message ?? '', /Cannot create history file .*new\.db: permission denied/);
  assert.equal(result.existingForWriting?.code, 'ERR_STORE_OPEN');
  assert.match(result.existingForWriting?.message ?? '', /read-only for this user/);
  assert.deepEqual(result.existingForReading, { ok: [['node', 'archived.js']] });
});
