import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidOptionError } from '../errors.ts';
import { CHART_KINDS, type ChartKind, renderChart } from './chart.ts';
import { sampleModel } from './sample-model.fixture.ts';

describe('renderChart', () => {
  it('draws every chart as SVG and as PNG', async () => {
    const model = sampleModel();
    for (const chart of CHART_KINDS) {
      const svg = await renderChart(model, { chart, format: 'svg' });
      assert.equal(svg?.mediaType, 'image/svg+xml', chart);
      assert.match(String(svg?.contents), /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      const png = await renderChart(model, { chart, format: 'png', scale: 1 });
      assert.equal(png?.mediaType, 'image/png');
      assert.ok(Buffer.isBuffer(png?.contents) && png.contents.readUInt32BE(0) === 0x89504e47, chart);
    }
  });

  it('sizes the memory chart as asked and titles it', async () => {
    const chart = await renderChart(sampleModel(), {
      chart: 'memory',
      format: 'svg',
      width: 400,
      height: 150,
      title: 'api-7',
    });
    const svg = String(chart?.contents);
    const width = Number(/<svg[^>]*\swidth="(\d+)"/.exec(svg)?.[1]);
    assert.ok(width > 400 && width < 560, `plot 400 px plus axes and padding: ${width}`);
    assert.ok(svg.includes('>api-7</text>'));
  });

  it('gives retainer graphs as Graphviz DOT, all suspects or one', async () => {
    const all = await renderChart(sampleModel(), { chart: 'retainers', format: 'dot' });
    assert.equal(all?.mediaType, 'text/vnd.graphviz');
    assert.equal((String(all?.contents).match(/"leaked-\d+"/g) ?? []).length > 1, true);
    const second = String(
      (await renderChart(sampleModel(), { chart: 'retainers', format: 'dot', suspect: 1 }))?.contents,
    );
    assert.ok(second.includes('900 × (string)'));
    assert.equal(second.includes('Session'), false);
  });

  it('is null when there is nothing to draw', async () => {
    const empty = { ...sampleModel({ leaking: false, withoutHeap: true }), samples: [], gcPauses: [] };
    for (const chart of CHART_KINDS)
      assert.equal(await renderChart(empty, { chart, format: 'svg' }), null, chart);
  });

  it('refuses formats and choices that do not exist, naming the option', async () => {
    const model = sampleModel();
    const refused = async (options: Parameters<typeof renderChart>[1], option: string, pattern: RegExp) =>
      assert.rejects(
        renderChart(model, options),
        (error: unknown) =>
          error instanceof InvalidOptionError && error.option === option && pattern.test(error.message),
      );
    await refused({ chart: 'memory', format: 'dot' }, 'format', /dot is for retainer graphs only/);
    await refused({ chart: 'memory', format: 'jpg' as never }, 'format', /svg, png or dot/);
    await refused(
      { chart: 'heap' as ChartKind, format: 'svg' },
      'chart',
      /memory, gc, classes, allocations, retainers/,
    );
    await refused({ chart: 'retainers', format: 'svg', suspect: 2 }, 'suspect', /there are 2 leak suspects/);
  });
});
