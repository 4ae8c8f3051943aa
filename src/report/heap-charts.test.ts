import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allocationChartSpec, siteLabel } from './allocation-chart.ts';
import { buildReport } from './build-report.ts';
import { classesChartSpec } from './classes-chart.ts';
import { gcPauseChartSpec } from './gc-chart.ts';
import { SECRET_VALUE, sampleModel } from './sample-model.fixture.ts';
import { svgTexts } from './svg-marks.fixture.ts';
import { renderVegaLiteSvg } from './vega-render.ts';

async function svgOf(spec: Parameters<typeof renderVegaLiteSvg>[0] | null) {
  assert.ok(spec !== null);
  const warnings: string[] = [];
  const svg = await renderVegaLiteSvg(spec, { onWarning: (message) => warnings.push(message) });
  assert.deepEqual(warnings, []);
  return svg;
}

/** Bars Vega drew: `<path>` items of rect marks (Vega draws bars with rounded corners as paths). */
function barCount(svg: string): number {
  return [...svg.matchAll(/<g class="mark-rect role-mark[^"]*"[^>]*>(.*?)<\/g>/gs)].reduce(
    (sum, group) => sum + [...(group[1] ?? '').matchAll(/<path\b/g)].length,
    0,
  );
}

describe('GC pause chart', () => {
  it('has a bar per (bin, kind) pair, a legend entry per kind, and counts on the non-empty bars', async () => {
    const report = buildReport(sampleModel());
    const svg = await svgOf(gcPauseChartSpec(report));
    const bins = report.gc.histogram;
    // Empty bins draw zero-height bars too; every bin is a bar.
    assert.equal(barCount(svg), bins.length);
    const texts = svgTexts(svg);
    for (const label of ['minor (scavenge)', 'incremental marking', 'major (mark-compact)'])
      assert.ok(texts.includes(label));
    for (const bin of bins.filter((b) => b.count > 0))
      assert.ok(texts.includes(String(bin.count)), `count ${bin.count}`);
    assert.ok(texts.includes('pause length (ms)'));
  });

  it('is null without recorded pauses', () => {
    assert.equal(gcPauseChartSpec(buildReport({ ...sampleModel(), gcPauses: [] })), null);
  });
});

describe('classes chart', () => {
  it('shows each class with its retained size and change, suspects in red, and no string values', async () => {
    const svg = await svgOf(classesChartSpec(buildReport(sampleModel())));
    const texts = svgTexts(svg);
    for (const label of ['Session', 'Map', 'handler()', '2.2 MB', '+1.4 MB', '-1.4 kB']) {
      assert.ok(texts.includes(label), `${label} in ${texts.join(' | ')}`);
    }
    assert.equal(svg.includes(SECRET_VALUE), false);
    assert.ok(svg.includes('#d6453d'), 'suspect classes are drawn red');
    assert.ok(svgTexts(svg).includes('change of own size since first snapshot (MB)'));
  });

  it('uses counts when only a census (no sizes) is known, and has one panel without deltas', async () => {
    const model = sampleModel();
    const census = model.classes.map((entry) => ({
      ...entry,
      selfSize: null,
      retainedSize: null,
      countDelta: null,
      selfSizeDelta: null,
    }));
    const svg = await svgOf(classesChartSpec(buildReport({ ...model, classes: census })));
    const texts = svgTexts(svg);
    assert.ok(texts.includes('live instances'));
    assert.ok(texts.includes('25,972'));
    assert.equal(
      texts.some((text) => text.startsWith('change')),
      false,
    );
  });

  it('is null without classes', () => {
    assert.equal(classesChartSpec(buildReport(sampleModel({ withoutHeap: true }))), null);
  });
});

describe('allocation sites chart', () => {
  it('labels sites by function and file:line, largest first', async () => {
    // Smallest first in the model, so that the order drawn is the chart's own.
    const model = sampleModel();
    const smallestFirst = { ...model, allocationSites: [...model.allocationSites].reverse() };
    const svg = await svgOf(allocationChartSpec(buildReport(smallestFirst)));
    const texts = svgTexts(svg);
    const first = texts.indexOf('createSession (sessions.js:12)');
    const second = texts.indexOf('(anonymous) (server.js:88)');
    assert.ok(first >= 0 && second >= 0, texts.join(' | '));
    assert.ok(first < second, `the larger site comes first: ${texts.join(' | ')}`);
    assert.ok(texts.includes('2.1 MB'));
  });

  it('names a site without a script by its function only', () => {
    assert.equal(siteLabel({ functionName: '(GC)', url: '', line: 0, column: 0 }), '(GC)');
    assert.equal(
      siteLabel({ functionName: 'f', url: 'C:\\app\\x.js?v=2', line: 3, column: 1 }),
      'f (x.js:3)',
    );
  });
});
