/**
 * memwatcher/testing under Vitest. Run by test/testing/runners.test.ts, which expects the tests whose
 * names start with "fails:" to fail (the leak assertion's error is the test's failure) and the
 * others to pass.
 */

import { expect, test } from 'vitest';
import { assertNoLeak, expectCollected, trackForCollection } from '../../../src/testing/index.ts';
import { leaks200Bytes, makesGarbage } from '../fixtures/workloads.ts';

test('passes: a function that only makes garbage', async () => {
  const result = await assertNoLeak(makesGarbage());
  expect(result.calls).toBeGreaterThan(1000);
  expect(result.growthBytesPerCall).toBeLessThan(result.thresholdBytesPerCall);
});

test('fails: a leak of one ~200-byte object per call', async () => {
  await assertNoLeak(leaks200Bytes());
});

test('passes: an object dropped after use is collected', async () => {
  let session: { id: number } | undefined = { id: 1 };
  const tracked = trackForCollection(session, 'dropped session');
  session = undefined;
  await expectCollected(tracked);
});

const registry: object[] = [];
test('fails: an object kept in a registry is not collected', async () => {
  let session: { id: number } | undefined = { id: 2 };
  const tracked = trackForCollection(session, 'registered session');
  registry.push(session);
  session = undefined;
  await expectCollected(tracked, { timeout: 200 });
});
