/**
 * Overhead of the in-process agent on a real HTTP server under load.
 *
 * Alternating rounds (A B B A A B …) of the same server (`workloads/http-server.ts`) started
 * without and with `--import memwatcher/register` (1 s sampling, everything else default), each
 * loaded by autocannon running as a separate process on 127.0.0.1 (2 s warm-up, then the measured
 * run). The agent is first built as users get it from npm (`bench/out/agent-dist`: tsc, then the
 * agent's bundles of `scripts/bundle-agent.ts`):
 * loaded from the .ts sources, Node's type stripping alone would add ~20 MB of RSS to the process.
 * Prints throughput and p99 latency per round (with the 1-minute load average, this machine is
 * shared), their medians and the change, then the agent's own memory (heap + ArrayBuffers and RSS
 * after a full GC, agent minus none) and the CPU cost of one sample and one verdict.
 *
 *   ./node_modules/.bin/node bench/agent-overhead.ts [--rounds 6] [--duration 10] [--connections 50]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EnvelopeSeries } from '../src/agent/envelope-series.ts';
import { judgeTrend, pointsToJudge } from '../src/agent/verdict.ts';
import { MemoryWatcher } from '../src/index.ts';
import { buildAgent } from './build-agent.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '6' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
  },
});
const rounds = Number(values.rounds);
const duration = Number(values.duration);
const connections = Number(values.connections);

const root = fileURLToPath(new URL('..', import.meta.url));
const server = fileURLToPath(new URL('./workloads/http-server.ts', import.meta.url));
const autocannon = fileURLToPath(new URL('./node_modules/autocannon/autocannon.js', import.meta.url));
const dist = fileURLToPath(new URL('./out/agent-dist', import.meta.url));
const register = `${dist}/agent/register.js`;

buildAgent(dist);

type Variant = 'none' | 'agent';
interface Round {
  readonly variant: Variant;
  readonly requestsPerSecond: number;
  readonly p99Ms: number;
  readonly heapPlusBuffers: number;
  readonly rss: number;
  readonly agentHistoryBytes: number;
  readonly load: number;
}

async function startServer(variant: Variant): Promise<{ child: ChildProcess; port: number }> {
  const preload = variant === 'agent' ? ['--import', register] : [];
  const child = spawn(process.execPath, ['--expose-gc', ...preload, server], {
    cwd: root,
    env: { ...process.env, MEMWATCHER_INTERVAL_MS: '1000', MEMWATCHER_LOG: 'off' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  return { child, port: Number(chunk.toString().trim()) };
}

async function load(port: number, seconds: number): Promise<{ requestsPerSecond: number; p99Ms: number }> {
  const child = spawn(
    process.execPath,
    [
      autocannon,
      '-c',
      String(connections),
      '-d',
      String(seconds),
      '-j',
      '-n',
      `http://127.0.0.1:${port}/api/items`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await once(child, 'exit');
  const result = JSON.parse(output) as {
    requests: { average: number };
    latency: { p99: number };
    errors: number;
  };
  if (result.errors > 0) throw new Error(`autocannon reported ${result.errors} errors`);
  return { requestsPerSecond: result.requests.average, p99Ms: result.latency.p99 };
}

async function round(variant: Variant): Promise<Round> {
  const { child, port } = await startServer(variant);
  try {
    // Warm-up (JIT, heap growth), then the measured run.
    await load(port, 2);
    const measured = await load(port, duration);
    const memory = (await (await fetch(`http://127.0.0.1:${port}/__memory`)).json()) as {
      heapUsed: number;
      arrayBuffers: number;
      rss: number;
      agentHistoryBytes: number;
    };
    return {
      variant,
      ...measured,
      heapPlusBuffers: memory.heapUsed + memory.arrayBuffers,
      rss: memory.rss,
      agentHistoryBytes: memory.agentHistoryBytes,
      load: loadavg()[0]!,
    };
  } finally {
    child.kill();
    await once(child, 'exit');
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const MB = 1024 * 1024;
const pct = (agent: number, none: number) => `${(((agent - none) / none) * 100).toFixed(2)} %`;

console.log(
  `agent overhead: ${rounds} rounds per variant, autocannon -c ${connections} -d ${duration}s, node ${process.version}`,
);
const order: Variant[] = [];
for (let i = 0; i < rounds; i++)
  order.push(...((i % 2 === 0 ? ['none', 'agent'] : ['agent', 'none']) as Variant[]));
// One unmeasured round of each first: the first servers started pay for cold caches (disk, code).
await round('none');
await round('agent');
const results: Round[] = [];
for (const variant of order) {
  const r = await round(variant);
  results.push(r);
  console.log(
    `  ${variant.padEnd(5)} ${r.requestsPerSecond.toFixed(0).padStart(7)} req/s  p99 ${r.p99Ms.toFixed(1).padStart(5)} ms  heap+buffers ${(r.heapPlusBuffers / MB).toFixed(2)} MB  rss ${(r.rss / MB).toFixed(1)} MB  load ${r.load.toFixed(2)}`,
  );
}
const of = (variant: Variant, pick: (r: Round) => number) =>
  median(results.filter((r) => r.variant === variant).map(pick));
const rpsNone = of('none', (r) => r.requestsPerSecond);
const rpsAgent = of('agent', (r) => r.requestsPerSecond);
const p99None = of('none', (r) => r.p99Ms);
const p99Agent = of('agent', (r) => r.p99Ms);
console.log('\nmedians');
console.log(
  `  throughput  none ${rpsNone.toFixed(0)} req/s  agent ${rpsAgent.toFixed(0)} req/s  change ${pct(rpsAgent, rpsNone)}`,
);
console.log(
  `  p99 latency none ${p99None.toFixed(1)} ms  agent ${p99Agent.toFixed(1)} ms  change ${pct(p99Agent, p99None)}`,
);
const heapDelta = of('agent', (r) => r.heapPlusBuffers) - of('none', (r) => r.heapPlusBuffers);
const rssDelta = of('agent', (r) => r.rss) - of('none', (r) => r.rss);
console.log(
  `  agent memory: heap+ArrayBuffers +${(heapDelta / MB).toFixed(2)} MB (history ring buffers ${(of('agent', (r) => r.agentHistoryBytes) / MB).toFixed(2)} MB of it), RSS ${rssDelta >= 0 ? '+' : ''}${(rssDelta / MB).toFixed(1)} MB`,
);

// RSS of an idle process with and without the agent (less noisy than under load): includes the
// Node built-ins the agent loads (node:v8, node:perf_hooks, node:worker_threads) and its modules.
async function idleRss(withAgent: boolean): Promise<number> {
  const probe =
    'globalThis.gc(); setTimeout(() => { globalThis.gc(); process.stdout.write(String(process.memoryUsage().rss)); }, 1500)';
  const child = spawn(
    process.execPath,
    ['--expose-gc', ...(withAgent ? ['--import', register] : []), '-e', probe],
    {
      env: { ...process.env, MEMWATCHER_LOG: 'off' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await once(child, 'exit');
  return Number(output);
}
const idle = { none: [] as number[], agent: [] as number[] };
for (let i = 0; i < 5; i++) {
  idle.none.push(await idleRss(false));
  idle.agent.push(await idleRss(true));
}
console.log(
  `  idle process RSS: none ${(median(idle.none) / MB).toFixed(1)} MB, agent ${(median(idle.agent) / MB).toFixed(1)} MB (+${((median(idle.agent) - median(idle.none)) / MB).toFixed(1)} MB)`,
);

// CPU cost of the agent's own work, in this process.
const watcher = new MemoryWatcher();
const samples = 5000;
let start = process.cpuUsage();
for (let i = 0; i < samples; i++) watcher.current();
let used = process.cpuUsage(start);
const perSampleUs = (used.user + used.system) / samples;
const settings = {
  windowMs: 600_000,
  warmupMs: 0,
  minPoints: 9,
  confidence: 0.99,
  minGrowthBytesPerMinute: 512 * 1024,
};
const series = new EnvelopeSeries(settings.windowMs / 128, 512);
for (let t = 0; t < 600_000; t += 1000) series.add(t, 50 * MB + t * 20 + (t % 7000));
const verdicts = 200;
start = process.cpuUsage();
for (let i = 0; i < verdicts; i++)
  judgeTrend(pointsToJudge(series, settings, 600_000, 0), settings, { now: 600_000, startedAt: 0 });
used = process.cpuUsage(start);
const perVerdictUs = (used.user + used.system) / verdicts;
console.log(
  `  CPU: one sample (memoryUsage + heap statistics + heap spaces) ${perSampleUs.toFixed(1)} µs; one figure's verdict over a full window (128 points) ${perVerdictUs.toFixed(0)} µs`,
);
console.log(
  `  at 1 s sampling with four figures judged every window/128 (4.7 s): ~${((perSampleUs + (4 * perVerdictUs) / 4.7) / 10_000).toFixed(3)} % of one core`,
);
