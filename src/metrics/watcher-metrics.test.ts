import assert from 'node:assert/strict';
import { once } from 'node:events';
import { PerformanceObserver } from 'node:perf_hooks';
import { after, describe, it } from 'node:test';
import { MemoryWatcher } from '../agent/watcher.ts';
import { InvalidOptionError } from '../errors.ts';
import type { HistogramFamily } from './metric-family.ts';
import { WatcherMetrics } from './watcher-metrics.ts';

const slot: unknown[] = [undefined];
/** Short-lived garbage: several scavenges, usually more than one per observer batch. */
function churn(): void {
  for (let i = 0; i < 400_000; i++) slot[0] = { i, s: `x${i}` };
}
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('WatcherMetrics', () => {
  const watchers: MemoryWatcher[] = [];
  after(() => {
    for (const w of watchers) w.stop();
  });

  it('counts every GC entry the watcher sees, as the watcher counts them', async () => {
    const watcher = new MemoryWatcher({ intervalMs: 50 }).start();
    watchers.push(watcher);
    const metrics = new WatcherMetrics(watcher);
    // A second observer shows how entries arrive: in batches of several under load. Counting one
    // pause per batch (prom-client, OpenTelemetry) would miss most of them.
    const batches: number[] = [];
    const observer = new PerformanceObserver((list) => batches.push(list.getEntries().length));
    observer.observe({ entryTypes: ['gc'] });
    const baseline = watcher.gcStats();
    for (let round = 0; round < 20 && watcher.gcStats().count - baseline.count < 10; round++) {
      churn();
      await turn();
    }
    observer.disconnect();
    assert.ok(
      batches.some((size) => size > 1),
      `some batch held several GC entries (${batches.join(',')})`,
    );
    const stats = watcher.gcStats();
    const gc = metrics.familiesNow().find((f) => f.name === 'nodejs_gc_duration_seconds') as HistogramFamily;
    const counted = Object.fromEntries(gc.series.map((s) => [s.labels.kind, s.count]));
    assert.ok(stats.count - baseline.count >= 10, 'the workload ran GCs');
    for (const kind of ['minor', 'major', 'incremental', 'weakcb'] as const) {
      assert.equal(counted[kind], stats[kind].count - baseline[kind].count, `${kind} GCs`);
    }
    const minor = gc.series.find((s) => s.labels.kind === 'minor')!;
    const pausedMs = stats.minor.pauseMs - baseline.minor.pauseMs;
    assert.ok(Math.abs(minor.sum * 1000 - pausedMs) < 1e-6, 'the sum is the pause time, in seconds');
    metrics.close();
    churn();
    await turn();
    const afterClose = metrics.familiesNow().find((f) => f.name === 'nodejs_gc_duration_seconds');
    assert.deepEqual(afterClose, gc, 'close() stops counting');
  });

  it('reads memory and the verdict at scrape time', async () => {
    const watcher = new MemoryWatcher({ intervalMs: 1000 }).start();
    watchers.push(watcher);
    const metrics = new WatcherMetrics(watcher);
    const text = await metrics.render();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    const rss = value('process_resident_memory_bytes');
    assert.ok(rss > 10e6 && rss < 64e9, `RSS ${rss}`);
    assert.ok(value('nodejs_heap_size_used_bytes') <= value('nodejs_heap_size_total_bytes'));
    assert.ok(value('memwatcher_heap_limit_bytes') > value('nodejs_heap_size_total_bytes'));
    assert.match(text, /^memwatcher_leak_verdict\{status="warming-up"\} 1$/m);
    assert.match(text, /^nodejs_heap_space_size_used_bytes\{space="old"\} \d+$/m);
    assert.match(text, /^memwatcher_leaking 0$/m);
    metrics.close();
  });

  it('exposes the top classes of the census, the rest as other, and survives a census that throws', async () => {
    const watcher = new MemoryWatcher();
    let fail = false;
    const metrics = new WatcherMetrics(watcher, {
      topClasses: 2,
      classes: () => {
        if (fail) throw new Error('census broke');
        return [
          { name: 'Session', count: 900 },
          { name: 'Buffer', count: 5 },
          { name: 'Timer', count: 40 },
          { name: 'Socket', count: 3 },
        ];
      },
    });
    const text = await metrics.render();
    assert.deepEqual(text.match(/^memwatcher_class_objects\{.*$/gm), [
      'memwatcher_class_objects{class="Session"} 900',
      'memwatcher_class_objects{class="Timer"} 40',
      'memwatcher_class_objects{class="other"} 8',
    ]);
    fail = true;
    const warning = once(process, 'warning');
    const degraded = await metrics.render();
    assert.doesNotMatch(degraded, /^memwatcher_class_objects\{/m);
    assert.match(degraded, /^process_resident_memory_bytes \d+$/m);
    const [emitted] = (await warning) as [Error & { code?: string }];
    assert.equal(emitted.code, 'ERR_METRICS_CLASSES');
    metrics.close();
  });

  it('rejects bad options when constructed', () => {
    const watcher = new MemoryWatcher();
    assert.throws(() => new WatcherMetrics({} as MemoryWatcher), InvalidOptionError);
    assert.throws(() => new WatcherMetrics(watcher, { topClasses: 0 }), /topClasses/);
    assert.throws(() => new WatcherMetrics(watcher, { topClasses: 1000 }), /topClasses/);
    assert.throws(() => new WatcherMetrics(watcher, { gcBucketsSeconds: [1, 0.5] }), /gcBucketsSeconds/);
    assert.throws(
      () => new WatcherMetrics(watcher, { classes: [] as unknown as () => [] }),
      (error: Error & { code?: string }) =>
        error.code === 'ERR_INVALID_OPTION' && /classes/.test(error.message),
    );
  });
});
