/**
 * The package as users get it: compiled JavaScript with declarations, run by Node without type
 * stripping. Builds into a temporary folder as `npm run build` does (tsc, then the agent's bundles),
 * then runs the compiled CLI and imports the compiled entry points — this is what catches a worker
 * started by a `.ts` URL, or an import that only resolves in the sources.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
  execFileSync(
    process.execPath,
    [join(root, 'scripts/bundle-agent.ts'), '--dist', join(packageDir, 'dist')],
    { stdio: 'pipe' },
  );
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
  // Every file package.json's `exports` names (except the sources' condition), the bin, and the files
  // started by URL rather than imported (worker threads).
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    exports: Record<string, string | Record<string, string>>;
  };
  const entries = new Set(['dist/cli/main.js', 'dist/heap/worker.js', 'dist/heap/engine-worker.js']);
  for (const target of Object.values(manifest.exports)) {
    if (typeof target === 'string') continue;
    for (const [condition, file] of Object.entries(target)) {
      if (condition !== 'memwatcher-source') entries.add(file.replace(/^\.\//, ''));
    }
  }
  assert.ok(entries.size >= 14, 'package.json exports fewer entries than expected');
  for (const entry of entries) {
    assert.ok(existsSync(join(packageDir, entry)), `${entry} is missing from the build`);
  }
});

test('every public entry of the build can be imported without type stripping', async () => {
  // Installed dependencies, as a user's node_modules would have them (the static test below makes sure
  // only `dependencies` and optional peers are imported).
  const modules = join(packageDir, 'node_modules');
  if (!existsSync(modules)) symlinkSync(join(root, 'node_modules'), modules, 'dir');
  for (const entry of [
    'index.js',
    'heap/index.js',
    'report/index.js',
    'testing/index.js',
    'metrics/index.js',
  ]) {
    const module = (await import(join(packageDir, 'dist', entry))) as Record<string, unknown>;
    assert.ok(Object.keys(module).length > 0, `dist/${entry} exports nothing`);
  }
});

test('the compiled code imports only Node built-ins, dependencies and optional peers', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  const allowed = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ]);
  const offenders: string[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.js')) {
        const text = readFileSync(path, 'utf8');
        // Static imports and re-exports (`… from 'x'` ending a statement), bare side-effect imports, and
        // dynamic imports of a literal.
        const specifiers = [
          ...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*['"]([^'"]+)['"];?\s*$/gm),
          ...text.matchAll(/^\s*import\s*['"]([^'"]+)['"];?\s*$/gm),
          ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
        ].map((match) => match[1]!);
        for (const specifier of specifiers) {
          // Relative files, and code the build writes into strings (run's preload: `import('${href}')`).
          if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.includes('${')) continue;
          if (specifier.startsWith('node:')) continue;
          const name = specifier.startsWith('@')
            ? specifier.split('/').slice(0, 2).join('/')
            : specifier.split('/')[0]!;
          if (!allowed.has(name)) offenders.push(`${path.slice(packageDir.length + 1)} imports ${specifier}`);
        }
      }
    }
  };
  visit(join(packageDir, 'dist', 'cli'));
  for (const dir of [
    'agent',
    'heap',
    'report',
    'testing',
    'metrics',
    'server',
    'store',
    'collector',
    'inspector-client',
  ]) {
    if (existsSync(join(packageDir, 'dist', dir))) visit(join(packageDir, 'dist', dir));
  }
  assert.deepEqual(offenders, []);
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

test('the compiled preload loads three files of the package (bundled: each module costs the host memory)', {
  // module.registerHooks came with Node 22.15 and 23.5.
  skip:
    typeof process.getBuiltinModule('node:module').registerHooks !== 'function' && 'no module.registerHooks',
}, () => {
  // A module hook registered before the agent lists every file it loads; the program then reports
  // them and whether the agent is running.
  const hook = `data:text/javascript,${encodeURIComponent(
    "import { registerHooks } from 'node:module'; globalThis.loadedFiles = []; registerHooks({ load(url, context, next) { if (url.startsWith('file:')) globalThis.loadedFiles.push(url); return next(url, context); } });",
  )}`;
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      hook,
      '--import',
      join(packageDir, 'dist/agent/register.js'),
      '-e',
      "const w = globalThis[Symbol.for('memwatcher.registered-watcher')]; console.log(JSON.stringify({ running: w?.running, files: globalThis.loadedFiles }))",
    ],
    { encoding: 'utf8', timeout: 30_000, env: { ...process.env, MEMWATCHER_LOG: 'off' } },
  );
  assert.equal(run.status, 0, run.stderr);
  const { running, files } = JSON.parse(run.stdout) as { running: boolean; files: string[] };
  assert.equal(running, true);
  assert.deepEqual(files.map((url) => url.slice(url.indexOf('/dist/') + 1)).sort(), [
    'dist/agent/register.js',
    'dist/agent/watcher.js',
    'dist/errors.js',
  ]);
});

test('the registered watcher is an instance of the MemoryWatcher the program imports', () => {
  const modules = join(packageDir, 'node_modules');
  if (!existsSync(modules)) symlinkSync(join(root, 'node_modules'), modules, 'dir');
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      join(packageDir, 'dist/agent/register.js'),
      '--input-type=module',
      '-e',
      `import { MemoryWatcher, registeredWatcher, isMemwatcherError } from ${JSON.stringify(pathToFileURL(join(packageDir, 'dist/index.js')).href)};
const w = registeredWatcher();
let coded = false;
try { w.setCensus({}); } catch (error) { coded = isMemwatcherError(error); }
console.log(JSON.stringify({ same: w instanceof MemoryWatcher, coded }));
w.stop();`,
    ],
    { encoding: 'utf8', timeout: 30_000, env: { ...process.env, MEMWATCHER_LOG: 'off' } },
  );
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), { same: true, coded: true });
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
