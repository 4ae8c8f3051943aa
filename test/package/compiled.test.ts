/**
 * The package as users get it: compiled JavaScript with declarations, run by Node without type
 * stripping. Builds into a temporary folder, then runs the compiled CLI and imports the compiled entry
 * points — this is what catches a worker started by a `.ts` URL, or an import that only resolves in
 * the sources.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SnapshotBuilder } from '../support/snapshot-builder.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
let packageDir = '';
let snapshotFile = '';

before(() => {
  packageDir = mkdtempSync(join(tmpdir(), 'memwatcher-package-'));
  const tsc = join(root, 'node_modules', '.bin', 'tsc');
  execFileSync(tsc, ['-p', join(root, 'tsconfig.build.json'), '--outDir', join(packageDir, 'dist')], {
    stdio: 'pipe',
  });
  copyFileSync(join(root, 'package.json'), join(packageDir, 'package.json'));
  const b = new SnapshotBuilder();
  const gcRoots = b.node({ type: 'synthetic', name: '(GC roots)' });
  const holder = b.node({ type: 'object', name: 'Holder', selfSize: 40 });
  const item = b.node({ type: 'object', name: 'Item', selfSize: 1000 });
  b.edge(b.root, gcRoots, 'element', 1);
  b.edge(gcRoots, holder, 'element', 1);
  b.edge(holder, item, 'property', 'item');
  snapshotFile = join(packageDir, 'tiny.heapsnapshot');
  b.write(snapshotFile);
});

after(() => rmSync(packageDir, { recursive: true, force: true }));

test('the build emits JavaScript and declarations for every public entry', () => {
  for (const entry of [
    'cli/main.js',
    'heap/index.js',
    'heap/index.d.ts',
    'heap/worker.js',
    'heap/engine-worker.js',
  ]) {
    assert.ok(existsSync(join(packageDir, 'dist', entry)), `dist/${entry} is missing`);
  }
});

test('the compiled CLI analyzes a snapshot (engine in its worker thread, from .js files)', () => {
  const run = spawnSync(
    process.execPath,
    [join(packageDir, 'dist/cli/main.js'), 'analyze', snapshotFile, '--json'],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout) as { summary: { name: string; retainedSize: number }[] };
  const item = result.summary.find((entry) => entry.name === 'Item');
  assert.equal(item?.retainedSize, 1000);
});

test('the compiled engine entry can be imported and used', async () => {
  const engine = (await import(
    join(packageDir, 'dist/heap/index.js')
  )) as typeof import('../../src/heap/index.ts');
  const result = await engine.analyzeSnapshots([snapshotFile]);
  assert.equal(result.snapshots[0]?.nodeCount, 4);
  assert.equal(result.summary.find((entry) => entry.name === 'Holder')?.retainedSize, 1040);
});

test('the compiled engine runs its two-thread path (engine-worker.js) with the same result', async () => {
  const engine = (await import(
    join(packageDir, 'dist/heap/index.js')
  )) as typeof import('../../src/heap/index.ts');
  const one = await engine.analyzeSnapshots([snapshotFile], { parallel: false });
  const two = await engine.analyzeSnapshots([snapshotFile], { parallel: 'always' });
  assert.deepEqual(two, one);
});

test('the compiled two-thread parse really runs on two threads (columns on shared memory)', async () => {
  const parallel = (await import(
    join(packageDir, 'dist/heap/parallel.js')
  )) as typeof import('../../src/heap/parallel.ts');
  const shared = (await import(
    join(packageDir, 'dist/heap/shared-snapshot.js')
  )) as typeof import('../../src/heap/shared-snapshot.ts');
  const thread = new parallel.EngineThread();
  try {
    const snapshot = await parallel.parseSnapshotFile(snapshotFile, { thread, parallelMinBytes: 0 });
    assert.equal(shared.isShared(snapshot), true, 'fell back to the one-thread parser');
    assert.equal(snapshot.edgeCount, 3);
  } finally {
    await thread.close();
  }
});

test('the compiled `run` preloads the compiled agent (dist/agent/register.js) and hears it over IPC', () => {
  const events = join(packageDir, 'run.ndjson');
  const run = spawnSync(
    process.execPath,
    [
      join(packageDir, 'dist/cli/main.js'),
      'run',
      '--quiet',
      '--interval',
      '200ms',
      '--events',
      events,
      '--',
      process.execPath,
      '-e',
      'setTimeout(() => {}, 1000)',
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  assert.equal(run.status, 0, run.stderr);
  assert.doesNotMatch(run.stderr, /not watching this process/);
  const lines = readFileSync(events, 'utf8').trimEnd().split('\n');
  const types = lines.map((line) => (JSON.parse(line) as { type: string; source: string }).type);
  assert.ok(types.includes('hello'), types.join(' '));
  assert.equal(types.at(-1), 'exit');
});
