// Generates a real heap snapshot to benchmark heap engines on: the TypeScript 5.9 compiler after
// type-checking every declaration file installed here (bench/node_modules and the root
// node_modules), scaled by keeping several programs alive.
//
//   node bench/gen-ts-heap.ts --target-mb 230      → bench/out/ts-heap-230mb.heapsnapshot
//   node bench/gen-ts-heap.ts --target-mb 1300 [--out <file>]
//
// The work happens in a child with a V8 heap large enough for the target; this process reports.
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readSnapshotHeader } from './gen/snapshot-header.ts';

const benchDir = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    'target-mb': { type: 'string', default: '230' },
    out: { type: 'string' },
    ratio: { type: 'string' },
  },
});
const targetMb = Number(values['target-mb']);
if (!(targetMb >= 50)) {
  console.error(`--target-mb must be a number of MB ≥ 50 (got ${values['target-mb']})`);
  process.exit(2);
}
const out = resolve(values.out ?? join(benchDir, 'out', `ts-heap-${targetMb}mb.heapsnapshot`));
mkdirSync(dirname(out), { recursive: true });

// The live heap is about 0.8× the snapshot; writing the snapshot needs room beside it.
const maxOldSpaceMb = Math.max(4096, Math.ceil(targetMb * 1.2) + 2048);
const childArgs = [
  '--expose-gc',
  `--max-old-space-size=${maxOldSpaceMb}`,
  join(benchDir, 'gen', 'build-heap.ts'),
  '--target-mb',
  String(targetMb),
  '--out',
  out,
  ...(values.ratio === undefined ? [] : ['--ratio', values.ratio]),
];
console.log(`generating ${out} (target ${targetMb} MB, child heap limit ${maxOldSpaceMb} MB)`);
const started = performance.now();
const child = spawnSync(process.execPath, childArgs, { stdio: 'inherit' });
const wallMs = performance.now() - started;
if (child.status !== 0) {
  console.error(`generation failed: exit code ${child.status}, signal ${child.signal}`);
  process.exit(1);
}

const header = readSnapshotHeader(out);
const bytes = statSync(out).size;
console.log(
  [
    `file       ${out}`,
    `size       ${(bytes / 1e6).toFixed(1)} MB (${bytes} bytes)`,
    `nodes      ${header.nodeCount.toLocaleString('en-US')}`,
    `edges      ${header.edgeCount.toLocaleString('en-US')}`,
    `wall time  ${(wallMs / 1000).toFixed(1)} s`,
    `node       ${process.version}`,
  ].join('\n'),
);
