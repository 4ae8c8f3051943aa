import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Census, ClassCount } from './census.ts';
import { compareCensuses, findGrowingClasses } from './comparison.ts';

const memory = {
  rss: 100,
  heapTotal: 80,
  heapUsed: 50,
  external: 5,
  arrayBuffers: 1,
  heapLimit: 1000,
  nativeContexts: 1,
  detachedContexts: 0,
};

function census(label: string, time: number, classes: ClassCount[], complete = false, heapUsed = 50): Census {
  return {
    label,
    time,
    method: complete ? 'heapSnapshot' : 'queryObjects',
    memory: { ...memory, heapUsed },
    classes,
    complete,
    pauseMs: 1,
    durationMs: 1,
  };
}

test('compare: deltas per class, largest growth first, memory deltas and elapsed time', () => {
  const a = census(
    'a',
    1_000,
    [
      { name: 'Session', count: 10 },
      { name: 'Socket', count: 5 },
    ],
    false,
    50,
  );
  const b = census(
    'b',
    61_000,
    [
      { name: 'Session', count: 110 },
      { name: 'Socket', count: 2 },
    ],
    false,
    80,
  );
  const comparison = compareCensuses(a, b);
  assert.equal(comparison.elapsedMs, 60_000);
  assert.equal(comparison.memoryDelta.heapUsed, 30);
  assert.deepEqual(comparison.classes, [
    { name: 'Session', before: 10, after: 110, countDelta: 100 },
    { name: 'Socket', before: 5, after: 2, countDelta: -3 },
  ]);
});

test('compare: a class missing from an incomplete census is unknown, from a complete one zero', () => {
  const counted = census('a', 0, [{ name: 'Session', count: 1 }]);
  const later = census('b', 1, [
    { name: 'Session', count: 2 },
    { name: 'Registered later', count: 9 },
  ]);
  assert.deepEqual(
    compareCensuses(counted, later).classes.map((change) => change.name),
    ['Session'],
  );
  const full = census('c', 0, [{ name: 'Session', count: 1, selfSize: 10, retainedSize: 40 }], true);
  const fullLater = census(
    'd',
    1,
    [
      { name: 'Session', count: 1, selfSize: 10, retainedSize: 40 },
      { name: 'Timer', count: 4, selfSize: 4, retainedSize: 64 },
    ],
    true,
  );
  assert.deepEqual(compareCensuses(full, fullLater).classes[0], {
    name: 'Timer',
    before: 0,
    after: 4,
    countDelta: 4,
    bytesDelta: 64,
  });
});

test('findLeaks: growth past the threshold, with the series and whether it was steady', () => {
  const censuses = [
    census('1', 0, [
      { name: 'Session', count: 10 },
      { name: 'Spike', count: 10 },
      { name: 'Flat', count: 7 },
    ]),
    census('2', 1, [
      { name: 'Session', count: 20 },
      { name: 'Spike', count: 90 },
      { name: 'Flat', count: 7 },
    ]),
    census('3', 2, [
      { name: 'Session', count: 30 },
      { name: 'Spike', count: 40 },
      { name: 'Flat', count: 8 },
    ]),
  ];
  assert.deepEqual(findGrowingClasses(censuses, 5), [
    { name: 'Spike', count: 40, countDelta: 30, counts: [10, 90, 40], steady: false },
    { name: 'Session', count: 30, countDelta: 20, counts: [10, 20, 30], steady: true },
  ]);
  assert.deepEqual(
    findGrowingClasses(censuses, 25).map((leak) => leak.name),
    ['Spike'],
  );
  assert.deepEqual(findGrowingClasses(censuses.slice(0, 1), 0), [], 'one census shows no growth');
});

test('findLeaks: a census that did not count the class shows null in the series', () => {
  const censuses = [
    census('1', 0, [{ name: 'Session', count: 1 }]),
    census('2', 1, []),
    census('3', 2, [{ name: 'Session', count: 5 }]),
  ];
  assert.deepEqual(findGrowingClasses(censuses, 0)[0]?.counts, [1, null, 5]);
});
