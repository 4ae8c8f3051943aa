// Child process of gen-ts-heap.ts: fills its own heap with TypeScript programs, type-checked,
// then writes a heap snapshot of itself. Run with --expose-gc and a large --max-old-space-size.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeHeapSnapshot } from 'node:v8';
import type * as TypeScript from 'typescript';
import { type DeclarationFile, findDeclarationFiles, splitBySize } from './declaration-files.ts';

const benchDir = dirname(dirname(fileURLToPath(import.meta.url)));
const ts = createRequire(join(benchDir, 'package.json'))('typescript') as typeof TypeScript;

const { values } = parseArgs({
  options: {
    'target-mb': { type: 'string' },
    out: { type: 'string' },
    ratio: { type: 'string' },
    groups: { type: 'string' },
  },
});
const targetMb = Number(values['target-mb']);
const out = values.out;
// Snapshot bytes per byte of live JS heap, measured here (Node 24, these packages) and only used
// to decide when to stop: programs over one group gave 1.16–1.26 (205 MB from 177 MB, 1250 MB
// from 994 MB); a program over every file is denser in small objects, about 1.44 (5136 MB from
// 2522 MB of it plus 1230 MB of group programs).
const groupSnapshotRatio = Number(values.ratio ?? '1.23');
const wholeSnapshotRatio = 1.44;
const groupCount = Number(values.groups ?? '64');
if (!(targetMb > 0) || out === undefined) {
  throw new Error(
    'usage: build-heap.ts --target-mb <MB> --out <file> [--ratio 1.23 (for group programs)] [--groups 64]',
  );
}

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('build-heap.ts needs --expose-gc to measure its live heap');

const files = findDeclarationFiles([join(benchDir, 'node_modules'), join(benchDir, '..', 'node_modules')]);
// The compiler's own lib.*.d.ts (5.9's come in through `lib` below; the root's TypeScript 7 ships
// its copies too) would declare every global twice.
const declarationFiles = files.filter(
  (file) => !/typescript[^\\/]*[\\/]lib[\\/]lib\.[^\\/]+$/.test(file.path),
);
const groups = splitBySize(declarationFiles, groupCount);
const totalBytes = declarationFiles.reduce((sum, file) => sum + file.bytes, 0);
console.log(
  `typescript ${ts.version}; ${declarationFiles.length} declaration files, ${mb(totalBytes)} MB of source; ` +
    `${groups.length} groups`,
);

const compilerOptions: TypeScript.CompilerOptions = {
  noEmit: true,
  strict: true,
  skipLibCheck: false,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.esnext.full.d.ts'],
  types: [],
};

interface CheckedProgram {
  program: TypeScript.Program;
  checker: TypeScript.TypeChecker;
  diagnostics: readonly TypeScript.Diagnostic[];
}
// Kept alive on purpose: this is the heap being measured.
const retained: CheckedProgram[] = [];

let heapUsed = 0;
let estimate = 0;

/** Builds and checks one program, keeps it, and returns the snapshot bytes it is expected to add. */
function check(label: string, group: readonly DeclarationFile[], snapshotRatio: number): number {
  const started = performance.now();
  const program = ts.createProgram(
    group.map((file) => file.path),
    compilerOptions,
  );
  const checker = program.getTypeChecker();
  const diagnostics = ts.getPreEmitDiagnostics(program);
  retained.push({ program, checker, diagnostics });
  gc!();
  const heapBefore = heapUsed;
  heapUsed = process.memoryUsage().heapUsed;
  const added = (heapUsed - heapBefore) * snapshotRatio;
  estimate += added;
  console.log(
    `  ${label}: ${program.getSourceFiles().length} source files, ${diagnostics.length} diagnostics, ` +
      `${Math.round(performance.now() - started)} ms; heap used ${mb(heapUsed)} MB ` +
      `(snapshot ≈ ${mb(estimate)} MB)`,
  );
  return added;
}

function mb(bytes: number): number {
  return Math.round(bytes / 1e6);
}

gc();
heapUsed = process.memoryUsage().heapUsed;
estimate = heapUsed * groupSnapshotRatio;
const target = targetMb * 1e6;
// Whole programs first (the reference heap: the compiler after checking everything), as many as
// fit; then programs over one group each, to come close to the target.
// Prior for one whole program's snapshot bytes, replaced by the measured value once one is built.
let wholeProgramBytes = 3.6e9;
while (estimate + wholeProgramBytes <= target * 1.05) {
  wholeProgramBytes = check(
    `program ${retained.length + 1} (all declaration files)`,
    declarationFiles,
    wholeSnapshotRatio,
  );
}
let lastStep = 0;
for (let next = 0; estimate + lastStep / 2 < target; next++) {
  const group = groups[next % groups.length]!;
  lastStep = check(
    `program ${retained.length + 1} (group ${(next % groups.length) + 1})`,
    group,
    groupSnapshotRatio,
  );
}

const started = performance.now();
writeHeapSnapshot(out);
console.log(`  snapshot written in ${Math.round(performance.now() - started)} ms`);
