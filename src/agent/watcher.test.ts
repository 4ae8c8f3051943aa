import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { MemwatcherError } from '../errors.ts';
import type { MemoryAlert } from './alerts/alert.ts';
import type { GcEvent } from './gc-observer.ts';
import type { MemorySample } from './memory-sample.ts';
import { MemoryWatcher } from './watcher.ts';

const nextTick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const slot: unknown[] = [undefined];
/** Allocates enough short-lived garbage to run several scavenges. */
function churn(): void {
  for (let i = 0; i < 300_000; i++) slot[0] = { i, s: `x${i}` };
}

/** Timers that keep the event loop alive (unref()ed ones are not listed). */
function ourTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

describe('MemoryWatcher', () => {
  const watchers: MemoryWatcher[] = [];
  after(() => {
    for (const w of watchers) w.stop();
  });

  it('samples every interval, counts GCs, keeps history; start and stop are idempotent', async () => {
    const watcher = new MemoryWatcher({ intervalMs: 20 });
    watchers.push(watcher);
    const samples: MemorySample[] = [];
    const gcs: GcEvent[] = [];
    watcher.on('sample', (s) => samples.push(s));
    watcher.on('gc', (e) => gcs.push(e));
    const timersBefore = ourTimers();
    watcher.start().start();
    assert.equal(watcher.running, true);
    // The sampling timer is unref()ed: it does not count among what keeps the process alive.
    assert.equal(ourTimers(), timersBefore);
    while (samples.length < 5) {
      churn();
      await nextTick(25);
    }
    const sample = samples.at(-1)!;
    for (const field of ['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers', 'heapLimit'] as const) {
      assert.ok(sample[field] > 0, field);
    }
    assert.ok(sample.heapSpaces.some((s) => s.name === 'old_space' && s.used > 0));
    assert.ok(sample.nativeContexts >= 1);
    assert.ok(gcs.length > 0, 'GC entries observed');
    assert.ok(
      gcs.every((e) => ['minor', 'major', 'incremental', 'weakcb'].includes(e.kind) && e.durationMs >= 0),
    );
    assert.equal(watcher.gcStats().count >= gcs.length, true);
    // Per-sample GC figures are deltas: they add up to the running totals of the last sample.
    const last = samples.at(-1)!;
    assert.equal(
      samples.reduce((sum, s) => sum + s.gcCount, 0),
      last.gc.count,
    );
    assert.ok(Math.abs(samples.reduce((sum, s) => sum + s.gcPauseMs, 0) - last.gc.pauseMs) < 1e-6);
    assert.ok(watcher.history().length >= 5);

    watcher.stop().stop();
    assert.equal(watcher.running, false);
    assert.equal(ourTimers(), timersBefore);
    const seen = { samples: samples.length, gcs: gcs.length };
    churn();
    await nextTick(80);
    assert.deepEqual({ samples: samples.length, gcs: gcs.length }, seen, 'nothing arrives after stop()');
  });

  it('can be started again after stop()', async () => {
    const watcher = new MemoryWatcher({ intervalMs: 20 });
    watchers.push(watcher);
    watcher.start().stop().start();
    const [sample] = (await once(watcher, 'sample')) as [MemorySample];
    assert.ok(sample.heapUsed > 0);
    watcher.stop();
  });

  it('reports a current sample, a verdict and growth rates before any data', () => {
    const watcher = new MemoryWatcher();
    const current = watcher.current();
    assert.ok(current.rss > current.heapUsed);
    assert.equal(watcher.verdict().status, 'warming-up');
    assert.deepEqual(watcher.growthRate(), {
      heapBytesPerMinute: undefined,
      externalBytesPerMinute: undefined,
      rssBytesPerMinute: undefined,
    });
    assert.ok(watcher.historyBytes > 0 && watcher.historyBytes < 1024 * 1024);
  });

  it('turns throwing and rejecting listeners, callbacks and loggers into error events', async () => {
    const errors: MemwatcherError[] = [];
    const logger = {
      warn: () => {
        throw new Error('logger down');
      },
      error: () => {
        throw new Error('logger down');
      },
    };
    const watcher = new MemoryWatcher({
      intervalMs: 20,
      alerts: { rules: { heapUsedAbove: 1 }, logger },
      onAlert: () => {
        throw new Error('callback bug');
      },
    });
    watchers.push(watcher);
    watcher.on('error', (e) => errors.push(e));
    watcher.on('sample', () => {
      throw new Error('listener bug');
    });
    watcher.on('alert', async () => {
      throw new Error('async listener bug');
    });
    watcher.start();
    while (errors.length < 4) await nextTick(20);
    watcher.stop();
    const messages = errors.map((e) => `${e.code} ${e.message}`);
    for (const expected of [
      /ERR_HOST_CALLBACK a 'sample' listener threw: listener bug/,
      /ERR_HOST_CALLBACK onAlert threw: callback bug/,
      /ERR_HOST_CALLBACK the alert logger threw: logger down/,
      /ERR_HOST_CALLBACK an async 'alert' listener rejected: async listener bug/,
    ]) {
      assert.ok(
        messages.some((m) => expected.test(m)),
        `${expected} in ${messages.join(' | ')}`,
      );
    }
  });

  it('warns once per code through process warnings when nobody listens for errors', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const watcher = new MemoryWatcher({ intervalMs: 20 });
    watchers.push(watcher);
    watcher.on('sample', () => {
      throw new Error('listener bug');
    });
    watcher.start();
    await nextTick(120);
    watcher.stop();
    await nextTick(10);
    process.off('warning', onWarning);
    const ours = warnings.filter((w) => w.name === 'MemwatcherWarning');
    assert.equal(ours.length, 1);
    assert.equal((ours[0] as Error & { code?: string }).code, 'ERR_HOST_CALLBACK');
  });

  it('alerts with the top growing classes of an attached census, rate-limited per rule', async () => {
    const alerts: MemoryAlert[] = [];
    const watcher = new MemoryWatcher({
      intervalMs: 20,
      alerts: { rules: { heapUsedAbove: 1, leak: false }, minIntervalMs: 60_000 },
      onAlert: (a) => {
        alerts.push(a);
      },
    });
    watchers.push(watcher);
    watcher.setCensus({
      topGrowingClasses: async (limit) => [{ name: 'Session', count: 9, countDelta: 4 }].slice(0, limit),
    });
    const events: MemoryAlert[] = [];
    watcher.on('alert', (a) => events.push(a));
    watcher.start();
    await nextTick(150);
    watcher.stop();
    assert.equal(alerts.length, 1, 'one alert despite many samples above the threshold');
    assert.equal(events.length, 1);
    const alert = alerts[0]!;
    assert.equal(alert.rule, 'heapUsedAbove');
    assert.equal(alert.pid, process.pid);
    assert.deepEqual(alert.topGrowingClasses, [{ name: 'Session', count: 9, countDelta: 4 }]);
    assert.match(alert.message, /JS heap in use .* is above 1 B/);
  });

  it('takes a heap snapshot on demand: announced first, written 0600, never rejecting', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'memwatcher-watcher-'));
    try {
      const watcher = new MemoryWatcher({ snapshots: { dir } });
      const order: string[] = [];
      watcher.on('snapshot-start', (e) => order.push(`start:${e.reason}`));
      watcher.on('snapshot', (e) => order.push(`done:${e.reason}`));
      const outcome = await watcher.captureSnapshot({ label: 'test' });
      assert.equal(outcome.status, 'captured');
      assert.ok(outcome.status === 'captured');
      assert.deepEqual(order, ['start:on-demand', 'done:on-demand']);
      assert.match(outcome.file, /-test\.heapsnapshot$/);
      const info = await stat(outcome.file);
      assert.equal(info.mode & 0o777, 0o600);
      assert.equal(info.size, outcome.bytes);
      const missing = await watcher.captureSnapshot({ dir: join(dir, 'does-not-exist') });
      assert.equal(missing.status, 'failed');
      assert.ok(missing.status === 'failed' && missing.error.code === 'ERR_SNAPSHOT_DIR');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
