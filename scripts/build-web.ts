/**
 * Builds the dashboard's page (`web/`) into static files the server ships: `dist/web/index.html`,
 * `app.js` and `app.css` — Preact, uPlot, Cytoscape and dagre bundled in, nothing fetched from a CDN.
 * Run by `npm run build` (and `pretest`, so a fresh clone's `npm test` has a page to serve).
 *
 *   node scripts/build-web.ts [--out <dir>]
 */
import { copyFile, mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outFlag = process.argv.indexOf('--out');
const out = outFlag === -1 ? join(root, 'dist', 'web') : process.argv[outFlag + 1]!;

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({
  entryPoints: [join(root, 'web', 'main.tsx')],
  outfile: join(out, 'app.js'),
  bundle: true,
  format: 'esm',
  // Browsers of the last few years; the page uses ES2022 and CSS nesting-free styles.
  target: ['chrome111', 'firefox111', 'safari16.4'],
  minify: true,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  // The bundled libraries' licence notices travel with the code.
  legalComments: 'eof',
  logLevel: 'warning',
});
await copyFile(join(root, 'web', 'index.html'), join(out, 'index.html'));

const sizes = await Promise.all(
  ['index.html', 'app.js', 'app.css'].map(
    async (name) => `${name} ${((await stat(join(out, name))).size / 1024).toFixed(0)} KB`,
  ),
);
process.stdout.write(`dashboard page built in ${out}: ${sizes.join(', ')}\n`);
