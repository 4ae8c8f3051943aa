/**
 * Verdict quality of the in-process agent on workloads whose truth is known
 * (`workloads/verdict-workload.ts`): leaks of 60, 6 and 1 MB/min under a sawtooth heap, a Buffer
 * leak with a flat JS heap, a healthy program and a one-time cache fill. Every workload runs at the
 * same time, each in its own process under `--import memwatcher/register` reporting over IPC, with
 * the agent's default settings unless overridden. Prints, per workload, the time to the first
 * correct leak verdict (right culprit) and the false leak verdicts (on healthy workloads: any;
 * on leaking ones: a wrong culprit).
 *
 *   ./node_modules/.bin/node bench/verdict-quality.ts [--minutes 10] [--only leak-1,healthy]
 *       [--window-ms 600000] [--warmup-ms 60000] [--min-growth 512KB]
 *
 * With the defaults (10 min window, 1 min warm-up) nothing can be called a leak before ~6 minutes;
 * for a quick run shrink the window, e.g. `--minutes 3 --window-ms 60000 --warmup-ms 20000`.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type AgentMessage, isAgentMessage } from '../src/agent/ipc-protocol.ts';
import type { LeakCulprit } from '../src/agent/verdict.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    only: { type: 'string' },
    'window-ms': { type: 'string' },
    'warmup-ms': { type: 'string' },
    'min-growth': { type: 'string' },
  },
});

interface Workload {
  readonly name: string;
  readonly args: readonly string[];
  /** The right culprit, or `undefined` for a program that does not leak. */
  readonly truth: LeakCulprit | undefined;
}

const WORKLOADS: readonly Workload[] = [
  { name: 'leak-60', args: ['leak', '60'], truth: 'js-heap' },
  { name: 'leak-6', args: ['leak', '6'], truth: 'js-heap' },
  { name: 'leak-1', args: ['leak', '1'], truth: 'js-heap' },
  { name: 'buffer-leak-6', args: ['buffer-leak', '6'], truth: 'external' },
  { name: 'healthy', args: ['healthy'], truth: undefined },
  { name: 'cache-fill', args: ['cache-fill'], truth: undefined },
];

const minutes = Number(values.minutes);
const only = values.only?.split(',');
const chosen = WORKLOADS.filter((w) => only === undefined || only.includes(w.name));
const root = fileURLToPath(new URL('..', import.meta.url));
const workload = fileURLToPath(new URL('./workloads/verdict-workload.ts', import.meta.url));
const env: Record<string, string> = { MEMWATCHER_IPC: '1' };
if (values['window-ms'] !== undefined) env.MEMWATCHER_WINDOW_MS = values['window-ms'];
if (values['warmup-ms'] !== undefined) env.MEMWATCHER_WARMUP_MS = values['warmup-ms'];
if (values['min-growth'] !== undefined) env.MEMWATCHER_MIN_GROWTH = values['min-growth'];

interface Outcome {
  readonly workload: Workload;
  readonly firstCorrectMs: number | undefined;
  readonly falseVerdicts: number;
  readonly leakMessages: AgentMessage[];
  readonly majorGcs: number;
  readonly finalSummary: string;
}

function run(w: Workload): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = fork(workload, [...w.args], {
      cwd: root,
      execArgv: ['--conditions=memwatcher-source', '--import', 'memwatcher/register'],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let started: number | undefined;
    let firstCorrectMs: number | undefined;
    let falseVerdicts = 0;
    let majorGcs = 0;
    let finalSummary = '';
    const leakMessages: AgentMessage[] = [];
    child.on('message', (message) => {
      if (!isAgentMessage(message)) return;
      if (message.type === 'hello') started = message.time;
      if (message.type === 'gc') majorGcs++;
      if (message.type === 'verdict') finalSummary = message.verdict.summary;
      if (message.type !== 'leak') return;
      leakMessages.push(message);
      if (message.culprit === w.truth) firstCorrectMs ??= message.time - (started ?? message.time);
      else falseVerdicts++;
    });
    child.on('error', reject);
    setTimeout(() => child.kill(), minutes * 60_000);
    child.on('exit', () =>
      resolve({ workload: w, firstCorrectMs, falseVerdicts, leakMessages, majorGcs, finalSummary }),
    );
  });
}

const settings = Object.entries(env)
  .filter(([k]) => k !== 'MEMWATCHER_IPC')
  .map(([k, v]) => `${k}=${v}`)
  .join(' ');
console.log(
  `verdict quality: ${chosen.length} workloads in parallel for ${minutes} min, node ${process.version}, agent defaults${settings === '' ? '' : ` except ${settings}`}`,
);
const outcomes = await Promise.all(chosen.map(run));
const pad = (text: string, width: number) => text.padEnd(width);
console.log(
  `\n${pad('workload', 15)}${pad('truth', 10)}${pad('first correct verdict', 24)}${pad('false verdicts', 16)}major GCs`,
);
for (const o of outcomes) {
  const first =
    o.firstCorrectMs === undefined
      ? o.workload.truth === undefined
        ? '—'
        : 'none'
      : `${(o.firstCorrectMs / 60_000).toFixed(1)} min`;
  console.log(
    `${pad(o.workload.name, 15)}${pad(o.workload.truth ?? 'no leak', 10)}${pad(first, 24)}${pad(String(o.falseVerdicts), 16)}${o.majorGcs}`,
  );
}
console.log('\nlast verdict of each:');
for (const o of outcomes) console.log(`  ${o.workload.name}: ${o.finalSummary}`);
const wrong = outcomes.flatMap((o) =>
  o.leakMessages.filter((m) => m.type === 'leak' && m.culprit !== o.workload.truth).map((m) => ({ o, m })),
);
if (wrong.length > 0) {
  console.log('\nfalse leak verdicts:');
  for (const { o, m } of wrong) if (m.type === 'leak') console.log(`  ${o.workload.name}: ${m.summary}`);
}
