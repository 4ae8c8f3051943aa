// Heap engines side by side on one snapshot: memwatcher, Chrome DevTools' heap worker, memlab and
// the bare integer scan, each in its own child process of this same Node, one after the other.
//
//   node bench/heap-engines.ts <file.heapsnapshot> [--only a,b] [--repeat N]
//        [--timeout-min 60] [--max-rss-gb 16] [--quiet-load L] [--json <out.json>]
//
// Times are the full analysis (parse, dominators, retained sizes, class summary) measured inside
// each child after its modules load; peak RSS is the child's maxRSS. Everything printed is also
// written as JSON next to the snapshot's results in bench/out/.
import { execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { loadavg } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readSnapshotHeader } from './gen/snapshot-header.ts';
import type { ContenderResult, SummaryClass } from './runners/result.ts';

const benchDir = dirname(fileURLToPath(import.meta.url));

interface Contender {
  name: string;
  script: string;
  nodeFlags: string[];
}

// JS-heap-bound peers get a V8 heap as large as this machine allows; memwatcher keeps its graph
// in typed arrays outside the V8 heap and runs with defaults.
const bigHeap = ['--max-old-space-size=20000'];
const contenders: Contender[] = [
  { name: 'int-scan', script: 'int-scan.ts', nodeFlags: [] },
  { name: 'memwatcher', script: 'memwatcher.ts', nodeFlags: [] },
  { name: 'devtools', script: 'devtools.ts', nodeFlags: bigHeap },
  { name: 'memlab', script: 'memlab.ts', nodeFlags: bigHeap },
];

interface Run {
  contender: string;
  status: string;
  wallMs: number;
  /** Highest RSS seen by polling /proc (also known for children that crash). */
  polledPeakRssBytes: number;
  exitCode: number | null;
  signal: string | null;
  stderrTail: string;
  /** 1-minute load average when the child started: other work on the machine skews times. */
  loadAtStart: number;
  result?: ContenderResult;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    only: { type: 'string' },
    repeat: { type: 'string', default: '1' },
    'timeout-min': { type: 'string', default: '60' },
    'max-rss-gb': { type: 'string', default: '16' },
    'quiet-load': { type: 'string' },
    json: { type: 'string' },
  },
});
const file = positionals[0] === undefined ? undefined : resolve(positionals[0]);
if (file === undefined) {
  console.error(
    'usage: node bench/heap-engines.ts <file.heapsnapshot> [--only a,b] [--repeat N] [--timeout-min 60] [--max-rss-gb 16] [--quiet-load L]',
  );
  process.exit(2);
}
const only = values.only?.split(',').map((name) => name.trim());
const unknown = only?.filter((name) => !contenders.some((contender) => contender.name === name)) ?? [];
if (unknown.length > 0) {
  console.error(
    `unknown contender(s): ${unknown.join(', ')}; known: ${contenders.map((c) => c.name).join(', ')}`,
  );
  process.exit(2);
}
const repeat = Math.max(1, Number(values.repeat));
const timeoutMs = Number(values['timeout-min']) * 60_000;
const maxRssBytes = Number(values['max-rss-gb']) * 1e9;
const outDir = join(benchDir, 'out');
mkdirSync(outDir, { recursive: true });
const jsonOut = resolve(values.json ?? join(outDir, `${basename(file, '.heapsnapshot')}.bench.json`));

const fileBytes = statSync(file).size;
const header = readSnapshotHeader(file);
console.log(`snapshot  ${file}`);
console.log(
  `          ${mb(fileBytes)} MB, ${header.nodeCount.toLocaleString('en-US')} nodes, ` +
    `${header.edgeCount.toLocaleString('en-US')} edges`,
);
console.log(`node      ${process.version} (${process.execPath})`);
console.log(`date      ${new Date().toISOString()}`);
const engineVersion = memwatcherEngineVersion();
console.log(`engine    src/heap at ${engineVersion}`);

// Every contender reads the file from the page cache; the first one must not pay for the disk.
warmPageCache(file);

const runs: Run[] = [];
for (const contender of contenders) {
  if (only !== undefined && !only.includes(contender.name)) continue;
  for (let round = 1; round <= repeat; round++) {
    await waitForQuiet();
    process.stdout.write(
      `running   ${contender.name}${repeat > 1 ? ` (${round}/${repeat})` : ''} (load ${loadavg()[0]!.toFixed(2)}) … `,
    );
    const run = await runContender(contender, file);
    runs.push(run);
    console.log(
      run.status === 'ok'
        ? `${seconds(run.result!.analysisMs)} s, ${mb(run.result!.maxRssBytes)} MB`
        : `${run.status}${run.stderrTail === '' ? '' : `: ${run.stderrTail}`}`,
    );
    if (run.status !== 'ok') break;
  }
}

const measured = contenders
  .map((contender) => medianRun(runs.filter((run) => run.contender === contender.name)))
  .filter((run): run is Run => run !== undefined);
const byName = (name: string): Run | undefined => measured.find((run) => run.contender === name);
const memwatcher = okResult(byName('memwatcher'));

console.log(`\n## Results (${repeat > 1 ? `median of ${repeat} runs` : 'one run'})\n`);
printTable(
  [
    'contender',
    'status',
    'time s',
    'CPU s',
    'process s',
    'peak RSS MB',
    'time ÷ memwatcher',
    'RSS ÷ memwatcher',
    'load',
  ],
  measured.map((run) => {
    const result = okResult(run);
    return [
      run.contender,
      run.status,
      result === undefined ? '—' : seconds(result.analysisMs),
      result === undefined ? '—' : seconds(result.cpuMs),
      seconds(run.wallMs),
      result === undefined ? `≥ ${mb(run.polledPeakRssBytes)} (polled)` : String(mb(result.maxRssBytes)),
      result === undefined || memwatcher === undefined
        ? '—'
        : ratio(result.analysisMs / memwatcher.analysisMs),
      result === undefined || memwatcher === undefined
        ? '—'
        : ratio(result.maxRssBytes / memwatcher.maxRssBytes),
      run.loadAtStart.toFixed(2),
    ];
  }),
);
for (const run of measured) {
  const result = okResult(run);
  if (result === undefined) continue;
  const phases = Object.entries(result.phases)
    .map(([phase, ms]) => `${phase} ${seconds(ms)} s`)
    .join(', ');
  console.log(`  ${run.contender}: ${phases}`);
}
for (const run of measured) {
  if (run.status !== 'ok' && run.stderrTail !== '')
    console.log(`  ${run.contender} (${run.status}): ${run.stderrTail}`);
}

printTargets();
const correctness = printCorrectness();

writeFileSync(
  jsonOut,
  JSON.stringify(
    {
      file,
      fileBytes,
      nodeCount: header.nodeCount,
      edgeCount: header.edgeCount,
      node: process.version,
      engineVersion,
      date: new Date().toISOString(),
      repeat,
      runs: runs.map(({ result, ...run }) => ({
        ...run,
        result: result === undefined ? undefined : { ...result, summary: result.summary.length },
      })),
      correctness,
    },
    null,
    2,
  ),
);
console.log(`\nraw results: ${jsonOut}`);

function printTargets(): void {
  const devtools = okResult(byName('devtools'));
  const intScan = okResult(byName('int-scan'));
  console.log('\n## memwatcher against its targets\n');
  if (memwatcher === undefined) {
    console.log(`memwatcher: ${byName('memwatcher')?.status ?? 'not run'}`);
    return;
  }
  const rows: string[][] = [];
  const target = (
    name: string,
    value: number | undefined,
    limit: string,
    pass: (value: number) => boolean,
  ): void => {
    rows.push([
      name,
      value === undefined ? 'n/a' : ratio(value),
      limit,
      value === undefined ? '—' : pass(value) ? 'met' : 'MISSED',
    ]);
  };
  target(
    'DevTools time ÷ memwatcher time',
    devtools && devtools.analysisMs / memwatcher.analysisMs,
    '≥ 8',
    (value) => value >= 8,
  );
  target(
    'memwatcher RSS ÷ DevTools RSS',
    devtools && memwatcher.maxRssBytes / devtools.maxRssBytes,
    '≤ 0.4',
    (value) => value <= 0.4,
  );
  target(
    'memwatcher time ÷ int-scan time',
    intScan && memwatcher.analysisMs / intScan.analysisMs,
    '≤ 2',
    (value) => value <= 2,
  );
  target('memwatcher RSS ÷ file size', memwatcher.maxRssBytes / fileBytes, '≤ 1.3', (value) => value <= 1.3);
  printTable(['measure', 'value', 'target', ''], rows);
}

interface ClassComparison {
  name: string;
  type: string;
  devtools?: SummaryClass;
  contender?: SummaryClass;
  /** How the two were matched: DevTools' class key, or DevTools' classes of that name merged. */
  matchedBy: 'key' | 'name' | 'none';
}

function printCorrectness(): ClassComparison[] {
  const devtools = okResult(byName('devtools'));
  console.log('\n## Class summary: memwatcher vs DevTools (top 30 classes by retained size)\n');
  let comparisons: ClassComparison[] = [];
  if (devtools === undefined || memwatcher === undefined) {
    console.log('needs both memwatcher and devtools to have run.');
  } else {
    comparisons = compareWithDevtools(devtools, memwatcher);
    printComparison(comparisons, 'MW');
  }
  const memlab = okResult(byName('memlab'));
  if (devtools !== undefined && memlab !== undefined) {
    // memlab names nothing itself: its summary applies DevTools' naming rule to memlab's nodes,
    // without the `{a, b}` names of plain objects, so only classes named alike can agree.
    console.log('\n## Class summary: memlab vs DevTools (a check on the peers and on this harness)\n');
    printComparison(compareWithDevtools(devtools, memlab), 'ML');
  }
  return comparisons;
}

/**
 * Pairs the contender's top 30 classes by retained size with DevTools' classes, then adds
 * DevTools' top 30 the contender did not report.
 */
function compareWithDevtools(devtools: ContenderResult, contender: ContenderResult): ClassComparison[] {
  const contenderTop = [...contender.summary].sort((a, b) => b.retainedSize - a.retainedSize).slice(0, 30);
  const devtoolsByKey = new Map(devtools.summary.map((entry) => [entry.key!, entry]));
  const devtoolsByName = new Map<string, SummaryClass>();
  for (const entry of devtools.summary) {
    const merged = devtoolsByName.get(entry.name);
    devtoolsByName.set(
      entry.name,
      merged === undefined
        ? { ...entry }
        : {
            ...merged,
            count: merged.count + entry.count,
            selfSize: merged.selfSize + entry.selfSize,
            retainedSize: merged.retainedSize + entry.retainedSize,
          },
    );
  }
  const comparisons: ClassComparison[] = [];
  const matchedKeys = new Set<string>();
  const matchedNames = new Set<string>();
  for (const entry of contenderTop) {
    const key =
      entry.location !== undefined && entry.type === 'object'
        ? `${entry.location.scriptId},${entry.location.line},${entry.location.column},${entry.name}`
        : `,${entry.name}`;
    const byKey = devtoolsByKey.get(key);
    const byClassName = byKey === undefined ? devtoolsByName.get(entry.name) : undefined;
    if (byKey !== undefined) matchedKeys.add(key);
    if (byClassName !== undefined) matchedNames.add(entry.name);
    const match = byKey ?? byClassName;
    comparisons.push({
      name: entry.name,
      type: entry.type,
      contender: entry,
      ...(match === undefined ? {} : { devtools: match }),
      matchedBy: byKey !== undefined ? 'key' : byClassName !== undefined ? 'name' : 'none',
    });
  }
  const devtoolsTop = [...devtools.summary].sort((a, b) => b.retainedSize - a.retainedSize).slice(0, 30);
  for (const entry of devtoolsTop) {
    if (matchedKeys.has(entry.key!) || matchedNames.has(entry.name)) continue;
    comparisons.push({ name: entry.name, type: entry.type, devtools: entry, matchedBy: 'none' });
  }
  const largest = (c: ClassComparison): number =>
    Math.max(c.devtools?.retainedSize ?? 0, c.contender?.retainedSize ?? 0);
  return comparisons.sort((a, b) => largest(b) - largest(a));
}

function printComparison(comparisons: ClassComparison[], short: string): void {
  printTable(
    [
      'class',
      'type',
      'count DT',
      `count ${short}`,
      'Δ',
      'self DT',
      `self ${short}`,
      'Δ',
      'retained DT',
      `retained ${short}`,
      'Δ %',
      'match',
    ],
    comparisons.map((c) => [
      c.name.length > 40 ? `${c.name.slice(0, 39)}…` : c.name,
      c.type,
      num(c.devtools?.count),
      num(c.contender?.count),
      delta(c.devtools?.count, c.contender?.count),
      num(c.devtools?.selfSize),
      num(c.contender?.selfSize),
      delta(c.devtools?.selfSize, c.contender?.selfSize),
      num(c.devtools?.retainedSize),
      num(c.contender?.retainedSize),
      percent(c.devtools?.retainedSize, c.contender?.retainedSize),
      c.matchedBy !== 'none'
        ? c.matchedBy
        : c.contender === undefined
          ? `not in ${short} top 30`
          : 'no DT class',
    ]),
  );
  const both = comparisons.filter((c) => c.devtools !== undefined && c.contender !== undefined);
  const same = (pick: (entry: SummaryClass) => number): number =>
    both.filter((c) => pick(c.devtools!) === pick(c.contender!)).length;
  console.log(
    `\n${both.length} classes in both: count equal in ${same((e) => e.count)}, self size equal in ` +
      `${same((e) => e.selfSize)}, retained size equal in ${same((e) => e.retainedSize)}. ` +
      `Match "name": ${short}'s class against DevTools' classes of that name merged ` +
      '(DevTools splits objects by constructor location).',
  );
}

function runContender(contender: Contender, snapshot: string): Promise<Run> {
  const resultFile = join(outDir, `.${contender.name}-${process.pid}.result.json`);
  rmSync(resultFile, { force: true });
  const loadAtStart = loadavg()[0]!;
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [...contender.nodeFlags, join(benchDir, 'runners', contender.script), snapshot, resultFile],
    { cwd: benchDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // If memory runs out anyway, the kernel should kill this child, not someone else's process.
  try {
    writeFileSync(`/proc/${child.pid}/oom_score_adj`, '1000');
  } catch {
    // Not Linux, or not allowed: the RSS cap below still applies.
  }
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-16_384);
  });
  // memlab reports progress on stdout; only its end matters when it fails.
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout = (stdout + chunk).slice(-4_096);
  });
  let polledPeakRssBytes = 0;
  let killedFor: string | undefined;
  const poll = setInterval(() => {
    const status = procStatus(child.pid);
    polledPeakRssBytes = Math.max(polledPeakRssBytes, status.peakRssBytes);
    if (status.rssBytes > maxRssBytes && killedFor === undefined) {
      killedFor = `killed: RSS ${mb(status.rssBytes)} MB passed the --max-rss-gb cap`;
      child.kill('SIGKILL');
    }
  }, 200);
  const timer = setTimeout(() => {
    killedFor = `killed: still running after ${values['timeout-min']} min`;
    child.kill('SIGKILL');
  }, timeoutMs);
  return new Promise((resolveRun) => {
    child.on('close', (exitCode, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      let result: ContenderResult | undefined;
      try {
        result = JSON.parse(readFileSync(resultFile, 'utf8')) as ContenderResult;
      } catch {
        result = undefined;
      }
      rmSync(resultFile, { force: true });
      const lastLine = (text: string): string =>
        text
          .split('\n')
          .map((line) => line.trim())
          .filter((line) => line !== '')
          .at(-1) ?? '';
      let status: string;
      if (killedFor !== undefined) status = killedFor;
      else if (exitCode === 0 && result?.status === 'ok') status = 'ok';
      else if (exitCode === 0 && result?.status === 'unavailable') status = 'not available yet';
      else if (/out of memory|heap limit|allocation failed/i.test(stderr)) status = 'out of memory';
      else if (signal === 'SIGKILL') status = 'killed by SIGKILL (not by the runner: the kernel OOM killer?)';
      else status = `crashed (exit ${exitCode ?? signal})`;
      resolveRun({
        contender: contender.name,
        status,
        wallMs,
        polledPeakRssBytes: Math.max(polledPeakRssBytes, result?.maxRssBytes ?? 0),
        exitCode,
        signal,
        loadAtStart,
        stderrTail: status === 'ok' ? '' : (result?.message ?? '') || lastLine(stderr) || lastLine(stdout),
        ...(result === undefined ? {} : { result }),
      });
    });
  });
}

/**
 * With --quiet-load L, waits (up to 10 min) until the 1-minute load average is below L: the
 * machine is shared, and a busy neighbour makes a 2-core benchmark meaningless.
 */
async function waitForQuiet(): Promise<void> {
  if (values['quiet-load'] === undefined) return;
  const limit = Number(values['quiet-load']);
  for (let waited = 0; loadavg()[0]! >= limit && waited < 600; waited += 5) await sleep(5000);
}

/** The engine changes under active work: say which state of src/heap was measured. */
function memwatcherEngineVersion(): string {
  const git = (...args: string[]): string =>
    execFileSync('git', ['-C', join(benchDir, '..'), ...args], { encoding: 'utf8' }).trim();
  try {
    const commit = git('log', '-1', '--format=%h %cI', '--', 'src/heap');
    const changed = git('status', '--porcelain', '--', 'src/heap').split('\n').filter(Boolean).length;
    return `${commit || '(no commit)'}${changed > 0 ? ` + ${changed} uncommitted file(s)` : ''}`;
  } catch {
    return 'unknown (no git)';
  }
}

function procStatus(pid: number | undefined): { rssBytes: number; peakRssBytes: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number =>
      Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { rssBytes: kb('VmRSS') * 1024, peakRssBytes: kb('VmHWM') * 1024 };
  } catch {
    return { rssBytes: 0, peakRssBytes: 0 };
  }
}

function warmPageCache(path: string): void {
  const buffer = Buffer.allocUnsafe(16 << 20);
  const fd = openSync(path, 'r');
  try {
    while (readSync(fd, buffer, 0, buffer.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}

function okResult(run: Run | undefined): ContenderResult | undefined {
  return run?.status === 'ok' ? run.result : undefined;
}

function medianRun(contenderRuns: Run[]): Run | undefined {
  const ok = contenderRuns.filter((run) => run.status === 'ok');
  if (ok.length === 0) return contenderRuns.at(-1);
  ok.sort((a, b) => a.result!.analysisMs - b.result!.analysisMs);
  return ok[(ok.length - 1) >> 1];
}

function printTable(head: string[], rows: string[][]): void {
  const widths = head.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
  console.log(line(head));
  console.log(
    `|${widths.map((width, i) => (i === 0 ? `:${'-'.repeat(width + 1)}` : `${'-'.repeat(width + 1)}:`)).join('|')}|`,
  );
  for (const row of rows) console.log(line(row));
}

function mb(bytes: number): number {
  return Math.round(bytes / 1e6);
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
}

function ratio(value: number): string {
  // Three significant digits so that 0.402 does not print as a target-meeting 0.40.
  return `${value >= 100 ? value.toFixed(0) : value.toPrecision(3)}×`;
}

function num(value: number | undefined): string {
  return value === undefined ? '—' : value.toLocaleString('en-US');
}

function delta(reference: number | undefined, value: number | undefined): string {
  if (reference === undefined || value === undefined) return '—';
  const difference = value - reference;
  return difference === 0 ? '0' : `${difference > 0 ? '+' : ''}${difference.toLocaleString('en-US')}`;
}

function percent(reference: number | undefined, value: number | undefined): string {
  if (reference === undefined || value === undefined) return '—';
  if (reference === value) return '0';
  return reference === 0 ? 'n/a' : `${(((value - reference) / reference) * 100).toFixed(2)}%`;
}
