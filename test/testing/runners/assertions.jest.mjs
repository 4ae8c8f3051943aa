/**
 * memwatcher/testing under Jest (native ESM, the compiled package). Run by
 * test/testing/runners.test.ts, which expects the tests whose names start with "fails:" to fail (the
 * leak assertion's error is the test's failure) and the others to pass.
 */
import { assertNoLeak, expectCollected, trackForCollection } from 'memwatcher/testing';

test('passes: a function that only makes garbage', async () => {
  const result = await assertNoLeak(() => {
    const rows = [];
    for (let i = 0; i < 20; i++) rows.push({ id: i, label: `row ${i}` });
    return JSON.stringify(rows).length;
  });
  expect(result.calls).toBeGreaterThan(1000);
  expect(result.growthBytesPerCall).toBeLessThan(result.thresholdBytesPerCall);
});

const sessions = [];
let next = 0;
test('fails: a leak of one ~200-byte object per call', async () => {
  await assertNoLeak(() => {
    next += 1;
    sessions.push({
      id: next,
      user: `user-${next % 10}`,
      scopes: [next, next, next, next, next, next, next, next],
    });
  });
});

test('passes: an object dropped after use is collected', async () => {
  let session = { id: 1 };
  const tracked = trackForCollection(session, 'dropped session');
  session = undefined;
  await expectCollected(tracked);
});

const registry = [];
test('fails: an object kept in a registry is not collected', async () => {
  let session = { id: 2 };
  const tracked = trackForCollection(session, 'registered session');
  registry.push(session);
  session = undefined;
  await expectCollected(tracked, { timeout: 200 });
});
