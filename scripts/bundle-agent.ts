/**
 * Bundles the agent's two run-time entries, after `tsc` has compiled `src/` to `dist/`, each into a
 * single file that replaces tsc's: `dist/agent/watcher.js` (`MemoryWatcher` and everything it
 * imports) and `dist/agent/register.js` (the `memwatcher/register` preload, which imports
 * `./watcher.js`). Run by `npm run build`.
 *
 * Why: Node charges every ES module it loads (loader records, compiled top-level code, the young
 * generation it grows while they load), and the preload imported 27 files. Measured with
 * `bench/agent-idle-rss.ts` on Node 24: the same code as 3 modules costs a watched program 1.1 MB
 * less RSS (0.7 MB in a program that runs an HTTP server). The sources stay as they are; only the
 * build output changes.
 *
 * Left as shared modules, imported by the bundles rather than copied into them:
 * - `errors.js`: one set of error classes for the program and the agent, so `instanceof` and
 *   `isMemwatcherError` hold for errors the registered watcher emits;
 * - `agent/inspector-session.js`: one inspector session per thread (its module state);
 * - `agent/capture.js`: loaded on the first heap snapshot only, and it serializes captures;
 * - `agent/watcher.js` from the preload: `registeredWatcher()` is an instance of the `MemoryWatcher`
 *   class the program imports from `memwatcher`.
 * Everything else the bundles hold is stateless code; the other `dist/` files that import it keep
 * their own copies.
 *
 *   node scripts/bundle-agent.ts [--dist <dir>]   (default: dist/ of this repository)
 */
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const distFlag = process.argv.indexOf('--dist');
const dist = resolve(distFlag === -1 ? join(root, 'dist') : process.argv[distFlag + 1]!);
const outdir = join(dist, 'agent');

const SHARED = ['errors.ts', 'agent/inspector-session.ts', 'agent/capture.ts'];

/** Relative imports of `shared` sources become imports of their compiled files next to the bundle. */
function keepShared(shared: readonly string[]): Plugin {
  const files = new Set(shared.map((file) => join(src, file)));
  return {
    name: 'keep-shared-modules',
    setup(plugin) {
      plugin.onResolve({ filter: /^\.\.?\// }, (args) => {
        const file = resolve(args.resolveDir, args.path);
        if (!files.has(file)) return undefined;
        const compiled = join(dist, relative(src, file)).replace(/\.ts$/, '.js');
        let path = relative(outdir, compiled).replaceAll('\\', '/');
        if (!path.startsWith('.')) path = `./${path}`;
        return { path, external: true };
      });
    },
  };
}

async function bundle(entry: string, shared: readonly string[]): Promise<void> {
  await build({
    entryPoints: [join(src, entry)],
    outfile: join(outdir, entry.replace(/^agent\//, '').replace(/\.ts$/, '.js')),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22.12',
    // Node built-ins (`node:*`) stay imports; optional peers are loaded by variable, never bundled.
    packages: 'external',
    // Linked maps back to src/, as tsc writes them (for `--enable-source-maps`). Not minified: stack
    // traces stay readable without them (minifying saved another 0.08 MB only).
    sourcemap: true,
    sourcesContent: false,
    plugins: [keepShared(shared)],
    logLevel: 'warning',
  });
}

await bundle('agent/watcher.ts', SHARED);
await bundle('agent/register.ts', [...SHARED, 'agent/watcher.ts']);
process.stdout.write(`agent bundled in ${relative(root, outdir) || outdir}: register.js, watcher.js\n`);
