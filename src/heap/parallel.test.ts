/**
 * The two-thread path for big snapshots must give exactly what one thread gives. Big files are made
 * from a real fixture snapshot by appending one long string to its string table (a heap holding a big
 * string, nothing V8 would not write), which takes it past PARALLEL_MIN_BYTES without changing any
 * node or edge.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { snapshotsFor, tempDir } from '../../test/support/leak-snapshots.ts';
import { SnapshotFormatError } from '../errors.ts';
import { analyzeSnapshots } from './analyze.ts';
import { buildHeapGraph, buildHeapGraphParallel } from './graph.ts';
import { EngineThread, PARALLEL_MIN_BYTES, parseSnapshotFile } from './parallel.ts';
import { parseHeapSnapshot } from './parse.ts';
import { isShared } from './shared-snapshot.ts';
import type { HeapSnapshot } from './snapshot.ts';

const dir = tempDir('parallel-test-');
let fileCounter = 0;

/** The snapshot's text with a string long enough to pass PARALLEL_MIN_BYTES appended to its table. */
function padded(text: string, edit: (text: string) => string = (same) => same): string {
  const edited = edit(text);
  assert.ok(edited.endsWith(']}'), 'a V8 snapshot ends with its string table');
  const padding = 'x'.repeat(Math.max(0, PARALLEL_MIN_BYTES + 4096 - edited.length));
  const file = join(dir, `${++fileCounter}.heapsnapshot`);
  writeFileSync(file, `${edited.slice(0, -2)},"${padding}"]}`);
  return file;
}

const threads: EngineThread[] = [];
after(async () => {
  for (const thread of threads) await thread.close();
});

async function parseOnTwoThreads(file: string): Promise<HeapSnapshot> {
  const thread = new EngineThread();
  threads.push(thread);
  return parseSnapshotFile(file, { thread });
}

const columns = [
  'nodeType',
  'nodeName',
  'nodeId',
  'nodeSelfSize',
  'firstEdge',
  'edgeType',
  'edgeNameOrIndex',
  'edgeTo',
  'locationNode',
  'locationScript',
  'locationLine',
  'locationColumn',
] as const;

let bigFile: Promise<string> | undefined;

/** The buffers-in-array fixture's last snapshot, made big; written once. */
function bigSnapshot(): Promise<string> {
  bigFile ??= snapshotsFor('buffers-in-array').then(([, , last]) => padded(readFileSync(last!, 'utf8')));
  return bigFile;
}

function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

describe('big snapshots on two threads', { concurrency: 1 }, () => {
  test('parse and graph: every column, string and derived array equals the one-thread result', async () => {
    const file = await bigSnapshot();
    const thread = new EngineThread();
    threads.push(thread);
    const parallelSnapshot = await parseSnapshotFile(file, { thread });
    assert.ok(isShared(parallelSnapshot), 'the two-thread path was not taken');
    const sequentialSnapshot = parseHeapSnapshot(file);
    for (const column of columns) {
      assert.ok(sameBytes(parallelSnapshot[column], sequentialSnapshot[column]), `${column} differs`);
    }
    assert.ok(sameBytes(parallelSnapshot.nodeDetachedness!, sequentialSnapshot.nodeDetachedness!));
    const { strings } = parallelSnapshot;
    assert.equal(strings.size, sequentialSnapshot.strings.size);
    for (let i = 0; i < strings.size - 1; i += 7) {
      assert.equal(strings.get(i), sequentialSnapshot.strings.get(i), `string ${i}`);
    }
    assert.ok(
      strings.rawLength(strings.size - 1) > PARALLEL_MIN_BYTES / 2,
      'the long string is the last one',
    );

    const parallel = await buildHeapGraphParallel(parallelSnapshot, thread);
    const sequential = buildHeapGraph(sequentialSnapshot);
    assert.ok(
      sameBytes(parallel.snapshot.nodeSelfSize, sequential.snapshot.nodeSelfSize),
      'attributed sizes',
    );
    assert.ok(sameBytes(parallel.dominators.idom, sequential.dominators.idom), 'dominators');
    assert.ok(
      sameBytes(parallel.dominators.retainedSize, sequential.dominators.retainedSize),
      'retained sizes',
    );
    assert.ok(sameBytes(parallel.distances.distance, sequential.distances.distance), 'distances');
    assert.ok(sameBytes(parallel.distances.parentEdge, sequential.distances.parentEdge), 'retainer paths');
    const names = (graph: typeof parallel) =>
      [...graph.classIndex].map((index) => graph.snapshot.strings.get(index));
    assert.deepEqual(names(parallel), names(sequential));
    assert.equal(parallel.totalSize, sequential.totalSize);
  });

  test('analyzeSnapshots with a big last snapshot: what the same heap gives on one thread', async () => {
    const [first, second, last] = (await snapshotsFor('buffers-in-array')) as [string, string, string];
    const big = await bigSnapshot();
    const twoThreads = await analyzeSnapshots([first, second, big]);
    const oneThread = await analyzeSnapshots([first, second, last]);
    // The long string is no node: only the file name may differ.
    twoThreads.snapshots[2]!.file = last;
    assert.deepEqual(twoThreads, oneThread);
    assert.equal(twoThreads.suspects[0]?.name, 'Buffer');
  });

  let broken: Promise<{ file: string; oneThread: unknown; twoThreads: unknown }> | undefined;

  /** A big file whose first edge points far beyond the last node (found by the edges thread), parsed both ways. */
  function brokenBigFile(): Promise<{ file: string; oneThread: unknown; twoThreads: unknown }> {
    broken ??= snapshotsFor('buffers-in-array').then(async ([, , last]) => {
      const text = readFileSync(last!, 'utf8');
      const edgesAt = text.indexOf('"edges":[') + '"edges":['.length;
      const thirdComma = text.indexOf(',', text.indexOf(',', text.indexOf(',', edgesAt) + 1) + 1);
      const file = padded(text, (t) => `${t.slice(0, edgesAt)}1,1,999999999${t.slice(thirdComma)}`);
      const failure = async (parse: () => unknown) => {
        try {
          await parse();
        } catch (error) {
          return error;
        }
        return undefined;
      };
      return {
        file,
        oneThread: await failure(() => parseHeapSnapshot(file)),
        twoThreads: await failure(() => parseOnTwoThreads(file)),
      };
    });
    return broken;
  }

  test('a broken big file fails as on one thread: the worker’s error arrives with its code', async () => {
    const { file, oneThread, twoThreads } = await brokenBigFile();
    assert.ok(oneThread instanceof SnapshotFormatError && oneThread.code === 'ERR_SNAPSHOT_INCONSISTENT');
    assert.ok(twoThreads instanceof SnapshotFormatError, String(twoThreads));
    assert.equal(twoThreads.code, 'ERR_SNAPSHOT_INCONSISTENT', twoThreads.message);
    assert.ok(twoThreads.message.includes(file), 'the message names the file');
  });

  test('a broken big file: SnapshotFormatError.file names the file, as on one thread', {
    todo: "engine bug (minor): replyError in parallel.ts rebuilds the worker's SnapshotFormatError with file '' (only the message names the file)",
  }, async () => {
    const { file, twoThreads } = await brokenBigFile();
    assert.ok(twoThreads instanceof SnapshotFormatError);
    assert.equal(twoThreads.file, file);
  });
});
