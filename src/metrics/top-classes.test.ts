import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foldTopClasses } from './top-classes.ts';

describe('foldTopClasses', () => {
  it('keeps the N largest counts and sums the rest into other', () => {
    const classes = Array.from({ length: 500 }, (_, i) => ({ name: `Class${i}`, count: i + 1 }));
    const folded = foldTopClasses(classes, 3);
    assert.deepEqual(folded, [
      { name: 'Class499', count: 500 },
      { name: 'Class498', count: 499 },
      { name: 'Class497', count: 498 },
      { name: 'other', count: (497 * 498) / 2 },
    ]);
  });

  it('adds no other entry when everything fits, and merges duplicates and a class named other', () => {
    assert.deepEqual(foldTopClasses([{ name: 'A', count: 2 }], 10), [{ name: 'A', count: 2 }]);
    assert.deepEqual(
      foldTopClasses(
        [
          { name: 'A', count: 2 },
          { name: 'A', count: 3 },
          { name: 'other', count: 7 },
          { name: 'B', count: 1 },
        ],
        1,
      ),
      [
        { name: 'A', count: 5 },
        { name: 'other', count: 8 },
      ],
    );
  });

  it('orders ties by name (stable series between scrapes) and skips unreadable entries', () => {
    const folded = foldTopClasses(
      [
        { name: 'b', count: 1 },
        { name: 'a', count: 1 },
        { name: 'nan', count: Number.NaN },
        { name: 'neg', count: -1 },
        null as unknown as { name: string; count: number },
      ],
      5,
    );
    assert.deepEqual(folded, [
      { name: 'a', count: 1 },
      { name: 'b', count: 1 },
    ]);
  });
});
