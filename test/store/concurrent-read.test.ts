/**
 * A report or dashboard reads history while the memwatcher process writes it: two processes, one
 * file. The reader sees each committed batch as it lands; a reader holding a long read keeps its
 * consistent view; the writer is never blocked (no failed commit) by either.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openHistoryReader } from '../../src/store/index.ts';
import { startWriter } from './writer-process.ts';

const root = mkdtempSync(join(tmpdir(), 'memwatcher-store-concurrent-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Distinct, growing sample counts the reader must see while the writer runs. */
const PROGRESS_STEPS = 8;

test('a reader in another process reads while the writer writes, and neither waits for the other', async () => {
  const file = join(root, 'history.db');
  const writer = startWriter(file, { mode: 'steady', flushIntervalMs: 50 });
  const { runId } = await writer.line('ready');

  // Both open while the writer runs: the file exists once 'ready' is printed.
  const reader = openHistoryReader(file);
  const held = new DatabaseSync(file, { readOnly: true });
  const countHeld = held.prepare('SELECT count(*) AS n FROM samples');

  const seen: number[] = [];
  let heldCount: number | undefined;
  for (let polls = 0; new Set(seen).size < PROGRESS_STEPS; polls++) {
    if (polls > 1000)
      assert.fail(`the reader saw only ${new Set(seen).size} different counts: ${seen.join(', ')}`);
    const series = reader.samples(Number(runId), { maxPoints: 20 });
    seen.push(series.points.reduce((sum, p) => sum + p.samples, 0));
    assert.equal(reader.runs().length, 1);
    if (heldCount === undefined && seen.at(-1)! > 0) {
      // A read transaction left open across many commits of the writer.
      held.exec('BEGIN');
      heldCount = Number(countHeld.get()?.n);
    }
    await sleep(20);
  }
  assert.deepEqual(
    seen,
    [...seen].sort((a, b) => a - b),
    'counts never go back',
  );
  assert.equal(
    Number(countHeld.get()?.n),
    heldCount,
    'the long read still sees the file as it was when it began',
  );
  held.exec('COMMIT');
  assert.ok(Number(countHeld.get()?.n) > heldCount!, 'and sees the new rows once it ends');
  held.close();
  reader.close();

  writer.child.kill('SIGTERM');
  const stats = await writer.line('stats');
  assert.deepEqual(await writer.exited, { code: 0, signal: null });
  assert.deepEqual(
    writer.lines.filter((l) => l.type === 'error'),
    [],
  );
  assert.equal(stats.failedFlushes, 0, 'no commit of the writer failed or timed out while others read');
  assert.equal(stats.allWritten, true);
  assert.ok(Number(stats.flushes) >= PROGRESS_STEPS);

  const after = openHistoryReader(file);
  const total = after.samples(Number(runId), { maxPoints: 10 }).points.reduce((sum, p) => sum + p.samples, 0);
  assert.equal(total, stats.recorded, 'a clean close leaves every recorded sample');
  assert.notEqual(after.runs()[0]?.endedAt, null);
  after.close();
});
