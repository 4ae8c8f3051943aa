import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { acquireInspectorSession, collectGarbage } from '../inspector-session.ts';
import { TrackedObjects } from './tracking.ts';

async function collectUntil(done: () => boolean): Promise<void> {
  const lease = await acquireInspectorSession();
  try {
    for (let attempt = 0; attempt < 50 && !done(); attempt++) {
      await collectGarbage(lease.session);
      await sleep(10);
    }
  } finally {
    lease.release();
  }
}

test('the FinalizationRegistry notes a collection without anyone dereferencing the object', async () => {
  const tracked = new TrackedObjects(10);
  let request: object | undefined = { id: 1 };
  tracked.add(request, 'request');
  request = undefined;
  await collectUntil(() => tracked.isKnownCollected('request'));
  assert.equal(tracked.isKnownCollected('request'), true);
  const [status] = tracked.statuses();
  assert.equal(status?.alive, false);
  assert.ok(status.collectedAt !== undefined && status.ageMs >= 0);
});

test('a live object stays alive and ages; its class name is recorded', () => {
  const tracked = new TrackedObjects(10);
  class Session {}
  const session = new Session();
  tracked.add(session, 'session');
  const [status] = tracked.statuses();
  assert.deepEqual([status?.alive, status?.className], [true, 'Session']);
  assert.equal(tracked.target('session'), session);
});

test('at the cap, a collected entry makes room first, else the oldest; tracking a name again replaces it', async () => {
  const tracked = new TrackedObjects(2);
  const keep = [{ n: 1 }, { n: 2 }, { n: 3 }];
  tracked.add(keep[0]!, 'a');
  let gone: object | undefined = { n: 0 };
  tracked.add(gone, 'b');
  gone = undefined;
  await collectUntil(() => tracked.isKnownCollected('b'));
  tracked.add(keep[1]!, 'c');
  assert.deepEqual(
    tracked.statuses().map((status) => status.name),
    ['a', 'c'],
    'the collected b went first',
  );
  tracked.add(keep[2]!, 'd');
  assert.deepEqual(
    tracked.statuses().map((status) => status.name),
    ['c', 'd'],
    'then the oldest',
  );
  assert.equal(tracked.dropped, 2);
  tracked.add(keep[0]!, 'c');
  assert.deepEqual(
    tracked.statuses().map((status) => status.name),
    ['d', 'c'],
  );
  assert.equal(tracked.target('c'), keep[0]);
});
