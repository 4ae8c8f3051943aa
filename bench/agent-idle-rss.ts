/**
 * Memory the in-process agent adds to an idle program, precisely: the same trivial program started
 * many times without and with `--import memwatcher/register`, RSS read from outside after it has
 * settled, and where the difference goes.
 *
 * Variants, started in rotating order within each round (median per variant):
 * - `none`: the program alone;
 * - `preload`: `--import` of an empty module: what Node itself charges for any `--import`;
 * - `disabled`: the compiled agent with `MEMWATCHER_DISABLE=1`: its modules loaded, nothing started;
 * - `dist`: the compiled agent (what users run from npm), `MEMWATCHER_LOG=off`, defaults otherwise;
 * - `src`: the agent from the `.ts` sources (type stripping; development only).
 *
 * Hosts: `esm`, an ES module app (`"type": "module"`) importing one local module; `cjs`, a CommonJS
 * app requiring one; `http`, an ES module app with an idle `node:http` server on 127.0.0.1 (it has
 * loaded streams, net and http, as most real programs have). All only wait. The host matters: an
 * `--import` preload makes Node start its ES module loader, which a CommonJS app otherwise never
 * starts, and the built-in modules the agent needs cost nothing more once the host has loaded them.
 *
 * The compiled agent is built from this checkout's sources into a temporary directory as
 * `npm run build` does (tsc, then `scripts/bundle-agent.ts`; never into `dist/`), unless `--dist`
 * names a build; `--unbundled` skips the bundling (one file per module, as tsc emits them).
 *
 * Figures, per variant, median of `--runs`:
 * - read from outside at `--settle-ms` after the program started: RSS and its parts from
 *   `/proc/<pid>/smaps` (anonymous memory; the node binary's code and read-only data, which are
 *   file pages shared with every other Node process; other files), PSS, threads;
 * - then reported by the program itself (on SIGUSR2, after the outside reading): heap used and
 *   total, external, ArrayBuffers, V8 heap spaces (committed), Node built-in modules loaded, and
 *   whether `node:inspector` or `node:worker_threads` were loaded;
 * - from one extra run per variant with a module hook: the JS modules loaded (files, built-ins).
 *
 *   ./node_modules/.bin/node bench/agent-idle-rss.ts [--runs 9] [--settle-ms 3000]
 *       [--hosts esm,cjs,http] [--variants none,preload,disabled,dist,src]
 *       [--dist <build>/dist | --unbundled]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildAgent } from './build-agent.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '9' },
    'settle-ms': { type: 'string', default: '3000' },
    hosts: { type: 'string', default: 'esm,cjs,http' },
    variants: { type: 'string', default: 'none,preload,disabled,dist,src' },
    dist: { type: 'string' },
    unbundled: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const settleMs = Number(values['settle-ms']);
type Host = 'esm' | 'cjs' | 'http';
type Variant = 'none' | 'preload' | 'disabled' | 'dist' | 'src';
const hosts = values.hosts.split(',') as Host[];
const variants = values.variants.split(',') as Variant[];

const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'memwatcher-idle-rss-'));

let dist = values.dist;
if (dist === undefined && variants.some((v) => v === 'dist' || v === 'disabled')) {
  dist = join(work, 'dist');
  buildAgent(dist, { bundle: !values.unbundled });
}

// The idle program: waits; on SIGUSR2 reports what only it can see, then exits. It loads nothing
// before the signal beyond what its host kind needs (node:fs is part of Node's bootstrap anyway).
const reportBody = `
const { writeSync } = require('node:fs');
process.on('SIGUSR2', () => {
  const m = process.memoryUsage();
  const loaded = process.moduleLoadList;
  const v8 = require('node:v8');
  const spaces = {};
  for (const s of v8.getHeapSpaceStatistics()) spaces[s.space_name] = s.physical_space_size;
  writeSync(1, JSON.stringify({
    heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers,
    spaces, builtins: loaded.filter((n) => n.startsWith('NativeModule ')).length,
    inspector: loaded.some((n) => /^NativeModule inspector/.test(n)),
    workerThreads: loaded.includes('NativeModule worker_threads'),
  }) + '\\n');
  process.exit(0);
});
setInterval(() => {}, 1 << 30);
`;
const hostDir = join(work, 'hosts');
mkdirSync(join(hostDir, 'esm'), { recursive: true });
mkdirSync(join(hostDir, 'cjs'), { recursive: true });
mkdirSync(join(hostDir, 'http'), { recursive: true });
writeFileSync(join(hostDir, 'esm/package.json'), '{ "type": "module" }\n');
writeFileSync(join(hostDir, 'esm/dep.js'), 'export const answer = 42;\n');
writeFileSync(
  join(hostDir, 'esm/main.js'),
  `import { createRequire } from 'node:module';\nimport { answer } from './dep.js';\nconst require = createRequire(import.meta.url);\nvoid answer;\n${reportBody}`,
);
writeFileSync(join(hostDir, 'cjs/package.json'), '{ "type": "commonjs" }\n');
writeFileSync(join(hostDir, 'cjs/dep.js'), 'exports.answer = 42;\n');
writeFileSync(join(hostDir, 'cjs/main.js'), `void require('./dep.js').answer;\n${reportBody}`);
writeFileSync(join(hostDir, 'http/package.json'), '{ "type": "module" }\n');
writeFileSync(
  join(hostDir, 'http/main.js'),
  `import { createServer } from 'node:http';\nimport { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\ncreateServer((req, res) => res.end('ok')).listen(0, '127.0.0.1');\n${reportBody}`,
);
const emptyModule = join(work, 'empty.mjs');
writeFileSync(emptyModule, '');
// Counts modules as they load (registered before the agent, in the same thread).
const counterModule = join(work, 'count-modules.mjs');
writeFileSync(
  counterModule,
  `import { registerHooks } from 'node:module';
import { writeSync } from 'node:fs';
const files = new Set(); const builtins = new Set();
registerHooks({ load(url, context, next) {
  if (url.startsWith('node:')) builtins.add(url); else files.add(url);
  return next(url, context);
} });
process.on('SIGUSR2', () => { writeSync(1, JSON.stringify({ files: files.size, builtins: builtins.size }) + '\\n'); process.exit(0); });
`,
);

function argsFor(variant: Variant): string[] {
  switch (variant) {
    case 'none':
      return [];
    case 'preload':
      return ['--import', emptyModule];
    case 'disabled':
    case 'dist':
      return ['--import', join(dist!, 'agent/register.js')];
    case 'src':
      return ['--conditions=memwatcher-source', '--import', join(root, 'src/agent/register.ts')];
  }
}

function envFor(variant: Variant): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('MEMWATCHER_') && key !== 'NODE_OPTIONS') env[key] = value;
  }
  env.MEMWATCHER_LOG = 'off';
  if (variant === 'disabled') env.MEMWATCHER_DISABLE = '1';
  return env;
}

interface Outside {
  rss: number;
  pss: number;
  anon: number;
  nodeCode: number;
  nodeData: number;
  otherFiles: number;
  threads: number;
}
type Inside = {
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  spaces: Record<string, number>;
  builtins: number;
  inspector: boolean;
  workerThreads: boolean;
};

/**
 * Sums `/proc/<pid>/smaps`, in bytes: anonymous memory (private: V8 heap, malloc, stacks, and the
 * written pages of file mappings), and the file pages still backed by their file (shared with
 * every other process mapping that file: the node binary's code and read-only data, libraries).
 * The parts add up to RSS.
 */
function readOutside(pid: number): Outside {
  const out: Outside = { rss: 0, pss: 0, anon: 0, nodeCode: 0, nodeData: 0, otherFiles: 0, threads: 0 };
  let path = '';
  let perms = '';
  let rss = 0;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const header = /^[0-9a-f]+-[0-9a-f]+ (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header !== null) {
      perms = header[1]!;
      path = header[2]!;
      continue;
    }
    const field = /^(Rss|Pss|Anonymous):\s+(\d+) kB/.exec(line);
    if (field === null) continue;
    const bytes = Number(field[2]) * 1024;
    if (field[1] === 'Rss') {
      rss = bytes;
      out.rss += bytes;
    } else if (field[1] === 'Pss') out.pss += bytes;
    else {
      // Anonymous comes after Rss in each mapping's block.
      out.anon += bytes;
      const filePages = rss - bytes;
      if (!path.startsWith('/')) continue;
      if (path.endsWith('/node')) {
        if (perms.includes('x')) out.nodeCode += filePages;
        else out.nodeData += filePages;
      } else out.otherFiles += filePages;
    }
  }
  out.threads = Number(/^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
  return out;
}

async function runOnce(
  host: Host,
  variant: Variant,
  count = false,
): Promise<{ outside: Outside; inside: string }> {
  const child = spawn(
    process.execPath,
    [...(count ? ['--import', counterModule] : []), ...argsFor(variant), join(hostDir, host, 'main.js')],
    { cwd: join(hostDir, host), env: envFor(variant), stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await sleep(settleMs);
  if (child.exitCode !== null) throw new Error(`${host}/${variant} exited early (${child.exitCode})`);
  const outside = readOutside(child.pid!);
  child.kill('SIGUSR2');
  await once(child, 'exit');
  return { outside, inside: output.trim() };
}

function median(list: number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const MB = 1024 * 1024;
console.log(
  `idle RSS with and without the agent: node ${process.version}, ${runs} runs per variant, read ${settleMs} ms after start, agent build ${values.dist ?? (values.unbundled ? 'tsc output of this checkout' : 'this checkout, bundled as npm run build does')}`,
);

for (const host of hosts) {
  const samples = new Map<Variant, Array<Outside & Inside>>(variants.map((v) => [v, []]));
  for (let r = 0; r < runs + 1; r++) {
    // Rotate the order so that no variant always runs first (cold caches) or last.
    const order = variants.map((_, i) => variants[(i + r) % variants.length]!);
    for (const variant of order) {
      const { outside, inside } = await runOnce(host, variant);
      // The first round warms the page cache and is not counted.
      if (r > 0) samples.get(variant)!.push({ ...outside, ...(JSON.parse(inside) as Inside) });
    }
  }
  const modules = new Map<Variant, { files: number; builtins: number }>();
  for (const variant of variants) {
    const { inside } = await runOnce(host, variant, true);
    // The first line is the counter's; the host's own report does not run (the counter exits first).
    const counted = JSON.parse(inside.split('\n')[0]!) as { files: number; builtins: number };
    modules.set(variant, counted);
  }

  const spaceNames = Object.keys(samples.get(variants[0]!)![0]!.spaces);
  type Row = [label: string, pick: (s: Outside & Inside) => number, unit: 'MB' | 'n'];
  const rows: Row[] = [
    ['RSS', (s) => s.rss, 'MB'],
    ['  anonymous (private)', (s) => s.anon, 'MB'],
    ['  node binary code (file, shared)', (s) => s.nodeCode, 'MB'],
    ['  node binary data (file, shared)', (s) => s.nodeData, 'MB'],
    ['  other files (libs)', (s) => s.otherFiles, 'MB'],
    ['PSS', (s) => s.pss, 'MB'],
    ['heap used', (s) => s.heapUsed, 'MB'],
    ['heap total', (s) => s.heapTotal, 'MB'],
    ...spaceNames.map((name): Row => [`  ${name}`, (s) => s.spaces[name] ?? 0, 'MB']),
    ['external', (s) => s.external, 'MB'],
    ['  ArrayBuffers', (s) => s.arrayBuffers, 'MB'],
    ['threads', (s) => s.threads, 'n'],
    ['built-in modules (moduleLoadList)', (s) => s.builtins, 'n'],
  ];
  const width = 36;
  const column = 10;
  const header = variants.map((v) => v.padStart(column)).join('');
  const deltas = variants.filter((v) => v !== 'none');
  console.log(
    `\nhost: ${host}   (medians; Δ = variant minus none)\n${''.padEnd(width)}${header}${deltas.map((v) => `Δ ${v}`.padStart(column + 2)).join('')}`,
  );
  const format = (value: number, unit: 'MB' | 'n', signed = false) => {
    const text = unit === 'MB' ? (value / MB).toFixed(2) : value.toFixed(0);
    return signed && value >= 0 ? `+${text}` : text;
  };
  for (const [label, pick, unit] of rows) {
    const med = new Map(variants.map((v) => [v, median(samples.get(v)!.map(pick))]));
    const base = med.get('none');
    console.log(
      `${label.padEnd(width)}${variants.map((v) => format(med.get(v)!, unit).padStart(column)).join('')}${
        base === undefined
          ? ''
          : deltas.map((v) => format(med.get(v)! - base, unit, true).padStart(column + 2)).join('')
      }`,
    );
  }
  console.log(
    `${'JS modules loaded: files'.padEnd(width)}${variants.map((v) => String(modules.get(v)!.files).padStart(column)).join('')}`,
  );
  console.log(
    `${'JS modules loaded: node: built-ins'.padEnd(width)}${variants.map((v) => String(modules.get(v)!.builtins).padStart(column)).join('')}`,
  );
  const flag = (pick: (s: Inside) => boolean) =>
    variants.map((v) => (samples.get(v)!.some(pick) ? 'yes' : 'no').padStart(column)).join('');
  console.log(`${'node:inspector loaded'.padEnd(width)}${flag((s) => s.inspector)}`);
  console.log(`${'node:worker_threads loaded'.padEnd(width)}${flag((s) => s.workerThreads)}`);
  const spread = (v: Variant) => {
    const list = samples.get(v)!.map((s) => s.rss / MB);
    return `${v} ${Math.min(...list).toFixed(2)}–${Math.max(...list).toFixed(2)}`;
  };
  console.log(`RSS range (MB): ${variants.map(spread).join(', ')}`);
}

rmSync(work, { recursive: true, force: true });
