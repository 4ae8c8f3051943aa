import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnalysisResult, RetainerPathStep } from '../heap/types.ts';
import { formatBytes, formatLocation, formatRetainerPath, renderAnalysisText } from './analysis-text.ts';

const sessionPath: RetainerPathStep[] = [
  { edge: '', edgeType: '', node: '(GC roots)', nodeType: 'synthetic', nodeId: 1 },
  { edge: '3', edgeType: 'element', node: '(Global handles)', nodeType: 'synthetic', nodeId: 3 },
  { edge: '7', edgeType: 'element', node: 'system / Context', nodeType: 'hidden', nodeId: 41 },
  { edge: 'sessions', edgeType: 'context', node: 'Map', nodeType: 'object', nodeId: 43 },
  { edge: 'table', edgeType: 'internal', node: 'system / OrderedHashMap', nodeType: 'array', nodeId: 45 },
  { edge: '42', edgeType: 'element', node: 'Session', nodeType: 'object', nodeId: 3_000_000_001 },
];

function threeSnapshots(): AnalysisResult {
  return {
    snapshots: [
      { file: 'a.heapsnapshot', nodeCount: 41_000, edgeCount: 170_000, totalSize: 4_100_000 },
      { file: 'b.heapsnapshot', nodeCount: 43_000, edgeCount: 180_000, totalSize: 4_600_000 },
      { file: 'c.heapsnapshot', nodeCount: 45_000, edgeCount: 190_000, totalSize: 5_100_000 },
    ],
    summary: [
      { name: 'Session', type: 'object', count: 3000, selfSize: 120_000, retainedSize: 1_250_000 },
      { name: '(string)', type: 'string', count: 12_345, selfSize: 900_000, retainedSize: 900_000 },
      { name: 'Map', type: 'object', count: 12, selfSize: 384, retainedSize: 1_300_000 },
    ],
    largest: [
      {
        id: 43,
        name: 'Map',
        type: 'object',
        selfSize: 32,
        retainedSize: 1_300_000,
        retainerPath: sessionPath.slice(0, 4),
      },
    ],
    diff: [
      {
        name: 'Session',
        type: 'object',
        addedCount: 2000,
        removedCount: 0,
        addedSize: 80_000,
        removedSize: 0,
        countDelta: 2000,
        sizeDelta: 80_000,
      },
      {
        name: 'Unchanged',
        type: 'object',
        addedCount: 0,
        removedCount: 0,
        addedSize: 0,
        removedSize: 0,
        countDelta: 0,
        sizeDelta: 0,
      },
      {
        name: 'Buffer',
        type: 'object',
        addedCount: 10,
        removedCount: 500,
        addedSize: 1000,
        removedSize: 600_000,
        countDelta: -490,
        sizeDelta: -599_000,
      },
    ],
    suspects: [
      {
        name: 'Session',
        type: 'object',
        count: 3000,
        retainedSize: 1_250_000,
        growth: [1000, 2000, 3000],
        retainedGrowth: [420_000, 830_000, 1_250_000],
        retainerPath: sessionPath,
        location: { scriptId: 97, line: 11, column: 2, url: 'file:///app/leaky-app.ts' },
        accumulatesIn: { name: 'Map', type: 'object', nodeId: 43, edge: 'sessions' },
      },
    ],
  };
}

describe('formatBytes', () => {
  it('uses base 1000 with one decimal and rounds across unit boundaries', () => {
    assert.equal(formatBytes(0), '0 B');
    assert.equal(formatBytes(999), '999 B');
    assert.equal(formatBytes(1000), '1.0 kB');
    assert.equal(formatBytes(1_250_000), '1.3 MB');
    assert.equal(formatBytes(999_960), '1.0 MB');
    assert.equal(formatBytes(4_500_000_000), '4.5 GB');
    assert.equal(formatBytes(-599_000), '-599.0 kB');
  });
});

describe('formatLocation', () => {
  it('prints 1-based line and column after the url', () => {
    assert.equal(formatLocation({ scriptId: 5, line: 0, column: 0, url: '/srv/a.js' }), '/srv/a.js:1:1');
  });
  it('falls back to the script id when the snapshot has no url', () => {
    assert.equal(formatLocation({ scriptId: 5, line: 9, column: 4 }), 'script #5:10:5');
    assert.equal(formatLocation({ scriptId: 5, line: 9, column: 4, url: '' }), 'script #5:10:5');
  });
});

describe('formatRetainerPath', () => {
  it('prints each node followed by the edge that leaves it, ids beyond 2^31 intact', () => {
    assert.equal(
      formatRetainerPath(sessionPath, 1000),
      '(GC roots)[3] → (Global handles)[7] → system / Context.sessions → Map.table → system / OrderedHashMap[42] → Session @3000000001',
    );
  });
  it('wraps long paths at arrows and keeps every step', () => {
    const text = formatRetainerPath(sessionPath, 50, '    ');
    const lines = text.split('\n');
    assert.ok(lines.length > 1, text);
    for (const line of lines) assert.ok(line.length <= 50 || !line.trim().includes(' → '), line);
    assert.match(lines[1] ?? '', /^ {6}→ /);
    assert.equal(text.replace(/\n\s+→ /g, ' → ').trim(), formatRetainerPath(sessionPath, 1000));
  });
  it('quotes strings and odd property names, marks closures', () => {
    const text = formatRetainerPath(
      [
        { edge: '', edgeType: '', node: '(GC roots)', nodeType: 'synthetic', nodeId: 1 },
        { edge: 'my key', edgeType: 'property', node: 'onRequest', nodeType: 'closure', nodeId: 5 },
        { edge: 'x', edgeType: 'context', node: 'hello', nodeType: 'string', nodeId: 7 },
      ],
      200,
    );
    assert.equal(text, '(GC roots)["my key"] → onRequest().x → "hello" @7');
  });
  it('says so when there is no path', () => {
    assert.match(formatRetainerPath([], 80), /no path from a GC root/);
  });
});

describe('renderAnalysisText', () => {
  it('shows suspects with growth, owner, location and retainer path for several snapshots', () => {
    const text = renderAnalysisText(threeSnapshots(), { color: false, top: 20 });
    assert.match(text, /^memwatcher analyze: 3 snapshots .*1 kB = 1000 bytes/);
    assert.match(text, /1\. Session \(object\): 3,000 alive, retaining 1\.3 MB/);
    assert.match(text, /count per snapshot +1,000 → 2,000 → 3,000/);
    assert.match(text, /retained per snapshot +420\.0 kB → 830\.0 kB → 1\.3 MB/);
    assert.match(text, /accumulates in +Map @43 \(reached through 'sessions'\)/);
    assert.match(text, /defined at +file:\/\/\/app\/leaky-app\.ts:12:3/);
    assert.match(text, /system \/ Context\.sessions → Map\.table/);
    assert.match(text, /Session @3000000001/);
    assert.ok(text.indexOf('Leak suspects') < text.indexOf('Diff by class'));
    assert.ok(text.indexOf('Diff by class') < text.indexOf('Classes by retained size in the last snapshot'));
    assert.ok(!text.includes('\u001b['), 'no ANSI codes without color');
  });

  it('orders the diff by size change, hides unchanged classes, signs deltas', () => {
    const text = renderAnalysisText(threeSnapshots(), { color: false, top: 20 });
    const diff = text.slice(text.indexOf('Diff by class'), text.indexOf('Classes by retained size'));
    assert.match(diff, /a\.heapsnapshot → c\.heapsnapshot/);
    assert.doesNotMatch(diff, /Unchanged/);
    const buffer = diff.indexOf('Buffer');
    const session = diff.indexOf('Session');
    assert.ok(buffer > 0 && session > buffer, 'the larger absolute change comes first');
    assert.match(diff, /Buffer +object +\+10 +-500 +-490 +\+1\.0 kB +-600\.0 kB +-599\.0 kB/);
    assert.match(diff, /Session +object +\+2,000 +-0 +\+2,000 +\+80\.0 kB +-0 B +\+80\.0 kB/);
  });

  it('aligns table columns: right-aligned numbers end in the same column', () => {
    const text = renderAnalysisText(threeSnapshots(), { color: false, top: 20 });
    const summary = text.slice(text.indexOf('Classes by retained size'), text.indexOf('Largest objects'));
    const rows = summary.trim().split('\n').slice(1);
    assert.equal(rows.length, 4);
    const ends = new Set(rows.map((row) => row.length));
    assert.equal(ends.size, 1, `rows end at different columns:\n${rows.join('\n')}`);
  });

  it('says plainly when nothing accumulates', () => {
    const result = { ...threeSnapshots(), suspects: [] };
    const text = renderAnalysisText(result, { color: false, top: 20 });
    assert.match(text, /No leak suspects: nothing kept accumulating across the 3 snapshots\./);
  });

  it('has no diff or suspects section for one snapshot', () => {
    const full = threeSnapshots();
    const one: AnalysisResult = {
      snapshots: full.snapshots.slice(0, 1),
      summary: full.summary,
      largest: full.largest,
      suspects: [],
    };
    const text = renderAnalysisText(one, { color: false, top: 20 });
    assert.match(text, /^memwatcher analyze: 1 snapshot /);
    assert.doesNotMatch(text, /Leak suspects|Diff by class/);
    assert.match(text, /Classes by retained size\n/);
    assert.match(text, /1\. Map @43 \(object\): retains 1\.3 MB, self 32 B/);
  });

  it('limits rows to top and says how many there were', () => {
    const text = renderAnalysisText(threeSnapshots(), { color: false, top: 1 });
    assert.match(text, /Classes by retained size in the last snapshot \(top 1 of 3\)/);
    assert.doesNotMatch(text, /\(string\)/);
    assert.match(text, /… 1 more classes changed/);
  });

  it('colours headings and suspects only when asked', () => {
    const text = renderAnalysisText(threeSnapshots(), { color: true, top: 20 });
    assert.ok(text.includes('\u001b[1mLeak suspects'), 'bold heading');
    assert.ok(text.includes('\u001b[31mSession'), 'red suspect');
  });
});
