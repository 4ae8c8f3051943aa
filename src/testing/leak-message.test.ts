import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LeakSuspect } from '../heap/types.ts';
import { judgeGrowth } from './growth-test.ts';
import type { LeakEvidence } from './leak-evidence.ts';
import { type LeakFacts, leakingClasses, leakMessage } from './leak-message.ts';

const suspect: LeakSuspect = {
  name: 'Session',
  type: 'object',
  count: 1200,
  retainedSize: 240_000,
  growth: [800, 1000, 1200],
  retainedGrowth: [160_000, 200_000, 240_000],
  retainerPath: [
    { edge: '', edgeType: 'element', node: '(GC roots)', nodeType: 'synthetic', nodeId: 3 },
    { edge: 'sessions', edgeType: 'context', node: 'Map', nodeType: 'object', nodeId: 77 },
    { edge: '5', edgeType: 'internal', node: 'Session', nodeType: 'object', nodeId: 901 },
  ],
  location: { scriptId: 9, line: 4, column: 2, url: 'file:///app/sessions.js' },
  accumulatesIn: { name: 'Map', type: 'object', nodeId: 77, edge: 'sessions' },
};

const evidence = (overrides: Partial<LeakEvidence> = {}): LeakEvidence => ({
  suspects: [suspect],
  callsBetween: 400,
  keptFiles: [],
  problem: undefined,
  ...overrides,
});

function facts(overrides: Partial<LeakFacts> = {}): LeakFacts {
  const floors = [0, 20_000, 40_000, 60_000, 80_000, 100_000, 120_000, 140_000, 160_000];
  return {
    verdict: judgeGrowth(floors, { callsPerRound: 200, thresholdBytesPerRound: 1024, alpha: 0.005 }),
    overBudget: undefined,
    callsPerRound: 200,
    calls: 5000,
    toleranceBytesPerCall: 0,
    evidence: evidence(),
    ...overrides,
  };
}

test('the message: growth per call and the sign test, classes with bytes per call, owner, location, path', () => {
  const message = leakMessage(facts());
  const lines = message.split('\n');
  assert.equal(
    lines[0],
    'assertNoLeak: memory retained grows by about 100 B per call (interval 100 B to 100 B): the heap after a ' +
      'full GC rose by more than 1.0 kB in 8 of 8 rounds of 200 calls (sign test p = 0.0039; tolerance 0 B per ' +
      'call; 5,000 calls in all).',
  );
  assert.equal(lines[1], 'Growing in 3 heap snapshots 200 calls apart (largest first):');
  assert.equal(
    lines[2],
    "  1. Session (object): 800 → 1,000 → 1,200 alive, 200 B per call, accumulating in Map 'sessions', " +
      'defined at file:///app/sessions.js:5:3',
  );
  assert.equal(lines[3], 'Retainer path of one leaked Session (GC root → object):');
  assert.equal(lines[4], '  (GC roots).sessions → Map[5] → Session @901');
  assert.equal(lines.at(-1), 'The heap snapshots were removed; pass keepSnapshots: true to keep them.');
});

test('classes for the error: counts per snapshot and retained bytes per call between first and last', () => {
  assert.deepEqual(leakingClasses(evidence()), [
    { name: 'Session', counts: [800, 1000, 1200], bytesPerCall: 200 },
  ]);
  assert.deepEqual(leakingClasses(evidence({ callsBetween: 0 }))[0]?.bytesPerCall, 0);
});

test('over the growth budget: says how much grew over how many calls, not a sign test', () => {
  const message = leakMessage(
    facts({
      verdict: judgeGrowth([0, 300_000_000], {
        callsPerRound: 3000,
        thresholdBytesPerRound: 2 ** 28,
        alpha: 0.005,
      }),
      overBudget: { grownBytes: 300_000_000, calls: 3000, budgetBytes: 2 ** 28 },
    }),
  );
  assert.match(
    message,
    /^assertNoLeak: memory retained grows by about 100.0 kB per call: the heap after a full GC grew by 300.0 MB over 3,000 calls, more than the 268.4 MB an assertion lets a function retain/,
  );
  assert.doesNotMatch(message, /sign test/);
});

test('without suspects: why — the snapshots failed, or nothing JavaScript accumulated; kept files listed', () => {
  const failed = leakMessage(
    facts({ evidence: evidence({ suspects: [], problem: new Error('no space left on device') }) }),
  );
  assert.match(
    failed,
    /The heap snapshots that would name the growing classes failed: no space left on device/,
  );
  const outside = leakMessage(
    facts({ evidence: evidence({ suspects: [], keptFiles: ['/tmp/a', '/tmp/b'] }) }),
  );
  assert.match(outside, /No class of JavaScript objects accumulated across 3 heap snapshots/);
  assert.match(
    outside,
    /Heap snapshots kept for inspection \(DevTools, or `memwatcher analyze`\): \/tmp\/a \/tmp\/b/,
  );
});
