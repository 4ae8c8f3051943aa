/**
 * Measures what the dashboard costs, and prints the numbers (not run by CI: it times things).
 *
 *   node scripts/measure-dashboard.ts [chart|in-process|watched|all]
 *
 * - chart: a day of 1 s samples (86,400 points) in headless Chromium: load until drawn, the redraw
 *   for each live point, a wheel-zoom step; the samples API's size and time.
 * - in-process: `watcher.serve()` inside a program: CPU per /metrics scrape and per SSE event sent
 *   to 3 pages, measured in that program (what a library user pays).
 * - watched: `memwatcher run` of a fixed workload with and without `--serve` plus 3 SSE pages and a
 *   scrape a second: the watched program's own CPU time and work done.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { startDashboardServer } from '../src/server/dashboard-server.ts';
import { LiveSource } from '../src/server/live-source.ts';
import { launchChromium } from '../test/support/chromium.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const TOKEN = 'measure-token-0123456789abcdef';
const auth = { Authorization: `Bearer ${TOKEN}` };
const MB = 1e6;
const what = process.argv[2] ?? 'all';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function get(url: string, headers: Record<string, string> = {}): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on('end', () => resolve({ ms: performance.now() - started, bytes }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A sawtooth heap over a slowly rising floor, as a leaking server draws it. */
function daySample(time: number, i: number) {
  const floor = 60 * MB + i * 200;
  return {
    type: 'sample',
    source: 'memwatcher',
    v: 1,
    pid: 1234,
    time,
    rss: 180 * MB + i * 300 + (i % 600) * 20_000,
    heapTotal: 120 * MB,
    heapUsed: floor + (i % 45) * 0.8 * MB,
    external: 8 * MB + (i % 7) * 10_000,
    arrayBuffers: 2 * MB,
    heapLimit: 4096 * MB,
    heapFloor: floor,
    gcPauseMs: i % 45 === 0 ? 12 : 0.4,
    gcCount: 1,
    gcShare: 0.001,
    nativeContexts: 1,
    detachedContexts: 0,
    heapSpaces: [],
  } as const;
}

async function measureChart(): Promise<void> {
  const live = new LiveSource({ mode: 'live', runMode: 'run', command: ['node', 'day.js'] });
  const start = Date.now() - 86_400_000;
  for (let i = 0; i < 86_400; i++) live.accept(daySample(start + i * 1000, i));
  let next = 86_400;
  const feed = setInterval(() => live.accept(daySample(start + next * 1000, next++)), 1000);
  const server = await startDashboardServer({ source: live, port: 0, token: TOKEN });
  const api = `${server.url}api/samples?run=1&pid=1234&maxPoints=100000`;
  const plain = await get(api, auth);
  const zipped = await get(api, { ...auth, 'Accept-Encoding': 'gzip' });
  console.log(
    `samples API, 86,400 points: ${(plain.bytes / MB).toFixed(1)} MB JSON in ${plain.ms.toFixed(0)} ms; gzip ${(zipped.bytes / MB).toFixed(2)} MB in ${zipped.ms.toFixed(0)} ms`,
  );

  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const points =
      "Number(document.querySelector('[data-testid=memory-chart]')?.getAttribute('data-points'))";
    const started = performance.now();
    await page.goto(server.openUrl);
    while (((await page.evaluate(points)) as number) < 86_400) await new Promise((r) => setTimeout(r, 20));
    console.log(`page load until a day of points is drawn: ${(performance.now() - started).toFixed(0)} ms`);

    const redraws: number[] = [];
    let seen = (await page.evaluate(points)) as number;
    while (redraws.length < 10) {
      await new Promise((r) => setTimeout(r, 200));
      const now = (await page.evaluate(points)) as number;
      if (now > seen) {
        seen = now;
        redraws.push(
          Number(
            await page.evaluate(
              "document.querySelector('[data-testid=memory-chart]').getAttribute('data-redraw-ms')",
            ),
          ),
        );
      }
    }
    console.log(
      `redraw per live point (both charts, ${seen.toLocaleString('en-US')} points): median ${median(redraws).toFixed(1)} ms, max ${Math.max(...redraws).toFixed(1)} ms`,
    );

    const zoom = (await page.evaluate(`(async () => {
      const over = document.querySelector('[data-testid=memory-chart] .u-over');
      const box = over.getBoundingClientRect();
      const times = [];
      for (let i = 0; i < 12; i++) {
        const t0 = performance.now();
        over.dispatchEvent(new WheelEvent('wheel', { deltaY: i < 8 ? -100 : 100, clientX: box.left + box.width * 0.7, clientY: box.top + 50, bubbles: true, cancelable: true }));
        await new Promise((resolve) => setTimeout(resolve, 0));
        times.push(performance.now() - t0);
        await new Promise((resolve) => requestAnimationFrame(resolve));
      }
      return times;
    })()`)) as number[];
    console.log(
      `wheel-zoom step over a day of points: median ${median(zoom).toFixed(1)} ms, max ${Math.max(...zoom).toFixed(1)} ms`,
    );
  } finally {
    clearInterval(feed);
    await browser.close();
    await server.close();
  }
}

/** Child: a watched program serving its own dashboard; answers 'cpu' with its CPU time in µs. */
const IN_PROCESS_CHILD = `
const { MemoryWatcher } = await import(${JSON.stringify(`${root}src/index.ts`)});
const watcher = new MemoryWatcher({ intervalMs: 1000 }).start();
const dashboard = await watcher.serve({ port: 0, token: ${JSON.stringify(TOKEN)} });
process.on('message', (message) => {
  if (message === 'cpu') { const { user, system } = process.cpuUsage(); process.send({ cpu: user + system }); }
  if (message === 'stop') { dashboard.close(); watcher.stop(); process.disconnect(); }
});
process.send({ url: dashboard.url });
`;

function ask(child: ChildProcess, message: string): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    child.once('message', (reply) => resolve(reply as Record<string, unknown>));
    child.send(message);
  });
}

async function measureInProcess(): Promise<void> {
  const child = fork('--input-type=module', ['-e', IN_PROCESS_CHILD], { execArgv: [], stdio: 'inherit' });
  const { url } = (await new Promise((resolve) => child.once('message', resolve))) as { url: string };
  await get(`${url}metrics`, auth); // first scrape loads and warms up
  const idleFrom = (await ask(child, 'cpu')).cpu as number;
  await new Promise((r) => setTimeout(r, 3000));
  const idle = ((await ask(child, 'cpu')).cpu as number) - idleFrom;
  const scrapes = 300;
  const from = (await ask(child, 'cpu')).cpu as number;
  let bytes = 0;
  const t0 = performance.now();
  for (let i = 0; i < scrapes; i++) bytes = (await get(`${url}metrics`, auth)).bytes;
  const wall = performance.now() - t0;
  const used = ((await ask(child, 'cpu')).cpu as number) - from - (idle * wall) / 3000;
  console.log(
    `in-process /metrics scrape (${bytes} bytes): ${(used / scrapes).toFixed(0)} µs CPU in the program per scrape (${scrapes} scrapes, idle CPU subtracted)`,
  );

  // Three pages listening: the program's CPU over 20 s with and without them.
  const window = async (pages: number) => {
    const streams = Array.from({ length: pages }, () =>
      httpRequest(`${url}api/events`, { headers: auth }, (res) => res.resume()).end(),
    );
    await new Promise((r) => setTimeout(r, 500));
    const before = (await ask(child, 'cpu')).cpu as number;
    await new Promise((r) => setTimeout(r, 20_000));
    const spent = ((await ask(child, 'cpu')).cpu as number) - before;
    for (const stream of streams) stream.destroy();
    return spent;
  };
  const none = await window(0);
  const three = await window(3);
  console.log(
    `in-process, 20 s at 1 sample/s: ${(none / 1000).toFixed(0)} ms CPU with no page, ${(three / 1000).toFixed(0)} ms with 3 SSE pages (${((three - none) / 20 / 3).toFixed(0)} µs per event per page)`,
  );
  child.send('stop');
  child.kill();
}

/** A fixed workload: JSON round trips for 15 s; prints its CPU time and work done. */
const WORKLOAD = `
const end = Date.now() + 15000; let done = 0; const keep = [];
while (Date.now() < end) { for (let i = 0; i < 2000; i++) keep.push(JSON.parse(JSON.stringify({ i, s: 'x'.repeat(20) }))); keep.length = 0; done++; await new Promise((r) => setImmediate(r)); }
const { user, system } = process.cpuUsage();
process.stderr.write('WORK ' + JSON.stringify({ done, cpuMs: (user + system) / 1000 }) + '\\n');
`;

function runWatched(serve: boolean): Promise<{ done: number; cpuMs: number }> {
  const args = [`${root}src/cli/main.ts`, 'run', '-q', '--interval', '1s'];
  if (serve) args.push('--serve', '0', '--token', TOKEN);
  args.push('--', process.execPath, '--input-type=module', '-e', WORKLOAD);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const clients: ReturnType<typeof httpRequest>[] = [];
  let scraper: NodeJS.Timeout | undefined;
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    const url = /dashboard at (http:\/\/[^/]+\/)/.exec(stderr)?.[1];
    if (url !== undefined && clients.length === 0) {
      for (let i = 0; i < 3; i++) {
        const client = httpRequest(`${url}api/events`, { headers: auth }, (res) => res.resume());
        client.on('error', () => {});
        client.end();
        clients.push(client);
      }
      scraper = setInterval(() => void get(`${url}metrics`, auth).catch(() => {}), 1000);
    }
  });
  return new Promise((resolve, reject) =>
    child.on('close', () => {
      clearInterval(scraper);
      for (const client of clients) client.destroy();
      const work = /WORK (\{.*\})/.exec(stderr)?.[1];
      if (work === undefined) reject(new Error(stderr));
      else resolve(JSON.parse(work));
    }),
  );
}

async function measureWatched(): Promise<void> {
  const rounds: { serve: boolean; done: number; cpuMs: number }[] = [];
  // Alternating, so the machine's load drifts across both alike.
  for (let round = 0; round < 3; round++) {
    for (const serve of [false, true]) rounds.push({ serve, ...(await runWatched(serve)) });
  }
  for (const serve of [false, true]) {
    const mine = rounds.filter((round) => round.serve === serve);
    const perUnit = mine.map((round) => (round.cpuMs / round.done) * 1000);
    console.log(
      `watched program, ${serve ? 'run --serve + 3 SSE pages + 1 scrape/s' : 'run without --serve           '}: work ${mine.map((round) => round.done).join(' / ')}, CPU per unit of work ${perUnit.map((value) => value.toFixed(0)).join(' / ')} µs`,
    );
  }
}

if (what === 'chart' || what === 'all') await measureChart();
if (what === 'in-process' || what === 'all') await measureInProcess();
if (what === 'watched' || what === 'all') await measureWatched();
