/**
 * The two-thread path (a worker parses `edges` while this thread parses the rest, then computes half
 * of the graph) must give exactly what one thread gives, and fail the same way on broken files. Big
 * snapshots take it by default; here the size threshold is lifted (`parallelMinBytes: 0`,
 * `parallel: 'always'`) so real fixture snapshots of a few MB exercise it quickly.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { snapshotsFor, tempDir } from '../../test/support/leak-snapshots.ts';
import { SnapshotBuilder } from '../../test/support/snapshot-builder.ts';
import { SnapshotFormatError } from '../errors.ts';
import { analyzeSnapshots } from './analyze.ts';
import { buildHeapGraph, buildHeapGraphParallel } from './graph.ts';
import { EngineThread, PARALLEL_MIN_BYTES, parseSnapshotFile } from './parallel.ts';
import { parseHeapSnapshot } from './parse.ts';
import { isShared } from './shared-snapshot.ts';

const dir = tempDir('parallel-test-');
let fileCounter = 0;
const thread = new EngineThread();
after(() => thread.close());

function parseOnTwoThreads(file: string) {
  return parseSnapshotFile(file, { thread, parallelMinBytes: 0 });
}

function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
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

/** The snapshot's text with its first edge pointing far beyond the last node (found by the edges worker). */
function withEdgeToMissingNode(text: string): string {
  const edgesAt = text.indexOf('"edges":[') + '"edges":['.length;
  const thirdComma = text.indexOf(',', text.indexOf(',', text.indexOf(',', edgesAt) + 1) + 1);
  return `${text.slice(0, edgesAt)}1,1,999999999${text.slice(thirdComma)}`;
}

/** Runs `work` and returns what it threw (undefined if it did not). */
async function failureOf(work: () => unknown): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('the two-thread path', { concurrency: 1 }, () => {
  test('parse and graph of a real snapshot: every column, string and derived array equals one thread’s', async () => {
    const [, , file] = (await snapshotsFor('buffers-in-array')) as [string, string, string];
    assert.ok(statSync(file).size < PARALLEL_MIN_BYTES);
    const parallelSnapshot = await parseOnTwoThreads(file);
    assert.ok(isShared(parallelSnapshot), 'the two-thread path was not taken');
    const sequentialSnapshot = parseHeapSnapshot(file);
    for (const column of columns) {
      assert.ok(sameBytes(parallelSnapshot[column], sequentialSnapshot[column]), `${column} differs`);
    }
    assert.ok(sameBytes(parallelSnapshot.nodeDetachedness!, sequentialSnapshot.nodeDetachedness!));
    const { strings } = parallelSnapshot;
    assert.equal(strings.size, sequentialSnapshot.strings.size);
    for (let i = 0; i < strings.size; i += 3) {
      assert.equal(strings.get(i), sequentialSnapshot.strings.get(i), `string ${i}`);
    }

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

  test('analyzeSnapshots on two snapshots: the same result with parallel "always" and false', async () => {
    const [first, , last] = (await snapshotsFor('buffers-in-array')) as [string, string, string];
    const files = [first, last];
    const twoThreads = await analyzeSnapshots(files, { parallel: 'always' });
    const oneThread = await analyzeSnapshots(files, { parallel: false });
    assert.deepEqual(twoThreads, oneThread);
    assert.equal(twoThreads.suspects[0]?.name, 'Buffer');
  });

  test('broken files: the same error code as one thread, wherever the break is found', async () => {
    const [, , last] = (await snapshotsFor('buffers-in-array')) as [string, string, string];
    const text = readFileSync(last, 'utf8');
    const edgesAt = text.indexOf('"edges":[') + '"edges":['.length;
    const write = (content: string) => {
      const file = join(dir, `${++fileCounter}.heapsnapshot`);
      writeFileSync(file, content);
      return file;
    };
    const cases: [string, string, string][] = [
      // Found by the worker, which parses edges.
      [
        'an edge to a node that does not exist',
        write(withEdgeToMissingNode(text)),
        'ERR_SNAPSHOT_INCONSISTENT',
      ],
      // Found when the two halves are put together.
      [
        'an edge naming a string beyond the table',
        write(
          `${text.slice(0, edgesAt)}2,99999999${text.slice(text.indexOf(',', text.indexOf(',', edgesAt) + 1))}`,
        ),
        'ERR_SNAPSHOT_INCONSISTENT',
      ],
      // Found by this thread, in the string table.
      ['cut inside the string table', write(text.slice(0, text.length - 50)), 'ERR_SNAPSHOT_TRUNCATED'],
    ];
    for (const [label, file, code] of cases) {
      const oneThread = await failureOf(() => parseHeapSnapshot(file));
      const twoThreads = await failureOf(() => parseOnTwoThreads(file));
      assert.ok(oneThread instanceof SnapshotFormatError && oneThread.code === code, `${label}: one thread`);
      assert.ok(twoThreads instanceof SnapshotFormatError, `${label}: ${String(twoThreads)}`);
      assert.equal(twoThreads.code, code, `${label}: ${twoThreads.message}`);
      assert.ok(twoThreads.message.includes(file), `${label}: the message names the file`);
    }
  });

  test('a snapshot cut at 60 points: on two threads, the error one thread gives, never a hang or a crash', async () => {
    const b = new SnapshotBuilder();
    const count = 2000;
    // Distinct names make a string table long enough for a third of the cuts to fall in it, where the
    // two-thread path is taken (elsewhere it finds no "strings" and falls back to one thread).
    for (let i = 0; i < count; i++) {
      b.node({ type: 'object', name: `Class${i}`, id: 2 ** 31 + 2 * i + 1, selfSize: 20 });
    }
    for (let i = 1; i <= count; i++) {
      b.edge(i - 1, i, 'property', `property${i}`);
      b.edge(i, (i * 7) % count, 'element', i);
    }
    b.location(5, { scriptId: 1, line: 2, column: 3 });
    const text = b.text();
    const file = join(dir, 'cut.heapsnapshot');
    const mismatches: string[] = [];
    let inStrings = 0;
    for (let k = 1; k <= 60; k++) {
      const cut = Math.floor((k * text.length) / 61);
      if (text.lastIndexOf('"strings":[', cut) >= 0) inStrings++;
      writeFileSync(file, text.slice(0, cut));
      const oneThread = (await failureOf(() => parseHeapSnapshot(file))) as SnapshotFormatError | undefined;
      const twoThreads = (await failureOf(() => parseOnTwoThreads(file))) as SnapshotFormatError | undefined;
      if (!(twoThreads instanceof SnapshotFormatError))
        mismatches.push(`cut at ${cut}: ${String(twoThreads)}`);
      else if (twoThreads.code !== oneThread?.code) {
        mismatches.push(`cut at ${cut}: ${twoThreads.code} on two threads, ${oneThread?.code} on one`);
      }
    }
    assert.deepEqual(mismatches, []);
    assert.ok(inStrings >= 15, `only ${inStrings} cuts in the string table`);
  });

  test('a broken file: SnapshotFormatError.file names the file, as on one thread', async () => {
    const [, , last] = (await snapshotsFor('buffers-in-array')) as [string, string, string];
    const file = join(dir, 'worker-error.heapsnapshot');
    writeFileSync(file, withEdgeToMissingNode(readFileSync(last, 'utf8')));
    const error = await failureOf(() => parseOnTwoThreads(file));
    assert.ok(error instanceof SnapshotFormatError);
    assert.equal(error.file, file);
  });
});
