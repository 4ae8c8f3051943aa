import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext, runInThisContext } from 'node:vm';
import { installRelayExpression, type RelaySample } from './gc-relay.ts';

interface Relay {
  sample(): RelaySample;
  stop(): boolean;
}

// The relay is source text evaluated in the watched process; here it runs in this one, as it would there.
const install = (staleMs: number) => runInThisContext(installRelayExpression(staleMs)) as Relay;

setFlagsFromString('--expose-gc');
const fullGc = runInNewContext('gc') as () => void;

async function collect(times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    fullGc();
    // The observer's callback runs on a later turn of the event loop.
    await sleep(20);
  }
}

describe('GC relay', () => {
  it('counts collections, reads the floor after major GCs, and resets on each sample', async () => {
    const relay = install(60_000);
    try {
      await collect(3);
      const first = relay.sample();
      assert.ok(first.gc.count >= 3, `counted ${first.gc.count}`);
      assert.ok(first.gc.pauseMs > 0);
      assert.ok(first.gc.floor !== null && first.gc.floor.heapFloor > 1_000_000);
      assert.ok(first.gc.floor.heapFloor <= first.heapUsed + 1_000_000, 'the floor is heap that was in use');
      assert.equal(first.heapLimit, getHeapStatistics().heap_size_limit);
      assert.ok(first.rss > first.heapUsed);
      const second = relay.sample();
      assert.deepEqual([second.gc.count, second.gc.pauseMs, second.gc.floor], [0, 0, null]);
    } finally {
      relay.stop();
    }
  });

  it('stops counting once stopped', async () => {
    const relay = install(60_000);
    relay.stop();
    await collect(2);
    assert.equal(relay.sample().gc.count, 0);
  });

  it('disconnects itself when memwatcher stops visiting', async () => {
    const relay = install(0);
    await sleep(5);
    await collect(2); // the first batch finds the relay stale and disconnects
    await collect(2);
    assert.equal(relay.sample().gc.count, 0);
  });
});
