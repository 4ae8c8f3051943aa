/**
 * `memwatcher analyze` on valid input: the JSON contract, the text report, object ids beyond 2^31
 * (V8 ids are uint32 and pass 2^31 in long-running processes), quiet stderr when piped, and a
 * reader that goes away (`| head -1`).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AnalysisResult } from '../../src/heap/types.ts';
import { SnapshotBuilder } from '../support/snapshot-builder.ts';
import { runCli } from './run-cli.ts';

const directory = mkdtempSync(join(tmpdir(), 'memwatcher-analyze-'));
const first = join(directory, 'first.heapsnapshot');
const second = join(directory, 'second.heapsnapshot');

// Ids as V8 hands them out: increasing over the process's life, so everything allocated after the
// first snapshot has a larger id than anything in it (the engine relies on that). All beyond 2^31.
const registryId = 2_200_000_001;
/** In both snapshots: the same object, so the diff must not count it as added or removed. */
const keptItemId = 3_000_000_001;
/** Only in the first snapshot. */
const freedItemId = 3_000_000_003;
/** Only in the second snapshot; the last is close to the uint32 limit. */
const newItemIds = [3_000_000_101, 3_500_000_001, 4_000_000_001];

/** (GC roots) → (Global handles) → Registry.items → Array[i] → Item, with the given Item ids. */
function registryWith(itemIds: readonly number[]): SnapshotBuilder {
  const builder = new SnapshotBuilder();
  const gcRoots = builder.node({ type: 'synthetic', name: '(GC roots)' });
  const handles = builder.node({ type: 'synthetic', name: '(Global handles)' });
  const registry = builder.node({ type: 'object', name: 'Registry', id: registryId, selfSize: 40 });
  const items = builder.node({ type: 'array', name: '', selfSize: 16 + 8 * itemIds.length });
  builder.edge(builder.root, gcRoots, 'element', 1);
  builder.edge(gcRoots, handles, 'element', 1);
  builder.edge(handles, registry, 'element', 1);
  builder.edge(registry, items, 'property', 'items');
  itemIds.forEach((id, index) => {
    const item = builder.node({ type: 'object', name: 'Item', id, selfSize: 100 });
    builder.edge(items, item, 'element', index);
  });
  return builder;
}

before(() => {
  registryWith([keptItemId, freedItemId]).write(first);
  registryWith([keptItemId, ...newItemIds]).write(second);
});

after(() => rmSync(directory, { recursive: true, force: true }));

function parseJson(stdout: string): AnalysisResult {
  return JSON.parse(stdout) as AnalysisResult;
}

describe('memwatcher analyze', { concurrency: true }, () => {
  it('--json prints only the AnalysisResult, with ids beyond 2^31 intact', async () => {
    const run = await runCli(['analyze', first, second, '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '', 'nothing on stderr when it is not a terminal');
    const result = parseJson(run.stdout);
    assert.deepEqual(
      result.snapshots.map((snapshot) => snapshot.file),
      [first, second],
    );
    assert.ok(
      Array.isArray(result.summary) && Array.isArray(result.suspects) && Array.isArray(result.largest),
    );
    const registry = result.largest.find((object) => object.name === 'Registry');
    assert.ok(registry !== undefined, 'Registry is among the largest objects');
    assert.equal(registry.id, registryId);
    assert.equal(registry.retainerPath.at(-1)?.nodeId, registryId);
    const item = result.summary.find((entry) => entry.name === 'Item');
    assert.equal(item?.count, 4, 'the last snapshot holds 4 Items');
  });

  it('diffs by object id beyond 2^31: one freed, three new, the kept one neither', async () => {
    const run = await runCli(['analyze', first, second, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const item = parseJson(run.stdout).diff?.find((entry) => entry.name === 'Item');
    assert.ok(item !== undefined, 'the diff has an Item row');
    assert.equal(item.addedCount, 3);
    assert.equal(item.removedCount, 1);
    assert.equal(item.addedSize, 300);
    assert.equal(item.removedSize, 100);
    assert.equal(item.countDelta, 2);
  });

  it('prints ids beyond 2^31 in the text report', async () => {
    const run = await runCli(['analyze', second]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.match(run.stdout, /Classes by retained size/);
    assert.match(run.stdout, new RegExp(`Registry @${registryId}`));
    assert.match(
      run.stdout,
      new RegExp(`\\(GC roots\\)\\[1\\] → \\(Global handles\\)\\[1\\] → Registry @${registryId}`),
    );
    assert.match(run.stdout, /Item @4000000001/);
    assert.doesNotMatch(run.stdout, /@-\d/, 'no id went negative');
  });

  it('--top limits the rows', async () => {
    const run = await runCli(['analyze', second, '--json', '--top', '1']);
    assert.equal(run.code, 0, run.stderr);
    const result = parseJson(run.stdout);
    assert.ok(result.largest.length <= 1 && result.summary.length <= 1, run.stdout);
  });

  it('exits quietly when the reader of stdout goes away', async () => {
    const run = await runCli(['analyze', first, second, '--json'], {
      // The reader is gone before the CLI writes anything: every write hits a closed pipe.
      onSpawn: (child) => child.stdout?.destroy(),
    });
    assert.equal(run.code, 0);
    assert.equal(run.stderr, '');
  });
});
