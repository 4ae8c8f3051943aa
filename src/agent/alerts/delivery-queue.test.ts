import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeliveryFailure, type DeliveryFault, DeliveryQueue } from './delivery-queue.ts';

const options = { name: 'test', retries: 2, backoffMs: 1, maxBackoffMs: 5, queueSize: 2 };

describe('DeliveryQueue', () => {
  it('sends one at a time, in order, and drops the oldest waiting item when full', async () => {
    const sent: number[] = [];
    let release: () => void = () => {};
    const send = async (item: number) => {
      sent.push(item);
      if (item === 0) await new Promise<void>((resolve) => (release = resolve));
    };
    const faults: DeliveryFault[] = [];
    const queue = new DeliveryQueue(send, options, (f) => faults.push(f));
    for (let i = 0; i < 6; i++) queue.push(i);
    release();
    await queue.idle();
    assert.deepEqual(sent, [0, 4, 5]);
    assert.deepEqual(queue.counts(), { delivered: 3, failed: 0, dropped: 3, pending: 0 });
    assert.deepEqual(
      faults.map((f) => f.kind),
      ['dropped', 'dropped', 'dropped'],
    );
  });

  it('retries a retryable failure and stops at a permanent one', async () => {
    const attempts = new Map<string, number>();
    const send = async (item: string) => {
      attempts.set(item, (attempts.get(item) ?? 0) + 1);
      throw new DeliveryFailure(`no ${item}`, item === 'transient');
    };
    const faults: DeliveryFault[] = [];
    const queue = new DeliveryQueue(send, options, (f) => faults.push(f));
    queue.push('transient');
    queue.push('permanent');
    await queue.idle();
    assert.equal(attempts.get('transient'), 3);
    assert.equal(attempts.get('permanent'), 1);
    assert.equal(queue.counts().failed, 2);
    assert.match(faults[0]!.message, /test: alert not delivered after 3 attempt\(s\): no transient/);
  });

  it('treats an unexpected throw as retryable and never lets it escape', async () => {
    let calls = 0;
    const queue = new DeliveryQueue(
      () => {
        calls++;
        throw new TypeError('boom');
      },
      options,
      () => {},
    );
    queue.push(1);
    await queue.idle();
    assert.equal(calls, 3);
  });
});
