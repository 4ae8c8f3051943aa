import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MemoryTrend } from '../agent/verdict.ts';
import { renderExposition } from './exposition.ts';
import { familiesFromFigures, spaceLabel } from './families.ts';
import { GcPauseHistogram } from './gc-pause-histogram.ts';
import { METRICS } from './metric-catalog.ts';
import type { GaugeFamily, MetricFamily } from './metric-family.ts';
import type { VerdictFigures } from './process-figures.ts';

const trend = (growthBytesPerMinute?: number, confidence?: number): MemoryTrend => ({
  status: 'stable',
  growthBytesPerMinute,
  confidence,
  points: 10,
  spanMs: 60_000,
  latestBytes: 1,
});

const leaking: VerdictFigures = {
  status: 'leak',
  leaking: true,
  culprit: 'js-heap',
  timeToHeapLimitMs: 90_000,
  heap: trend(6_000_000, 0.999),
  external: trend(0, 0.4),
  rss: trend(),
  native: trend(-60, 0.1),
};

function gauge(families: readonly MetricFamily[], name: string): GaugeFamily {
  const family = families.find((f) => f.name === name);
  assert.ok(family !== undefined && family.type === 'gauge', `${name} is a gauge family`);
  return family;
}

describe('familiesFromFigures', () => {
  it('declares every catalog metric, in catalog order, even with nothing to show', () => {
    const families = familiesFromFigures([]);
    assert.deepEqual(
      families.map((f) => f.name),
      Object.values(METRICS).map((m) => m.name),
    );
  });

  it('turns the verdict into per-second growth, state sets and seconds to the heap limit', () => {
    const families = familiesFromFigures([{ labels: {}, figures: { rss: 1, verdict: leaking } }]);
    const growth = gauge(families, 'memwatcher_growth_bytes_per_second').samples;
    assert.deepEqual(
      growth.map((s) => [s.labels.figure, s.value]),
      [
        ['heap', 100_000],
        ['external', 0],
        ['native', -1],
      ],
      'rss has no slope yet, so no series',
    );
    const statuses = gauge(families, 'memwatcher_leak_verdict').samples;
    assert.equal(statuses.length, 5);
    assert.deepEqual(
      statuses.filter((s) => s.value === 1).map((s) => s.labels.status),
      ['leak'],
    );
    assert.equal(gauge(families, 'memwatcher_leaking').samples[0]!.value, 1);
    assert.deepEqual(
      gauge(families, 'memwatcher_leak_culprit').samples.map((s) => [s.labels.culprit, s.value]),
      [
        ['js-heap', 1],
        ['external', 0],
        ['native', 0],
      ],
    );
    assert.equal(gauge(families, 'memwatcher_time_to_heap_limit_seconds').samples[0]!.value, 90);
    assert.equal(gauge(families, 'memwatcher_growth_confidence_ratio').samples[0]!.value, 0.999);
  });

  it('leaves out what a process does not know (never a made-up 0)', () => {
    const families = familiesFromFigures([
      { labels: { pid: '1' }, figures: { rss: 5, verdict: { ...leaking, timeToHeapLimitMs: undefined } } },
    ]);
    assert.equal(gauge(families, 'process_resident_memory_bytes').samples.length, 1);
    for (const name of [
      'nodejs_heap_size_used_bytes',
      'memwatcher_heap_floor_bytes',
      'memwatcher_class_objects',
    ]) {
      assert.equal(gauge(families, name).samples.length, 0, name);
    }
    assert.equal(gauge(families, 'memwatcher_time_to_heap_limit_seconds').samples.length, 0);
    const gc = families.find((f) => f.name === 'nodejs_gc_duration_seconds');
    assert.ok(gc?.type === 'histogram' && gc.series.length === 0);
  });

  it('labels heap spaces the way prom-client does and keeps each process apart', () => {
    const pauses = new GcPauseHistogram();
    pauses.observe('major', 12);
    const text = renderExposition(
      familiesFromFigures([
        {
          labels: { pid: '10', command: 'node a.js' },
          figures: {
            rss: 100,
            heapSpaces: [{ name: 'old_space', size: 8, used: 5, available: 3 }],
            gcPauses: pauses,
            classes: [{ name: 'Session', count: 4 }],
          },
        },
        { labels: { pid: '11', command: 'python3 b.py' }, figures: { rss: 200 } },
      ]),
    );
    assert.match(text, /^nodejs_heap_space_size_used_bytes\{pid="10",command="node a.js",space="old"\} 5$/m);
    assert.match(text, /^process_resident_memory_bytes\{pid="11",command="python3 b.py"\} 200$/m);
    assert.match(text, /^nodejs_gc_duration_seconds_count\{pid="10",command="node a.js",kind="major"\} 1$/m);
    assert.match(text, /^memwatcher_class_objects\{pid="10",command="node a.js",class="Session"\} 4$/m);
    assert.equal(spaceLabel('new_large_object_space'), 'new_large_object');
    assert.equal(spaceLabel('shared'), 'shared');
  });
});
