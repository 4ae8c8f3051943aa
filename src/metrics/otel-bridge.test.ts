import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { MemoryWatcher } from '../agent/watcher.ts';
import { registerOpenTelemetryMetrics } from './otel-bridge.ts';

const slot: unknown[] = [undefined];
function churn(): void {
  for (let i = 0; i < 400_000; i++) slot[0] = { i, s: `x${i}` };
}
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A MeterProvider whose only reader exports to memory when asked (`collect()`). */
function sdk() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  return {
    provider,
    collect: async (): Promise<Map<string, MetricData>> => {
      exporter.reset();
      await reader.forceFlush();
      const byName = new Map<string, MetricData>();
      for (const resource of exporter.getMetrics()) {
        for (const scope of resource.scopeMetrics) {
          for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
        }
      }
      return byName;
    },
  };
}

describe('registerOpenTelemetryMetrics', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const step of cleanup) await step();
  });

  it('exports the figures under the semantic-convention names, read once per collection', async () => {
    const { provider, collect } = sdk();
    cleanup.push(() => provider.shutdown());
    const watcher = new MemoryWatcher({ intervalMs: 1000 }).start();
    cleanup.push(() => {
      watcher.stop();
    });
    const registration = await registerOpenTelemetryMetrics(watcher, {
      meter: provider.getMeter('test'),
      classes: () => [
        { name: 'Session', count: 12 },
        { name: 'Timer', count: 2 },
      ],
      topClasses: 1,
    });
    cleanup.push(() => registration.close());
    const metrics = await collect();
    for (const name of [
      'process.memory.usage',
      'v8js.memory.heap.used',
      'v8js.memory.heap.space.size',
      'v8js.memory.heap.space.available_size',
      'v8js.memory.heap.space.physical_size',
      'memwatcher.memory.external',
      'memwatcher.heap.limit',
      'memwatcher.leak.verdict',
      'memwatcher.class.objects',
    ]) {
      assert.ok(metrics.has(name), `${name} exported`);
    }
    const rss = metrics.get('process.memory.usage')!;
    assert.equal(rss.descriptor.unit, 'By');
    assert.equal(rss.dataPointType, DataPointType.SUM, 'an UpDownCounter, as the conventions say');
    const rssValue = rss.dataPoints[0]!.value as number;
    assert.ok(rssValue > 10e6 && rssValue < 64e9, `RSS ${rssValue}`);
    const old = metrics
      .get('v8js.memory.heap.used')!
      .dataPoints.find((p) => p.attributes['v8js.heap.space.name'] === 'old_space');
    assert.ok((old?.value as number) > 0, 'old_space in use');
    const statuses = metrics.get('memwatcher.leak.verdict')!.dataPoints.filter((p) => p.value === 1);
    assert.deepEqual(
      statuses.map((p) => p.attributes['memwatcher.verdict.status']),
      ['warming-up'],
    );
    assert.deepEqual(
      metrics
        .get('memwatcher.class.objects')!
        .dataPoints.map((p) => [p.attributes['memwatcher.class.name'], p.value]),
      [
        ['Session', 12],
        ['other', 2],
      ],
    );
    assert.equal(
      metrics.has('memwatcher.heap.time_to_limit'),
      false,
      'no projection while the heap does not grow',
    );
  });

  it('records every GC entry in v8js.gc.duration, by v8js.gc.type, with the advised buckets', async () => {
    const { provider, collect } = sdk();
    cleanup.push(() => provider.shutdown());
    const watcher = new MemoryWatcher({ intervalMs: 1000 }).start();
    cleanup.push(() => {
      watcher.stop();
    });
    const registration = await registerOpenTelemetryMetrics(watcher, { meter: provider.getMeter('test') });
    const before = watcher.gcStats();
    for (let round = 0; round < 20 && watcher.gcStats().count - before.count < 10; round++) {
      churn();
      await turn();
    }
    // GCs keep happening while the SDK collects (it allocates): the count lies between the watcher's
    // own counts just before and just after the collection.
    const atStart = watcher.gcStats();
    const gc = (await collect()).get('v8js.gc.duration')!;
    const atEnd = watcher.gcStats();
    assert.equal(gc.dataPointType, DataPointType.HISTOGRAM);
    assert.equal(gc.descriptor.unit, 's');
    const points = gc.dataPoints as {
      attributes: Record<string, unknown>;
      value: { count: number; buckets: { boundaries: number[] } };
    }[];
    const byType = Object.fromEntries(points.map((p) => [p.attributes['v8js.gc.type'], p.value.count]));
    assert.ok(atStart.count - before.count >= 10, 'the workload ran GCs');
    for (const kind of ['minor', 'major', 'incremental', 'weakcb'] as const) {
      const recorded = byType[kind] ?? 0;
      const low = atStart[kind].count - before[kind].count;
      const high = atEnd[kind].count - before[kind].count;
      assert.ok(
        recorded >= low && recorded <= high,
        `${kind} GCs: ${recorded} recorded, ${low}–${high} seen`,
      );
    }
    assert.deepEqual(points[0]!.value.buckets.boundaries, [0.01, 0.1, 1, 10]);
    registration.close();
    const totalCount = async () => {
      const points = (await collect()).get('v8js.gc.duration')!.dataPoints as { value: { count: number } }[];
      return points.reduce((sum, p) => sum + p.value.count, 0);
    };
    const recorded = await totalCount();
    churn();
    await turn();
    const total = await totalCount();
    assert.equal(total, recorded, 'nothing recorded after close()');
  });

  it('uses the global MeterProvider when no meter is given, and rejects bad options', async () => {
    const { metrics } = await import('@opentelemetry/api');
    const { provider, collect } = sdk();
    cleanup.push(() => provider.shutdown());
    assert.equal(metrics.setGlobalMeterProvider(provider), true);
    cleanup.push(() => metrics.disable());
    const watcher = new MemoryWatcher();
    const registration = await registerOpenTelemetryMetrics(watcher);
    assert.ok((await collect()).has('process.memory.usage'));
    registration.close();
    await assert.rejects(registerOpenTelemetryMetrics(watcher, { meter: {} as never }), /meter/);
    await assert.rejects(
      registerOpenTelemetryMetrics(watcher, { gcDurationBoundaries: [] }),
      /gcDurationBoundaries/,
    );
  });
});
