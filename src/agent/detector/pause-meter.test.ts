import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PauseMeter } from './pause-meter.ts';

function block(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // Busy on purpose: a stall of the event loop.
  }
}

test('a stall between the awaits of an operation is seen in full', async () => {
  const meter = new PauseMeter();
  await new Promise((resolve) => setTimeout(resolve, 5));
  block(120);
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(meter.stop() >= 120);
});
