import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import client from 'prom-client';
import { MemoryWatcher } from '../agent/watcher.ts';
import type { MetricsError } from '../errors.ts';
import { METRICS } from './metric-catalog.ts';
import { registerPromClientMetrics } from './prom-client-bridge.ts';
import { WatcherMetrics } from './watcher-metrics.ts';

/** The names prom-client's collectDefaultMetrics() shares with memwatcher. */
const SHARED = [
  'process_resident_memory_bytes',
  'nodejs_heap_size_total_bytes',
  'nodejs_heap_size_used_bytes',
  'nodejs_external_memory_bytes',
  'nodejs_heap_space_size_total_bytes',
  'nodejs_heap_space_size_used_bytes',
  'nodejs_heap_space_size_available_bytes',
  'nodejs_gc_duration_seconds',
];

const slot: unknown[] = [undefined];
function churn(): void {
  for (let i = 0; i < 400_000; i++) slot[0] = { i, s: `x${i}` };
}
const turn = () => new Promise((resolve) => setImmediate(resolve));
const typeLines = (text: string, name: string) =>
  text.split('\n').filter((line) => line === `# TYPE ${name} gauge` || line === `# TYPE ${name} histogram`);

describe('registerPromClientMetrics', () => {
  const watchers: MemoryWatcher[] = [];
  after(() => {
    for (const w of watchers) w.stop();
  });
  const watcher = () => {
    const w = new MemoryWatcher({ intervalMs: 1000 });
    watchers.push(w);
    return w;
  };

  it('registers every metric in a registry without default metrics, unknown figures left out (not 0)', async () => {
    const registry = new client.Registry();
    const registration = await registerPromClientMetrics(registry, watcher());
    assert.deepEqual(
      registration.registered,
      Object.values(METRICS).map((m) => m.name),
    );
    assert.deepEqual(registration.skipped, []);
    const text = await registry.metrics();
    for (const metric of Object.values(METRICS))
      assert.equal(typeLines(text, metric.name).length, 1, metric.name);
    assert.match(text, /^process_resident_memory_bytes \d+$/m);
    assert.match(text, /^memwatcher_leak_verdict\{status="warming-up"\} 1$/m);
    assert.match(text, /^nodejs_gc_duration_seconds_count\{kind="weakcb"\} 0$/m);
    // Not started: no major GC seen, no growth: these must be absent, never a made-up 0.
    assert.doesNotMatch(text, /^memwatcher_heap_floor_bytes /m);
    assert.doesNotMatch(text, /^memwatcher_time_to_heap_limit_seconds /m);
    registration.unregister();
    registration.unregister();
    assert.equal(await registry.metrics(), '\n');
  });

  it("skips the names prom-client's default metrics already hold: no second set", async () => {
    const registry = new client.Registry();
    client.collectDefaultMetrics({ register: registry });
    const registration = await registerPromClientMetrics(registry, watcher());
    assert.deepEqual([...registration.skipped].sort(), [...SHARED].sort());
    assert.ok(registration.registered.every((name) => name.startsWith('memwatcher_')));
    const text = await registry.metrics();
    for (const name of SHARED) assert.equal(typeLines(text, name).length, 1, `${name} declared once`);
    assert.match(text, /^memwatcher_heap_limit_bytes \d+$/m);
    assert.doesNotMatch(text, /memwatcher_nodejs_/);
    registration.unregister();
  });

  it('prefixes them instead when asked, and counts every GC where prom-client counts one per batch', async () => {
    const registry = new client.Registry();
    client.collectDefaultMetrics({ register: registry });
    const w = watcher().start();
    const registration = await registerPromClientMetrics(registry, w, { onNameClash: 'prefix' });
    assert.deepEqual(
      SHARED.map((name) => registration.registered.includes(`memwatcher_${name}`)),
      SHARED.map(() => true),
    );
    const count = async (name: string) => {
      const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name)!;
      return metric.values
        .filter((v) => (v as { metricName?: string }).metricName === `${name}_count`)
        .reduce((sum, v) => sum + v.value, 0);
    };
    const [theirsBefore, oursBefore] = [
      await count('nodejs_gc_duration_seconds'),
      await count('memwatcher_nodejs_gc_duration_seconds'),
    ];
    const stats = w.gcStats();
    for (let round = 0; round < 20 && w.gcStats().count - stats.count < 20; round++) {
      churn();
      await turn();
    }
    const ours = (await count('memwatcher_nodejs_gc_duration_seconds')) - oursBefore;
    const theirs = (await count('nodejs_gc_duration_seconds')) - theirsBefore;
    assert.equal(ours, w.gcStats().count - stats.count, 'ours: every GC entry');
    assert.ok(theirs < ours, `prom-client's own histogram saw ${theirs} of ${ours} GCs`);
    const text = await registry.metrics();
    assert.equal(typeLines(text, 'nodejs_gc_duration_seconds').length, 1);
    assert.equal(typeLines(text, 'memwatcher_nodejs_gc_duration_seconds').length, 1);
    registration.unregister();
  });

  it('refuses to register twice in one registry, and may register again after unregister()', async () => {
    const registry = new client.Registry();
    const first = await registerPromClientMetrics(registry, watcher());
    await assert.rejects(
      registerPromClientMetrics(registry, watcher()),
      (error: MetricsError) => error.code === 'ERR_METRICS_ALREADY_REGISTERED',
    );
    first.unregister();
    const second = await registerPromClientMetrics(registry, watcher());
    assert.ok(second.registered.length > 0);
    second.unregister();
  });

  it('writes label values exactly as memwatcher/metrics does', async () => {
    const classes = () => [{ name: 'We"ird\\Na\nme', count: 3 }];
    const w = watcher();
    const registry = new client.Registry();
    const registration = await registerPromClientMetrics(registry, w, { classes });
    const own = new WatcherMetrics(w, { classes });
    const line = (text: string) => text.split('\n').find((l) => l.startsWith('memwatcher_class_objects{'));
    assert.equal(line(await registry.metrics()), line(await own.render()));
    assert.equal(line(await own.render()), 'memwatcher_class_objects{class="We\\"ird\\\\Na\\nme"} 3');
    registration.unregister();
    own.close();
  });

  it('rejects what is not a registry or a known clash policy', async () => {
    await assert.rejects(registerPromClientMetrics({} as never, watcher()), /registry/);
    await assert.rejects(
      registerPromClientMetrics(new client.Registry(), watcher(), { onNameClash: 'rename' as never }),
      /onNameClash/,
    );
    await assert.rejects(
      registerPromClientMetrics(new client.Registry(), watcher(), { promClient: {} }),
      /promClient/,
    );
  });
});
