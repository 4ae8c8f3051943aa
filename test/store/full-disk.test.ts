/**
 * History on a full disk: the writer reports ERR_STORE_FULL through its onError and keeps running;
 * the process does not crash (no exception out of the timer, no SIGXFSZ death) and the file it
 * leaves is readable. The full disk is made with the file size limit of the writer's process
 * (`ulimit -f` in `sh`): no root, no tmpfs, no loop device. A write past the limit fails with EFBIG,
 * which SQLite reports as an I/O error; the writer tells it from other I/O errors by the limit.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, test } from 'node:test';
import { openHistoryReader } from '../../src/store/index.ts';
import { startWriter } from './writer-process.ts';

const root = mkdtempSync(join(tmpdir(), 'memwatcher-store-full-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** In 512-byte blocks for dash, 1 KiB for bash: 256 or 512 KiB, either way a few thousand samples. */
const FILE_SIZE_LIMIT = 512;

test('a full disk is ERR_STORE_FULL, reported once, and the writing process lives on', async () => {
  const file = join(root, 'history.db');
  const writer = startWriter(
    file,
    { mode: 'fast', flushIntervalMs: 100, maxBatchRows: 500, stopAfterErrorMs: 500 },
    { shellPrefix: `ulimit -f ${FILE_SIZE_LIMIT}` },
  );
  const { runId } = await writer.line('ready');
  const stats = await writer.line('stats');
  const exit = await writer.exited;
  assert.deepEqual(exit, { code: 0, signal: null }, `the process ended by itself: ${writer.stderr()}`);
  assert.equal(writer.stderr(), '', 'no warning, no stack trace');

  const errors = writer.lines.filter((l) => l.type === 'error');
  assert.ok(errors.length >= 1);
  assert.deepEqual(new Set(errors.map((e) => e.code)), new Set(['ERR_STORE_FULL']));
  assert.match(String(errors[0]?.message), /no space left/);
  assert.equal(errors.length, 1, 'one report while the disk stays full');
  assert.ok(Number(stats.failedFlushes) >= 2, 'it kept retrying, and kept quiet about it');
  assert.equal(stats.allWritten, false);
  assert.equal(stats.lastError, 'ERR_STORE_FULL');

  // What made it to disk before the limit is intact and readable.
  assert.ok(statSync(file).size <= 512 * 1024);
  const db = new DatabaseSync(file, { readOnly: true });
  assert.equal(db.prepare('PRAGMA integrity_check').get()?.integrity_check, 'ok');
  db.close();
  const reader = openHistoryReader(file);
  const stored = reader.samples(Number(runId), { maxPoints: 1 }).points[0]?.samples ?? 0;
  assert.ok(stored > 0 && stored < Number(stats.recorded), `${stored} of ${stats.recorded} samples stored`);
  reader.close();
});

test('once writes fit again, the rows kept in memory are written: nothing is lost', async () => {
  // At a steady rate each batch is small. When the WAL reaches the limit, a checkpoint moves it into
  // the database file (which still has room) and the WAL is written from its start again.
  const file = join(root, 'steady.db');
  const writer = startWriter(
    file,
    { mode: 'steady', flushIntervalMs: 100, stopAfterErrorMs: 1500 },
    { shellPrefix: `ulimit -f ${FILE_SIZE_LIMIT}` },
  );
  const { runId } = await writer.line('ready');
  const stats = await writer.line('stats');
  assert.deepEqual(await writer.exited, { code: 0, signal: null });
  const errors = writer.lines.filter((l) => l.type === 'error');
  assert.deepEqual(
    errors.map((e) => e.code),
    ['ERR_STORE_FULL'],
  );
  assert.ok(Number(stats.failedFlushes) >= 1);
  assert.equal(stats.droppedRows, 0);
  assert.equal(stats.allWritten, true);
  const reader = openHistoryReader(file);
  const stored = reader.samples(Number(runId), { maxPoints: 1 }).points[0]?.samples;
  assert.equal(stored, stats.recorded, 'every recorded sample is in the file');
  reader.close();
});
