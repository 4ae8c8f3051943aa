import assert from 'node:assert/strict';
import { test } from 'node:test';
import { containsSorted, sortedUint32 } from './sort.ts';

test('sortedUint32 sorts the whole 32-bit range like a comparison sort, and leaves its input alone', () => {
  let state = 99;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state;
  };
  for (const length of [0, 1, 2, 3, 100, 65_537, 200_000]) {
    const values = new Uint32Array(length);
    for (let i = 0; i < length; i++) {
      // Ids beyond 2^31, duplicates, values sharing low or high halves.
      const roll = random() % 4;
      values[i] =
        roll === 0
          ? random()
          : roll === 1
            ? 0x80000000 + (random() & 0xffff)
            : roll === 2
              ? random() & 0xffff0000
              : 7;
    }
    const input = values.slice();
    const sorted = sortedUint32(values);
    assert.deepEqual(values, input, 'input untouched');
    assert.deepEqual(sorted, input.slice().sort());
    for (let i = 0; i < Math.min(length, 500); i++) assert.equal(containsSorted(sorted, values[i]!), true);
  }
  const sorted = sortedUint32(Uint32Array.from([0xffffffff, 0, 2 ** 31, 5]));
  assert.deepEqual([...sorted], [0, 5, 2 ** 31, 0xffffffff]);
  assert.equal(containsSorted(sorted, 6), false);
  assert.equal(containsSorted(sorted, 0xffffffff), true);
  assert.equal(containsSorted(new Uint32Array(0), 0), false);
});
