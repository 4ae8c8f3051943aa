import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Census } from './census.ts';
import { formatDetectorReport } from './report.ts';

const memory = {
  rss: 200e6,
  heapTotal: 90e6,
  heapUsed: 60e6,
  external: 2e6,
  arrayBuffers: 1e5,
  heapLimit: 4e9,
  nativeContexts: 1,
  detachedContexts: 0,
};
const census = (label: string, time: number, count: number, heapUsed: number): Census => ({
  label,
  time,
  method: 'heapSnapshot',
  memory: { ...memory, heapUsed },
  classes: [{ name: 'Session', count, selfSize: count * 40, retainedSize: count * 400 }],
  complete: true,
  pauseMs: 212.4,
  durationMs: 900,
});

test('before any census the report says what to do, and still lists tracked objects', () => {
  const text = formatDetectorReport({
    censuses: [],
    leaks: [],
    threshold: 0,
    tracked: [
      { name: 'req 1', className: 'Request', alive: false, trackedAt: 0, collectedAt: 3_000, ageMs: 3_000 },
    ],
    trackedDropped: 4,
    top: 5,
  });
  assert.match(text, /no census yet \(call snapshot\(label\)/);
  assert.match(
    text,
    /Tracked objects \(1, 1 collected; 4 older entries dropped to stay within maxTracked\):/,
  );
  assert.match(text, /req 1\s+Request\s+collected\s+lived 3 s/);
});

test('two censuses: span, memory change, retained sizes, growth series and the pause', () => {
  const text = formatDetectorReport({
    censuses: [census('a', 0, 100, 50e6), census('b', 120_000, 300, 60e6)],
    leaks: [
      { name: 'Session', count: 300, countDelta: 200, bytesDelta: 80_000, counts: [100, 300], steady: true },
    ],
    threshold: 10,
    tracked: [],
    trackedDropped: 0,
    top: 5,
  });
  assert.match(text, /2 censuses, "a" → "b" over 2 min \(heap snapshot\)/);
  assert.match(text, /heap used\s+57\.2 MB\s+\(\+9\.5 MB\)/);
  assert.match(text, /Session\s+300\s+retains 117 KB/);
  assert.match(
    text,
    /more than 10 new objects\):\n\s+Session\s+\+200\s+100 → 300\s+\+78\.1 KB retained\s+grew in every census/,
  );
  assert.match(text, /longest pause of the host during this census: 212 ms/);
  assert.match(text, /Tracked objects: none/);
});
