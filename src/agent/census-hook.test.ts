import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { askTopGrowingClasses } from './census-hook.ts';

const noFault = (error: unknown) => assert.fail(`unexpected fault: ${String(error)}`);

describe('askTopGrowingClasses', () => {
  const classes = [
    { name: 'Session', count: 10, countDelta: 5 },
    { name: 'Buffer', count: 3, countDelta: 2, bytesDelta: 1024 },
    { name: 'Order', count: 1, countDelta: 1 },
  ];

  it('returns at most `limit` classes from a sync or async census', async () => {
    assert.deepEqual(
      await askTopGrowingClasses({ topGrowingClasses: () => classes }, 2, 1000, noFault),
      classes.slice(0, 2),
    );
    assert.deepEqual(
      await askTopGrowingClasses({ topGrowingClasses: async (n) => classes.slice(0, n) }, 5, 1000, noFault),
      classes,
    );
  });

  it('gives up on a census that throws, rejects, hangs or answers nonsense', async () => {
    const faults: string[] = [];
    const fault = (e: unknown) => faults.push((e as Error).message);
    const throwing = () => {
      throw new Error('census broke');
    };
    assert.equal(await askTopGrowingClasses({ topGrowingClasses: throwing }, 3, 1000, fault), undefined);
    assert.equal(
      await askTopGrowingClasses(
        { topGrowingClasses: () => Promise.reject(new Error('rejected')) },
        3,
        1000,
        fault,
      ),
      undefined,
    );
    assert.equal(
      await askTopGrowingClasses({ topGrowingClasses: () => new Promise(() => {}) }, 3, 20, fault),
      undefined,
    );
    assert.equal(
      await askTopGrowingClasses({ topGrowingClasses: () => 'Session' as never }, 3, 1000, fault),
      undefined,
    );
    assert.deepEqual(faults, [
      'census broke',
      'rejected',
      'the census gave no answer within 20 ms',
      'the census returned something other than an array of classes',
    ]);
  });

  it('passes on only the documented fields', async () => {
    const rich = [{ name: 'A', count: 3, countDelta: 2, counts: [1, 3], steady: true }];
    assert.deepEqual(await askTopGrowingClasses({ topGrowingClasses: () => rich }, 5, 1000, noFault), [
      { name: 'A', count: 3, countDelta: 2 },
    ]);
  });

  it('drops malformed entries', async () => {
    const mixed = [{ name: 'A', count: 1, countDelta: 1 }, { name: 2 }, null] as never;
    assert.deepEqual(await askTopGrowingClasses({ topGrowingClasses: () => mixed }, 5, 1000, noFault), [
      { name: 'A', count: 1, countDelta: 1 },
    ]);
  });
});
