/**
 * `memwatcher/testing`: leak assertions for test suites (`node:test`, Vitest, Jest — any runner).
 * `assertNoLeak` fails when memory retained per call of a function keeps growing; `expectCollected`
 * fails when an object that should be gone is still reachable. Both say who holds the memory.
 *
 * @example
 * import { assertNoLeak, expectCollected, trackForCollection } from 'memwatcher/testing';
 * await assertNoLeak(() => handleRequest(fakeRequest()));
 */
export type {
  LeakAssertionClass,
  LeakAssertionCode,
  LeakAssertionPathStep,
} from '../errors.ts';
export { InvalidOptionError, LeakAssertionError } from '../errors.ts';
export { type AssertNoLeakOptions, assertNoLeak, type LeakAssertionResult } from './assert-no-leak.ts';
export {
  type ExpectCollectedOptions,
  expectCollected,
  TrackedForCollection,
  trackForCollection,
} from './collection.ts';
export type { CallUnderTest } from './rounds.ts';
