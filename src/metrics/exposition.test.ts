import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHelp, escapeLabelValue, formatValue, renderExposition } from './exposition.ts';

describe('renderExposition', () => {
  it('declares HELP and TYPE once per family, then one line per sample, and ends with a line feed', () => {
    const text = renderExposition([
      {
        name: 'a_bytes',
        help: 'A.',
        type: 'gauge',
        samples: [
          { labels: {}, value: 1 },
          { labels: { x: 'y' }, value: 2.5 },
        ],
      },
      { name: 'b_bytes', help: 'B.', type: 'gauge', samples: [] },
    ]);
    assert.equal(
      text,
      [
        '# HELP a_bytes A.',
        '# TYPE a_bytes gauge',
        'a_bytes 1',
        'a_bytes{x="y"} 2.5',
        '# HELP b_bytes B.',
        '# TYPE b_bytes gauge',
        '',
      ].join('\n'),
    );
  });

  it('escapes HELP text and label values, so a hostile class name cannot break the format', () => {
    const text = renderExposition([
      {
        name: 'c',
        help: 'path C:\\tmp\nsecond line',
        type: 'gauge',
        samples: [{ labels: { class: 'say "hi"\\\n} 1\nfake_metric 2' }, value: 3 }],
      },
    ]);
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.length, 3, 'no raw line feed survives');
    assert.equal(lines[0], '# HELP c path C:\\\\tmp\\nsecond line');
    assert.equal(lines[2], 'c{class="say \\"hi\\"\\\\\\n} 1\\nfake_metric 2"} 3');
  });

  it('writes histograms as cumulative buckets ending in +Inf, then _sum and _count', () => {
    const text = renderExposition([
      {
        name: 'h_seconds',
        help: 'H.',
        type: 'histogram',
        series: [{ labels: { kind: 'minor' }, bounds: [0.001, 0.01], counts: [2, 3, 1], sum: 0.5, count: 6 }],
      },
    ]);
    assert.deepEqual(text.trimEnd().split('\n').slice(2), [
      'h_seconds_bucket{kind="minor",le="0.001"} 2',
      'h_seconds_bucket{kind="minor",le="0.01"} 5',
      'h_seconds_bucket{kind="minor",le="+Inf"} 6',
      'h_seconds_sum{kind="minor"} 0.5',
      'h_seconds_count{kind="minor"} 6',
    ]);
  });

  it('spells special values as Prometheus parses them', () => {
    assert.equal(formatValue(Number.NaN), 'NaN');
    assert.equal(formatValue(Number.POSITIVE_INFINITY), '+Inf');
    assert.equal(formatValue(Number.NEGATIVE_INFINITY), '-Inf');
    assert.equal(formatValue(1e21), '1e+21');
    assert.equal(formatValue(-0.25), '-0.25');
  });

  it('escapes only what the format asks', () => {
    assert.equal(escapeHelp('a "quoted" \\ word\n'), 'a "quoted" \\\\ word\\n');
    assert.equal(escapeLabelValue('tab\tstays'), 'tab\tstays');
    assert.equal(renderExposition([]), '');
  });
});
