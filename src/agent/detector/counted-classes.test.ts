import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { acquireInspectorSession, collectGarbage } from '../inspector-session.ts';
import { CountedClasses } from './counted-classes.ts';

test('names are unique, Object/Function/arrows refused, the cap holds', () => {
  const counted = new CountedClasses(3);
  const First = class Session {};
  const Second = class Session {};
  assert.equal(counted.add(First, 'registered'), true);
  assert.equal(counted.add(First, 'registered'), false, 'already counted');
  assert.equal(counted.add(Second, 'registered'), true);
  assert.equal(counted.add(Object, 'registered'), false);
  assert.equal(counted.add(Function, 'registered'), false);
  assert.equal(
    counted.add(() => {}, 'registered'),
    false,
  );
  assert.equal(counted.add(class {}, 'registered'), true);
  assert.equal(counted.add(class Late {}, 'registered'), false, 'full');
  assert.deepEqual(
    counted.list().map((entry) => entry.name),
    ['Session', 'Session #2', '(anonymous class)'],
  );
});

test('a discovered class is not kept alive by being counted', async () => {
  const counted = new CountedClasses(10);
  counted.add(Map, 'registered');
  (() => {
    class Ephemeral {}
    counted.add(Ephemeral, 'discovered');
  })();
  assert.equal(counted.size, 2);
  const lease = await acquireInspectorSession();
  try {
    for (let attempt = 0; attempt < 20 && counted.size > 1; attempt++) {
      await nextTurn();
      await collectGarbage(lease.session);
    }
  } finally {
    lease.release();
  }
  assert.deepEqual(
    counted.list().map((entry) => entry.name),
    ['Map'],
  );
});
