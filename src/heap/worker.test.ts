/**
 * The engine's worker thread, started the way callers start it: `new Worker(url, { workerData })`.
 * It must post progress, then exactly one result (the same as the in-process analysis) or one error
 * with the engine's code, then exit.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { snapshotsFor, tempDir } from '../../test/support/leak-snapshots.ts';
import { analyzeSnapshots } from './analyze.ts';
import type { AnalysisResult, RetainerPathStep } from './types.ts';
import type { HeapWorkerMessage, HeapWorkerRequest } from './worker.ts';

const workerUrl = new URL('./worker.ts', import.meta.url);
const phases = new Set([
  'parse',
  'index',
  'dominators',
  'retained sizes',
  'distances',
  'summary',
  'diff',
  'suspects',
]);

/** Runs one request to completion: every message in order, and the exit code. */
function runWorker(request: HeapWorkerRequest): Promise<{ messages: HeapWorkerMessage[]; exitCode: number }> {
  return new Promise((resolve, reject) => {
    const messages: HeapWorkerMessage[] = [];
    const worker = new Worker(workerUrl, { workerData: request });
    worker.on('message', (message: HeapWorkerMessage) => messages.push(message));
    worker.on('error', reject);
    worker.on('exit', (exitCode) => resolve({ messages, exitCode }));
  });
}

/** Checks the protocol (progress…, then one final message) and returns the final message. */
function finalMessage(messages: HeapWorkerMessage[]): HeapWorkerMessage {
  assert.ok(messages.length > 0, 'the worker posted nothing');
  const finals = messages.filter((message) => message.type !== 'progress');
  assert.equal(finals.length, 1, `one result or error, got ${JSON.stringify(finals.map((m) => m.type))}`);
  assert.equal(messages.at(-1), finals[0], 'nothing after the result');
  for (const message of messages.slice(0, -1)) {
    assert.equal(message.type, 'progress');
    if (message.type !== 'progress') continue;
    const { snapshot, phase, done, total } = message.progress;
    assert.ok(phases.has(phase), `unknown phase ${phase}`);
    assert.ok(Number.isInteger(snapshot) && snapshot >= 0);
    assert.ok(Number.isFinite(done) && Number.isFinite(total) && done >= 0 && total >= 0);
  }
  return finals[0]!;
}

let inProcess: Promise<AnalysisResult> | undefined;

/** The in-process analysis of the fixture the worker is tested on, computed once. */
async function expectedAnalysis(): Promise<AnalysisResult> {
  inProcess ??= snapshotsFor('buffers-in-array').then((files) => analyzeSnapshots(files, { top: 5 }));
  return inProcess;
}

describe('heap engine worker', { concurrency: 1 }, () => {
  test('analyze: progress for every snapshot, then one result equal to the in-process analysis (top included)', async () => {
    const files = await snapshotsFor('buffers-in-array');
    const [{ messages, exitCode }, expected] = await Promise.all([
      runWorker({ kind: 'analyze', files, top: 5 }),
      expectedAnalysis(),
    ]);
    assert.equal(exitCode, 0);
    const final = finalMessage(messages);
    assert.equal(final.type, 'result');
    if (final.type !== 'result') return;
    assert.deepEqual(final.result, expected);
    const result = final.result as AnalysisResult;
    assert.equal(result.suspects[0]?.name, 'Buffer');
    assert.equal(result.summary.length, 5, 'top reached the engine');
    const progress = messages.flatMap((message) => (message.type === 'progress' ? [message.progress] : []));
    assert.deepEqual([...new Set(progress.map((p) => p.snapshot))].sort(), [0, 1, 2]);
    for (const phase of ['parse', 'dominators', 'suspects']) {
      assert.ok(
        progress.some((p) => p.phase === phase),
        `no ${phase} progress`,
      );
    }
  });

  test('retainerPath: the path to a known object from a GC root; null for an id the snapshot lacks', async () => {
    const files = await snapshotsFor('buffers-in-array');
    const last = files[2]!;
    const { suspects } = await expectedAnalysis();
    const expected = suspects[0]!.retainerPath;
    const target = expected.at(-1)!.nodeId;
    const { messages, exitCode } = await runWorker({ kind: 'retainerPath', file: last, nodeId: target });
    assert.equal(exitCode, 0);
    const final = finalMessage(messages);
    assert.equal(final.type, 'result');
    if (final.type !== 'result') return;
    const path = final.result as RetainerPathStep[];
    assert.deepEqual(path, expected);
    assert.equal(path.at(-1)?.nodeId, target);
    assert.ok(path.some((step) => step.edge === 'uploadedChunks'));

    const missing = finalMessage(
      (await runWorker({ kind: 'retainerPath', file: last, nodeId: 2 ** 32 - 1 })).messages,
    );
    assert.deepEqual(missing, { type: 'result', result: null });
  });

  test('a bad file: one error message with the engine’s code, and a clean exit', async () => {
    const dir = tempDir('worker-test-');
    const empty = join(dir, 'empty.heapsnapshot');
    writeFileSync(empty, '');
    const files = await snapshotsFor('buffers-in-array');
    const cases: [HeapWorkerRequest, string][] = [
      [{ kind: 'analyze', files: [empty] }, 'ERR_SNAPSHOT_EMPTY'],
      [{ kind: 'analyze', files: [join(dir, 'missing.heapsnapshot')] }, 'ERR_FILE_ACCESS'],
      [{ kind: 'analyze', files: [files[2]!, files[0]!] }, 'ERR_SNAPSHOT_MISMATCH'],
      [{ kind: 'retainerPath', file: empty, nodeId: 1 }, 'ERR_SNAPSHOT_EMPTY'],
      [{ kind: 'bogus' } as unknown as HeapWorkerRequest, 'ERR_INTERNAL'],
    ];
    for (const [request, code] of cases) {
      const { messages, exitCode } = await runWorker(request);
      const final = finalMessage(messages);
      assert.equal(final.type, 'error', `${JSON.stringify(request)}: ${JSON.stringify(final)}`);
      if (final.type !== 'error') continue;
      assert.equal(final.code, code, final.message);
      assert.ok(final.message.length > 0);
      assert.equal(exitCode, 0);
    }
  });
});
