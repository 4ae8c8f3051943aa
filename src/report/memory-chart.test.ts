import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildReport } from './build-report.ts';
import { downsample, memoryChartSpec, TOOLTIP_LAYERS } from './memory-chart.ts';
import { memoryPoint, START, sampleModel } from './sample-model.fixture.ts';
import { marksOf, pathData, svgTexts } from './svg-marks.fixture.ts';
import { renderVegaLiteSvg } from './vega-render.ts';

async function render(model = sampleModel()) {
  const warnings: string[] = [];
  const spec = memoryChartSpec(buildReport(model));
  assert.ok(spec !== null);
  const svg = await renderVegaLiteSvg(spec, { onWarning: (message) => warnings.push(message) });
  return { svg, warnings };
}

describe('memory chart', () => {
  it('draws a line per series, the stepped floor, and a legend naming them, without Vega warnings', async () => {
    const { svg, warnings } = await render();
    assert.deepEqual(warnings, []);
    const series = pathData(marksOf(svg, 'memory_series'));
    // RSS, heap used, external, ArrayBuffers (the floor has its own layer).
    assert.equal(series.length, 4);
    for (const d of series) assert.ok(d.length > 100, `a line with points: ${d.slice(0, 40)}`);
    const floor = pathData(marksOf(svg, 'heap_floor'));
    assert.equal(floor.length, 1);
    // A step line: horizontal then vertical segments, so consecutive points share x or y.
    const points = [...floor[0]!.matchAll(/[ML]([\d.-]+),([\d.-]+)/g)].map((m) => [
      Number(m[1]),
      Number(m[2]),
    ]);
    assert.ok(points.length > 10);
    for (let i = 1; i < points.length; i++) {
      const [x0, y0] = points[i - 1]!;
      const [x1, y1] = points[i]!;
      assert.ok(x0 === x1 || y0 === y1, `segment ${i} is not a step: ${points[i - 1]} → ${points[i]}`);
    }
    const texts = svgTexts(svg);
    for (const label of ['RSS', 'heap used', 'heap floor (after GC)', 'external', 'ArrayBuffers']) {
      assert.ok(texts.includes(label), `legend has ${label}`);
    }
    assert.ok(texts.includes('time since start (s)'));
    assert.ok(texts.includes('memory (MB)'));
  });

  it('marks the leak verdict, the alerts and the snapshots', async () => {
    const { svg } = await render();
    assert.ok(svgTexts(svg).includes('leak called · +30.0 MB/min'));
    // Growing from 5 s, leak from 15 s: two shaded spans.
    assert.equal(marksOf(svg, 'verdict_bands').length, 2);
    assert.equal(marksOf(svg, 'alerts').length, 2);
    assert.equal(marksOf(svg, 'snapshots').length, 3);
  });

  it('describes every hover strip, alert and snapshot in an SVG title', async () => {
    const spec = memoryChartSpec(buildReport(sampleModel()));
    assert.ok(spec !== null);
    const svg = await renderVegaLiteSvg(spec, { titledLayers: TOOLTIP_LAYERS });
    const strips = marksOf(svg, 'hover_targets');
    assert.ok(strips.length > 100 && strips.length <= 300, `${strips.length} strips`);
    for (const strip of strips) assert.match(strip, /<title>\+[^<]*&#xA;RSS: [\d.]+ MB&#xA;heap used/);
    assert.match(
      marksOf(svg, 'alerts')[1]!,
      /<title>\+15\.0 s · critical: memory leak: leak in JS heap<\/title>/,
    );
    assert.match(
      marksOf(svg, 'snapshots')[0]!,
      /<title>\+20\.0 s · heap snapshot \(leak\), 21\.0 MB: \/tmp\/app\/1\.heapsnapshot<\/title>/,
    );
    // Without the option, no titles (PNG rendering does not need them).
    assert.equal((await renderVegaLiteSvg(spec)).includes('<title>'), false);
  });

  it('marks nothing for a healthy run without alerts or snapshots', async () => {
    const model = { ...sampleModel({ leaking: false }), snapshots: [] };
    const { svg } = await render(model);
    assert.equal(
      svgTexts(svg).some((text) => text.startsWith('leak called')),
      false,
    );
    assert.equal(marksOf(svg, 'verdict_bands').length, 0);
    assert.equal(marksOf(svg, 'alerts').length, 0);
    assert.equal(marksOf(svg, 'snapshots').length, 0);
  });

  it('draws RSS alone for a process watched from outside', async () => {
    const base = sampleModel({ withoutHeap: true });
    const samples = base.samples.map((sample) => memoryPoint(sample.time, sample.rss));
    const { svg, warnings } = await render({
      ...base,
      samples,
      run: { ...base.run, watchedBy: 'proc', nodeVersion: null },
    });
    assert.deepEqual(warnings, []);
    assert.equal(pathData(marksOf(svg, 'memory_series')).length, 1);
    assert.equal(marksOf(svg, 'heap_floor').length, 0);
    assert.equal(svgTexts(svg).includes('heap used'), false);
  });

  it('is null without samples', () => {
    assert.equal(memoryChartSpec(buildReport({ ...sampleModel(), samples: [] })), null);
  });

  it('picks time and size units from the data', async () => {
    const base = sampleModel({ withoutHeap: true });
    // Two hours of samples every minute, sizes in GB.
    const samples = Array.from({ length: 120 }, (_, i) => ({
      ...base.samples[0]!,
      time: START + i * 60_000,
      rss: 3e9 + i * 1e6,
    }));
    const { svg } = await render({ ...base, samples, run: { ...base.run, endedAt: samples.at(-1)!.time } });
    assert.ok(svgTexts(svg).includes('time since start (min)'));
    assert.ok(svgTexts(svg).includes('memory (GB)'));
  });
});

describe('downsample', () => {
  const sample = (i: number, rss: number) => memoryPoint(START + i, rss, { heapUsed: rss / 2 });

  it('keeps short series whole', () => {
    const samples = Array.from({ length: 100 }, (_, i) => sample(i, i));
    assert.equal(downsample(samples, 50).length, 100);
  });

  it('thins long series but keeps every bucket’s extremes, the ends, and time order', () => {
    const samples = Array.from({ length: 10_000 }, (_, i) => sample(i, 1000 + (i % 7)));
    samples[4321] = sample(4321, 99_999);
    samples[777] = sample(777, 1);
    const kept = downsample(samples, 100);
    assert.ok(kept.length <= 100 * 4 + 2, `${kept.length} points`);
    assert.ok(kept.length >= 100);
    assert.ok(
      kept.some((point) => point.rss === 99_999),
      'the spike survives',
    );
    assert.ok(
      kept.some((point) => point.rss === 1),
      'the dip survives',
    );
    assert.equal(kept[0], samples[0]);
    assert.equal(kept.at(-1), samples.at(-1));
    for (let i = 1; i < kept.length; i++) assert.ok(kept[i]!.time > kept[i - 1]!.time);
  });
});
