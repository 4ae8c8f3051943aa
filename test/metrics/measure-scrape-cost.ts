/**
 * What a scrape costs the process that serves its own metrics (library users): the time on the main
 * thread per scrape, with a busy watcher (100 ms samples, every GC counted, a workload churning the
 * heap between scrapes, a census of 300 classes folded to the top 10). Not a test (nothing timed is
 * asserted): run it by hand and read the numbers.
 *
 *   node test/metrics/measure-scrape-cost.ts [scrapes]
 */
import { performance } from 'node:perf_hooks';
import client from 'prom-client';
import { MemoryWatcher } from '../../src/index.ts';
import { registerPromClientMetrics, serveMetrics, WatcherMetrics } from '../../src/metrics/index.ts';

const scrapes = Number(process.argv[2] ?? 2000);
const classes = Array.from({ length: 300 }, (_, i) => ({ name: `Class${i}`, count: 1000 - i }));
const watcher = new MemoryWatcher({ intervalMs: 100 }).start();
const metrics = new WatcherMetrics(watcher, { classes: () => classes });

const ring: unknown[] = new Array(50_000).fill(null);
let key = 0;
/** About 1 ms of allocation: scavenges between scrapes, a major GC now and then. */
function work(): void {
  for (let i = 0; i < 5_000; i++, key++) ring[key % ring.length] = { key, text: `v${key}`, list: [key] };
}

function summarize(label: string, micros: number[]): void {
  const sorted = [...micros].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const mean = sorted.reduce((s, v) => s + v, 0) / sorted.length;
  console.log(
    `${label.padEnd(44)} median ${at(0.5).toFixed(0).padStart(5)} µs   p99 ${at(0.99).toFixed(0).padStart(5)} µs   mean ${mean.toFixed(0).padStart(5)} µs   (${sorted.length} scrapes)`,
  );
}

async function measure(label: string, scrape: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 50; i++) await scrape(); // warm-up: compile the paths
  const micros: number[] = [];
  for (let i = 0; i < scrapes; i++) {
    work();
    const start = performance.now();
    await scrape();
    micros.push((performance.now() - start) * 1000);
  }
  summarize(label, micros);
}

const bytes = Buffer.byteLength(await metrics.render());
console.log(`node ${process.version}, exposition ${bytes} bytes, ${scrapes} scrapes per line`);
await measure('WatcherMetrics.render()', () => metrics.render());
const withoutCensus = new WatcherMetrics(watcher);
await measure('WatcherMetrics.render(), no class census', () => withoutCensus.render());
withoutCensus.close();

const registry = new client.Registry();
const registration = await registerPromClientMetrics(registry, watcher, { classes: () => classes });
await measure('prom-client registry.metrics() (ours only)', () => registry.metrics());
registration.unregister();

const server = await serveMetrics(metrics, { port: 0, token: 'measure-token' });
const headers = { authorization: 'Bearer measure-token' };
await measure('GET /metrics over loopback (client included)', async () =>
  (await fetch(server.url, { headers })).text(),
);
await server.close();

console.log(`GCs counted meanwhile: ${watcher.gcStats().count}`);
metrics.close();
watcher.stop();
