import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { OutsideSampleEvent } from './events.ts';
import { ProcSampler } from './proc-sampler.ts';

const root = mkdtempSync(join(tmpdir(), 'memwatcher-sampler-'));
after(() => rmSync(root, { recursive: true, force: true }));

function fakeProcess(pid: number, rssKb: number, children: number[] = [], startTime = 1000): void {
  mkdirSync(join(root, String(pid), 'task', String(pid)), { recursive: true });
  writeFileSync(
    join(root, String(pid), 'status'),
    `State:\tS (sleeping)\nVmHWM:\t${rssKb * 2} kB\nVmRSS:\t${rssKb} kB\nVmSwap:\t0 kB\nThreads:\t2\n`,
  );
  writeFileSync(join(root, String(pid), 'smaps_rollup'), `Pss: ${rssKb / 2} kB\n`);
  writeFileSync(join(root, String(pid), 'stat'), `${pid} (x) S 1 ${'0 '.repeat(17)}${startTime} 0 0`);
  writeFileSync(join(root, String(pid), 'cmdline'), 'x\0');
  writeFileSync(join(root, String(pid), 'task', String(pid), 'children'), children.join(' '));
}

describe('ProcSampler', () => {
  it('samples one process: RSS, the kernel peak, PSS, threads', async () => {
    fakeProcess(200, 1000);
    const sampler = new ProcSampler({ pid: 200, intervalMs: 1000, procRoot: root, onSample: () => {} });
    assert.equal(await sampler.start(), true);
    sampler.stop();
    const sample = await sampler.sample();
    assert.ok(sample !== undefined && sample !== null);
    assert.equal(sample.rss, 1000 * 1024);
    assert.equal(sample.rssPeak, 2000 * 1024);
    assert.equal(sample.pss, 500 * 1024);
    assert.equal(sample.threads, 2);
    assert.equal(sample.processes, 1);
    assert.equal(sample.source, 'proc');
    assert.equal(sample.heapUsed, null);
  });

  it('sums a tree with `tree`, children of children included', async () => {
    fakeProcess(300, 1000, [301]);
    fakeProcess(301, 2000, [302]);
    fakeProcess(302, 4000);
    const sampler = new ProcSampler({
      pid: 300,
      intervalMs: 1000,
      tree: true,
      procRoot: root,
      onSample: () => {},
    });
    await sampler.start();
    sampler.stop();
    const sample = await sampler.sample();
    assert.equal(sample?.rss, 7000 * 1024);
    assert.equal(sample?.processes, 3);
    assert.equal(sample?.threads, 6);
    assert.equal(sample?.rssPeak, 7000 * 1024, 'the highest sum seen, not the sum of peaks');
  });

  it('reports a process gone once, also when its pid was reused by another process', async () => {
    fakeProcess(400, 1000);
    const samples: OutsideSampleEvent[] = [];
    let gone = 0;
    const goneOnce = new Promise<void>((resolve) => {
      const sampler = new ProcSampler({
        pid: 400,
        intervalMs: 20,
        procRoot: root,
        onSample: (sample) => {
          samples.push(sample);
          // Another process with the same pid: a different start time.
          if (samples.length === 2) fakeProcess(400, 1000, [], 2000);
        },
        onGone: () => {
          gone++;
          resolve();
        },
      });
      void sampler.start();
    });
    await goneOnce;
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(gone, 1);
    assert.equal(samples.length, 2);
  });

  it('skips a reading of 0 RSS (a process between two programs in exec) without calling it gone', async () => {
    fakeProcess(450, 0);
    const sampler = new ProcSampler({ pid: 450, intervalMs: 1000, procRoot: root, onSample: () => {} });
    await sampler.start();
    sampler.stop();
    assert.equal(await sampler.sample(), null);
    fakeProcess(450, 1000);
    assert.equal((await sampler.sample())?.rss, 1000 * 1024);
  });

  it('does not start for a process that does not exist', async () => {
    const sampler = new ProcSampler({ pid: 499, intervalMs: 1000, procRoot: root, onSample: () => {} });
    assert.equal(await sampler.start(), false);
  });
});
