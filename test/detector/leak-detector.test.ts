import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { askTopGrowingClasses } from '../../src/agent/census-hook.ts';
import { LeakDetector } from '../../src/agent/detector/leak-detector.ts';
import { isInspectorSessionOpen } from '../../src/agent/inspector-session.ts';

const snapshotDir = mkdtempSync(join(tmpdir(), 'memwatcher-detector-'));
after(() => rmSync(snapshotDir, { recursive: true, force: true }));

class LeakyThing {
  readonly payload = [1, 2, 3];
}
class Held {
  readonly note = 'held';
}

const leaked: LeakyThing[] = [];
/** Keeps `keep` new LeakyThings and makes `drop` more that become garbage at once. */
function grow(keep: number, drop: number): void {
  for (let i = 0; i < keep; i++) leaked.push(new LeakyThing());
  let garbage: LeakyThing[] | undefined = [];
  for (let i = 0; i < drop; i++) garbage.push(new LeakyThing());
  garbage = undefined;
}

const holder = { currentSession: new Held() };

test('queryObjects census: counts live instances only, compare and findLeaks see the growth', async () => {
  leaked.length = 0;
  const detector = new LeakDetector({ classes: [LeakyThing] });
  try {
    grow(100, 500);
    const before = await detector.snapshot('before');
    assert.equal(before.method, 'queryObjects');
    assert.deepEqual(
      before.classes,
      [{ name: 'LeakyThing', count: 100 }],
      'the 500 garbage objects are not counted',
    );
    assert.ok(before.memory.heapUsed > 0 && before.memory.heapLimit > before.memory.heapUsed);
    assert.ok(before.pauseMs > 0);

    grow(250, 500);
    await detector.snapshot('after');
    const { classes } = detector.compare('before', 'after');
    assert.deepEqual(classes, [{ name: 'LeakyThing', before: 100, after: 350, countDelta: 250 }]);

    const leaks = detector.findLeaks({ threshold: 200 });
    assert.deepEqual(leaks, [
      { name: 'LeakyThing', count: 350, countDelta: 250, counts: [100, 350], steady: true },
    ]);
    assert.deepEqual(detector.findLeaks({ threshold: 250 }), []);
    assert.deepEqual(detector.topTypes(1), [{ name: 'LeakyThing', count: 350 }]);
    const faults: unknown[] = [];
    const forAlerts = await askTopGrowingClasses(detector, 5, 5_000, (fault) => faults.push(fault));
    assert.deepEqual(faults, []);
    assert.deepEqual(
      forAlerts?.map((leak) => [leak.name, leak.count, leak.countDelta]),
      [['LeakyThing', 350, 250]],
      "the watcher's alerts can name the growing class",
    );
  } finally {
    await detector.dispose();
  }
});

test('heapSnapshot census: every class with sizes, counted off the main thread, file removed', async () => {
  leaked.length = 0;
  const detector = new LeakDetector({ snapshotDir });
  try {
    grow(100, 500);
    const first = await detector.snapshot('first');
    assert.equal(first.method, 'heapSnapshot');
    const leakyBefore = first.classes.find((entry) => entry.name === 'LeakyThing');
    assert.equal(leakyBefore?.count, 100);
    assert.ok((leakyBefore?.selfSize ?? 0) > 0);
    assert.ok(first.classes.length > 20, 'a full census names many classes');
    grow(300, 500);
    await detector.snapshot('second');
    const growth = detector.findLeaks({ threshold: 250 }).find((leak) => leak.name === 'LeakyThing');
    assert.equal(growth?.countDelta, 300);
    assert.equal(growth?.count, 400);
    assert.ok((growth?.bytesDelta ?? 0) > 0);
    assert.deepEqual(readdirSync(snapshotDir), [], 'census snapshots are deleted once analysed');
  } finally {
    await detector.dispose();
  }
});

test('censuses are capped at maxCensuses, oldest dropped; an aborted census stores nothing', async () => {
  const detector = new LeakDetector({ classes: [LeakyThing], maxCensuses: 2, snapshotDir });
  try {
    for (const label of ['one', 'two', 'three']) await detector.snapshot(label);
    assert.deepEqual(
      detector.censuses().map((census) => census.label),
      ['two', 'three'],
    );
    assert.throws(() => detector.compare('one', 'three'), { code: 'ERR_INVALID_OPTION' });
    await assert.rejects(
      detector.snapshot('aborted', { census: 'heapSnapshot', signal: AbortSignal.abort() }),
      {
        code: 'ERR_ABORTED',
      },
    );
    assert.equal(detector.censuses().length, 2);
    assert.deepEqual(readdirSync(snapshotDir), []);
  } finally {
    await detector.dispose();
  }
});

test('track(): a held object is alive and its retainer path ends with the holding property', async () => {
  const detector = new LeakDetector({ snapshotDir });
  try {
    detector.track(holder.currentSession, 'current session');
    const [status] = detector.tracked();
    assert.equal(status?.alive, true);
    assert.equal(status?.className, 'Held');
    const path = await detector.retainerPath('current session');
    assert.ok(path !== null && path.length >= 2, 'a path from a GC root');
    const last = path.at(-1)!;
    assert.equal(last.node, 'Held');
    assert.equal(last.edge, 'currentSession');
    assert.equal(path.at(-2)?.node, 'Object', 'held by the plain holder object');
    assert.ok(
      path.every((step) => !step.edge.startsWith('__memwatcher_')),
      'our temporary global is not a retainer',
    );
    assert.deepEqual(readdirSync(snapshotDir), []);
  } finally {
    await detector.dispose();
  }
});

test('track(): a released object is reported collected after a forced GC, and has no retainer path', async () => {
  const detector = new LeakDetector({ snapshotDir });
  try {
    let temporary: Held | undefined = new Held();
    detector.track(temporary, 'temporary');
    temporary = undefined;
    let status = detector.tracked()[0];
    for (let attempt = 0; attempt < 50 && status?.alive !== false; attempt++) {
      await detector.collectGarbage();
      await sleep(10);
      status = detector.tracked()[0];
    }
    assert.equal(status?.alive, false);
    assert.ok(status.collectedAt !== undefined && status.collectedAt >= status.trackedAt);
    assert.equal(await detector.retainerPath('temporary'), null);
  } finally {
    await detector.dispose();
  }
});

const retained: number[][] = [];
function retainLots(): void {
  for (let i = 0; i < 2_000; i++) retained.push(new Array(1_000).fill(i));
}
function churn(): number {
  let total = 0;
  for (let i = 0; i < 2_000; i++) total += new Array(1_000).fill(1).length;
  return total;
}

test('allocation sampling: the function that retains the most is the top site by live bytes', async () => {
  const detector = new LeakDetector();
  try {
    await assert.rejects(detector.allocationSites(), { code: 'ERR_INVALID_STATE' });
    await detector.startAllocationSampling({ samplingInterval: 4096 });
    churn();
    retainLots();
    const sites = await detector.allocationSites(5);
    const top = sites[0];
    assert.equal(top?.functionName, 'retainLots');
    assert.ok(top.url.endsWith('leak-detector.test.ts'), top.url);
    assert.ok(top.line > 1 && top.column > 1);
    assert.ok(top.liveBytes > 4_000_000, `${top.liveBytes} live bytes (2000 arrays of 1000 small ints)`);
    assert.equal(top.stack[0]?.functionName, 'retainLots');
    assert.ok(!sites.some((site) => site.functionName === 'churn' && site.liveBytes > top.liveBytes / 10));
    await detector.stopAllocationSampling();
    await assert.rejects(detector.allocationSites(), { code: 'ERR_INVALID_STATE' });
  } finally {
    await detector.dispose();
  }
});

test('report(): memory, top types, growth, tracked objects and allocation sites in one text', async () => {
  leaked.length = 0;
  const detector = new LeakDetector({ classes: [LeakyThing] });
  try {
    grow(10, 0);
    await detector.snapshot('start');
    grow(90, 0);
    await detector.snapshot('end');
    detector.track(holder.currentSession, 'current session');
    await detector.startAllocationSampling();
    retainLots();
    const text = await detector.report({ top: 3 });
    assert.match(text, /2 censuses, "start" → "end"/);
    assert.match(text, /heap used\s+\S+ \S+\s+\([+-]/);
    assert.match(text, /Growing classes .*\n\s+LeakyThing\s+\+90\s+10 → 100/);
    assert.match(text, /current session\s+Held\s+alive/);
    assert.match(
      text,
      /Top allocation sites by live bytes[^\n]*\n\s+1\. \S+ \S+\s+retainLots\s+file:\/\/\S+leak-detector\.test\.ts:\d+:\d+/,
    );
  } finally {
    await detector.dispose();
  }
});

test('the inspector session is connected only during an operation, or while sampling', async () => {
  const detector = new LeakDetector({ snapshotDir });
  try {
    detector.track(holder.currentSession, 'current session');
    await detector.retainerPath('current session');
    assert.equal(isInspectorSessionOpen(), false, 'released after the operation');
    await detector.startAllocationSampling();
    assert.equal(isInspectorSessionOpen(), true, 'kept while sampling');
    await detector.stopAllocationSampling();
    assert.equal(isInspectorSessionOpen(), false);
  } finally {
    await detector.dispose();
  }
});

test('dispose(): stops sampling and disconnects the inspector session; later calls fail with ERR_INVALID_STATE', async () => {
  const detector = new LeakDetector({ classes: [LeakyThing] });
  await detector.startAllocationSampling();
  await detector.snapshot();
  assert.equal(isInspectorSessionOpen(), true);
  await detector.dispose();
  await detector.dispose();
  assert.equal(isInspectorSessionOpen(), false);
  await assert.rejects(detector.snapshot(), { code: 'ERR_INVALID_STATE' });
  assert.throws(() => detector.track({}, 'x'), { code: 'ERR_INVALID_STATE' });
});

test('bad arguments throw or reject with coded errors', async () => {
  assert.throws(() => new LeakDetector({ maxTracked: 0 }), {
    code: 'ERR_INVALID_OPTION',
    option: 'maxTracked',
  });
  assert.throws(() => new LeakDetector({ census: 'guess' as 'heapSnapshot' }), {
    code: 'ERR_INVALID_OPTION',
  });
  assert.throws(() => new LeakDetector({ classes: ['Session' as unknown as typeof Held] }), {
    code: 'ERR_INVALID_OPTION',
  });
  const detector = new LeakDetector({ classes: [LeakyThing] });
  try {
    assert.throws(() => detector.track(5 as unknown as object, 'five'), {
      code: 'ERR_INVALID_OPTION',
      option: 'obj',
    });
    assert.throws(() => detector.track({}, ''), { code: 'ERR_INVALID_OPTION', option: 'name' });
    assert.throws(() => detector.findLeaks({ threshold: -1 }), { code: 'ERR_INVALID_OPTION' });
    assert.throws(() => detector.topTypes(0), { code: 'ERR_INVALID_OPTION' });
    assert.throws(() => detector.compare('nope', 'nope'), { code: 'ERR_INVALID_OPTION', option: 'a' });
    await assert.rejects(detector.retainerPath('nobody'), { code: 'ERR_INVALID_OPTION' });
    await assert.rejects(detector.startAllocationSampling({ samplingInterval: 0 }), {
      code: 'ERR_INVALID_OPTION',
    });
  } finally {
    await detector.dispose();
  }
});
