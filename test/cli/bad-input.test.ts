/**
 * Every kind of unusable input gives exit code 3 and one clear line on stderr: no stack trace, no
 * hang (each child has a timeout), nothing on stdout. The engine raises the errors; this checks that
 * they reach the user as one line.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SnapshotBuilder } from '../support/snapshot-builder.ts';
import { isOneCleanLine, runCli } from './run-cli.ts';

const directory = mkdtempSync(join(tmpdir(), 'memwatcher-bad-input-'));
const file = (name: string) => join(directory, name);

/** A small valid graph: root → (GC roots) → holder → two items. */
function smallSnapshot(): SnapshotBuilder {
  const builder = new SnapshotBuilder();
  const gcRoots = builder.node({ type: 'synthetic', name: '(GC roots)' });
  const holder = builder.node({ type: 'object', name: 'Holder', selfSize: 32 });
  const first = builder.node({ type: 'object', name: 'Item', selfSize: 16 });
  const second = builder.node({ type: 'object', name: 'Item', selfSize: 16 });
  builder.edge(builder.root, gcRoots, 'element', 1);
  builder.edge(gcRoots, holder, 'element', 1);
  builder.edge(holder, first, 'property', 'first');
  builder.edge(holder, second, 'property', 'second');
  return builder;
}

/** The bytes of a real snapshot cut in the middle of one section. */
function cutInside(snapshot: Buffer, section: string, nextSection: string): Buffer {
  const start = snapshot.indexOf(`"${section}":[`);
  const end = snapshot.indexOf(`"${nextSection}":[`, start);
  assert.ok(start > 0 && end > start, `sections ${section} and ${nextSection} found`);
  return snapshot.subarray(0, Math.floor((start + end) / 2));
}

before(() => {
  const realPath = file('real.heapsnapshot');
  // A real snapshot from a fresh Node process, as the engine will meet them in the wild.
  execFileSync(process.execPath, ['-e', `require('v8').writeHeapSnapshot(${JSON.stringify(realPath)})`]);
  const real = readFileSync(realPath);
  writeFileSync(file('cut-in-nodes.heapsnapshot'), cutInside(real, 'nodes', 'edges'));
  writeFileSync(file('cut-in-edges.heapsnapshot'), cutInside(real, 'edges', 'trace_function_infos'));
  writeFileSync(
    file('cut-in-strings.heapsnapshot'),
    real.subarray(0, real.length - Math.floor((real.length - real.indexOf('"strings":[')) / 2)),
  );

  writeFileSync(file('empty.heapsnapshot'), '');
  writeFileSync(file('random.heapsnapshot'), randomBytes(64 * 1024));
  writeFileSync(file('notes.txt'), 'These are my notes about the memory leak.\nNot a snapshot.\n');
  writeFileSync(file('object.json'), '{"a":1}');
  writeFileSync(file('array.json'), '[]');
  mkdirSync(file('a-directory'));

  const valid = smallSnapshot().text();
  writeFileSync(file('valid.heapsnapshot'), valid);
  const nodeCount = /"node_count":(\d+)/.exec(valid)?.[1];
  assert.ok(nodeCount !== undefined);
  writeFileSync(
    file('node-count-larger.heapsnapshot'),
    valid.replace(`"node_count":${nodeCount}`, `"node_count":${Number(nodeCount) + 3}`),
  );
  writeFileSync(
    file('node-count-smaller.heapsnapshot'),
    valid.replace(`"node_count":${nodeCount}`, `"node_count":${Number(nodeCount) - 1}`),
  );
  // The last edge's to_node (already multiplied by the node field count) one node past the end.
  const edgesStart = valid.indexOf('"edges":[') + '"edges":['.length;
  const edgesEnd = valid.indexOf(']', edgesStart);
  const edges = valid.slice(edgesStart, edgesEnd).split(',');
  const nodeFields = /"node_fields":(\[[^\]]*\])/.exec(valid)?.[1];
  assert.ok(nodeFields !== undefined);
  const fieldCount = (JSON.parse(nodeFields) as string[]).length;
  edges[edges.length - 1] = String(Number(nodeCount) * fieldCount);
  writeFileSync(
    file('edge-beyond-nodes.heapsnapshot'),
    `${valid.slice(0, edgesStart)}${edges.join(',')}${valid.slice(edgesEnd)}`,
  );
});

after(() => {
  if (process.env.MEMWATCHER_KEEP_TEST_FILES === undefined)
    rmSync(directory, { recursive: true, force: true });
});

const cases: [label: string, name: string, message: RegExp][] = [
  ['a missing file', 'no-such.heapsnapshot', /no such file/],
  ['a directory', 'a-directory', /is a directory/],
  ['a 0-byte file (a process killed mid-dump)', 'empty.heapsnapshot', /empty\.heapsnapshot/],
  ['a real snapshot cut inside nodes', 'cut-in-nodes.heapsnapshot', /cut-in-nodes\.heapsnapshot/],
  ['a real snapshot cut inside edges', 'cut-in-edges.heapsnapshot', /cut-in-edges\.heapsnapshot/],
  ['a real snapshot cut inside strings', 'cut-in-strings.heapsnapshot', /cut-in-strings\.heapsnapshot/],
  ['random bytes', 'random.heapsnapshot', /random\.heapsnapshot/],
  ['a text file', 'notes.txt', /notes\.txt/],
  ['JSON that is an object but not a snapshot', 'object.json', /object\.json/],
  ['JSON that is an array', 'array.json', /array\.json/],
  ['node_count larger than the nodes array', 'node-count-larger.heapsnapshot', /node-count-larger/],
  ['node_count smaller than the nodes array', 'node-count-smaller.heapsnapshot', /node-count-smaller/],
  ['an edge pointing beyond the node array', 'edge-beyond-nodes.heapsnapshot', /edge-beyond-nodes/],
];

describe('memwatcher analyze on unusable input', { concurrency: true }, () => {
  for (const [label, name, message] of cases) {
    it(`${label} → exit 3, one line, no stack trace`, async () => {
      const run = await runCli(['analyze', file(name)], { timeoutMs: 20_000 });
      assert.equal(run.timedOut, false, 'the CLI hung');
      assert.equal(run.code, 3, `exit code ${run.code}, stderr: ${run.stderr}`);
      assert.ok(isOneCleanLine(run.stderr), `not one clean line: ${JSON.stringify(run.stderr)}`);
      assert.match(run.stderr, /^memwatcher: /);
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stderr, /internal error/);
      assert.equal(run.stdout, '');
    });
  }

  it('names the bad file when it is the second of two', async () => {
    const run = await runCli(['analyze', file('valid.heapsnapshot'), file('empty.heapsnapshot')]);
    assert.equal(run.code, 3, run.stderr);
    assert.ok(isOneCleanLine(run.stderr), JSON.stringify(run.stderr));
    assert.match(run.stderr, /empty\.heapsnapshot/);
    assert.doesNotMatch(run.stderr, /valid\.heapsnapshot/);
  });
});
