import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type MemwatcherError, SnapshotCaptureError } from '../errors.ts';
import { type SnapshotEvent, SnapshotPolicy, type SnapshotStartEvent } from './snapshot-policy.ts';

function policy(
  settings: { minIntervalMs: number; maxCount: number },
  capture = async () => ({ file: 'f', bytes: 1, durationMs: 1 }),
) {
  let clock = 0;
  const started: SnapshotStartEvent[] = [];
  const done: SnapshotEvent[] = [];
  const faults: MemwatcherError[] = [];
  const instance = new SnapshotPolicy(
    { dir: '/snapshots', onLeak: true, nearHeapLimit: 0.9, ...settings },
    {
      now: () => clock,
      announce: (e) => started.push(e),
      done: (e) => done.push(e),
      fault: (e) => faults.push(e),
    },
    capture,
  );
  return {
    instance,
    started,
    done,
    faults,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('SnapshotPolicy', () => {
  it('rate-limits automatic captures and caps their number', async () => {
    const p = policy({ minIntervalMs: 1000, maxCount: 2 });
    p.instance.automatic('leak');
    await settle();
    p.instance.automatic('near-heap-limit'); // too soon
    await settle();
    p.advance(1000);
    p.instance.automatic('near-heap-limit');
    await settle();
    p.advance(5000);
    p.instance.automatic('leak'); // over maxCount
    await settle();
    assert.deepEqual(
      p.done.map((e) => e.reason),
      ['leak', 'near-heap-limit'],
    );
    assert.deepEqual(
      p.started.map((e) => e.dir),
      ['/snapshots', '/snapshots'],
    );
  });

  it('takes one snapshot at a time', async () => {
    let release: () => void = () => {};
    const p = policy(
      { minIntervalMs: 0, maxCount: 10 },
      () =>
        new Promise((resolve) => {
          release = () => resolve({ file: 'f', bytes: 1, durationMs: 1 });
        }),
    );
    const first = p.instance.take('on-demand', '/d', undefined);
    await settle();
    const second = await p.instance.take('on-demand', '/d', undefined);
    assert.deepEqual(second, { status: 'skipped', reason: 'on-demand', why: 'in-progress' });
    release();
    assert.equal((await first).status, 'captured');
  });

  it('reports a failed automatic capture as a fault, and resolves a failed on-demand one', async () => {
    const failing = async () => {
      throw new SnapshotCaptureError('ERR_SNAPSHOT_NO_SPACE', 'f', 'disk full');
    };
    const p = policy({ minIntervalMs: 0, maxCount: 10 }, failing);
    p.instance.automatic('leak');
    await settle();
    assert.equal(p.faults[0]?.code, 'ERR_SNAPSHOT_NO_SPACE');
    const outcome = await p.instance.take('on-demand', '/d', undefined);
    assert.equal(outcome.status, 'failed');
  });
});
