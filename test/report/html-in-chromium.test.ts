/**
 * The HTML report opened in a real browser (Debian's `chromium`, driven by playwright-core): it loads
 * nothing from the network, logs no errors, and its charts and retainer graphs are really drawn —
 * lines with length, bars with area, graph labels inside their boxes in the browser's own fonts.
 * Screenshots are written for people to look at (path printed as a test diagnostic).
 *
 * Needs /usr/bin/chromium (`apt-get install chromium`); skipped without it except in CI.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { renderReportHtml } from '../../src/report/report-html.ts';
import type { ReportModel } from '../../src/report/report-model.ts';
import { SECRET_KEY, SECRET_VALUE, sampleModel } from '../../src/report/sample-model.fixture.ts';
import { chromiumSkipReason, launchChromium } from '../support/chromium.ts';

const skip = chromiumSkipReason;
const screenshots = process.env.MEMWATCHER_SCREENSHOT_DIR ?? join(tmpdir(), 'memwatcher-report-screenshots');

interface Measured {
  charts: { width: number; height: number; marks: number; drawn: number }[];
  /** Memory charts shown (one of the wide and narrow ones), their width on the page and as drawn. */
  memoryCharts: { width: number; natural: number }[];
  lines: { d: number; length: number }[];
  graphs: { nodes: { fits: boolean; label: string }[]; edges: number[] }[];
  scrollWidth: number;
  /** Figure tiles whose number does not fit its tile. */
  overflowingFigures: string[];
  verdict: string | null;
  suspects: string;
  text: string;
}

/** Runs in the page (plain JavaScript: this project's TypeScript has no DOM types). */
const MEASURE = `(() => {
  const shown = (element) => element.getBoundingClientRect().width > 0;
  const charts = [...document.querySelectorAll('svg.marks')].filter(shown).map((svg) => {
    const box = svg.getBoundingClientRect();
    const marks = [...svg.querySelectorAll('g.role-mark path, g.role-mark rect, g.role-mark line')];
    const drawn = marks.filter((mark) => { const b = mark.getBBox(); return b.width > 0 || b.height > 0; });
    return { width: box.width, height: box.height, marks: marks.length, drawn: drawn.length };
  });
  const memory = [...document.querySelectorAll('#memory-chart svg')].filter(shown);
  const lines = memory.flatMap((svg) => [...svg.querySelectorAll('g.memory_series_marks path, g.heap_floor_marks path')])
    .map((path) => ({ d: (path.getAttribute('d') || '').length, length: path.getTotalLength() }));
  const graphs = [...document.querySelectorAll('svg.retainer-graph')].map((svg) => {
    const nodes = [...svg.querySelectorAll('g.node')].map((node) => {
      const rects = node.querySelectorAll('rect');
      const box = rects[rects.length - 1].getBBox();
      const texts = [...node.querySelectorAll('text')].map((text) => text.getBBox());
      const fits = texts.every((t) => t.width > 0 && t.x >= box.x - 0.5 && t.x + t.width <= box.x + box.width + 0.5);
      return { fits, label: node.querySelector('text')?.textContent ?? '' };
    });
    const edges = [...svg.querySelectorAll('path.edge')].map((edge) => edge.getTotalLength());
    return { nodes, edges };
  });
  return {
    charts, lines, graphs,
    memoryCharts: memory.map((svg) => ({ width: svg.getBoundingClientRect().width, natural: Number(svg.getAttribute('width')) })),
    scrollWidth: document.documentElement.scrollWidth,
    overflowingFigures: [...document.querySelectorAll('.figure .value')]
      .filter((value) => value.scrollWidth > value.clientWidth)
      .map((value) => value.textContent),
    verdict: document.querySelector('#verdict .title')?.textContent ?? null,
    suspects: document.querySelector('#suspects')?.textContent ?? '',
    text: document.body.innerText,
  };
})()`;

interface PageProblems {
  console: string[];
  requests: string[];
}

describe('HTML report in headless Chromium', { skip, timeout: 120_000 }, () => {
  let browser: Browser;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'memwatcher-report-'));
    mkdirSync(screenshots, { recursive: true });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  async function open(
    name: string,
    model: ReportModel,
    width = 1200,
  ): Promise<{ page: Page; problems: PageProblems }> {
    const file = join(dir, `${name}.html`);
    writeFileSync(file, await renderReportHtml(model));
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const problems: PageProblems = { console: [], requests: [] };
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.console.push(message.text());
    });
    page.on('pageerror', (error) => problems.console.push(String(error)));
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) problems.requests.push(request.url());
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return { page, problems };
  }

  it('renders a leaking run: charts drawn, graphs legible, nothing fetched, no errors', async (t) => {
    const { page, problems } = await open('leak', sampleModel({ leaking: true }));

    const measured = (await page.evaluate(MEASURE)) as Measured;

    // Every Vega chart has drawn marks with real extent on the page.
    assert.equal(measured.charts.length, 4, 'memory, GC, classes and allocation charts');
    for (const chart of measured.charts) {
      assert.ok(chart.width > 200 && chart.height > 60, JSON.stringify(chart));
      assert.ok(chart.drawn > 0, `marks drawn: ${JSON.stringify(chart)}`);
    }

    // The wide memory chart is shown, at (nearly) the size it was drawn for: labels stay legible.
    assert.equal(measured.memoryCharts.length, 1);
    assert.ok(measured.memoryCharts[0]!.natural > 800, JSON.stringify(measured.memoryCharts));
    assert.ok(
      measured.memoryCharts[0]!.width >= 0.9 * measured.memoryCharts[0]!.natural,
      JSON.stringify(measured.memoryCharts),
    );

    // The memory lines are long paths, inside the plot.
    assert.equal(measured.lines.length, 5, 'RSS, heap used, external, ArrayBuffers and the heap floor');
    for (const line of measured.lines) assert.ok(line.d > 100 && line.length > 300, JSON.stringify(line));

    // Retainer graphs: every node's text fits inside its box in the browser's monospace font.
    assert.equal(measured.graphs.length, 3, 'one per suspect and one for both');
    for (const graph of measured.graphs) {
      assert.ok(graph.nodes.length >= 4);
      for (const node of graph.nodes) assert.ok(node.fits, `label overflows its box: ${node.label}`);
      for (const length of graph.edges) assert.ok(length > 10, `edge drawn (${length})`);
    }

    // The page fits its width (charts scale down rather than overflow), and says what matters.
    assert.ok(measured.scrollWidth <= 1200, `no horizontal scrolling: ${measured.scrollWidth}`);
    assert.deepEqual(measured.overflowingFigures, [], 'every figure fits its tile');
    assert.equal(measured.verdict, 'Leak in the JS heap');
    assert.equal(measured.text.includes(SECRET_VALUE) || measured.text.includes(SECRET_KEY), false);

    // Hovering the memory chart lights up the strip under the pointer, whose title gives the figures.
    const strips = page.locator('#memory-chart .wide g.hover_targets_marks path');
    assert.ok((await strips.count()) > 100);
    await strips.nth(100).hover({ force: true });
    const hovered = (await page.evaluate(`(() => {
      const strip = document.querySelectorAll('#memory-chart .wide g.hover_targets_marks path')[100];
      const alert = document.querySelector('#memory-chart .wide g.alerts_marks path');
      return {
        opacity: getComputedStyle(strip).fillOpacity,
        title: strip.querySelector('title')?.textContent,
        alert: alert?.querySelector('title')?.textContent,
        idle: getComputedStyle(document.querySelectorAll('#memory-chart .wide g.hover_targets_marks path')[10]).fillOpacity,
      };
    })()`)) as { opacity: string; title: string; alert: string; idle: string };
    assert.equal(hovered.opacity, '0.1');
    assert.equal(hovered.idle, '0');
    assert.match(
      hovered.title,
      /^\+[\d.]+ s\nRSS: [\d.]+ MB\nheap used: [\d.]+ MB\nheap floor \(after GC\): [\d.]+ MB/,
    );
    assert.equal(hovered.alert, '+9.0 s · warning: JS heap in use 172 MB is above 60.0 MB');

    assert.deepEqual(problems.requests, [], 'nothing fetched');
    assert.deepEqual(problems.console, [], 'no console errors or warnings');
    const shot = join(screenshots, 'report-leak.png');
    await page.screenshot({ path: shot, fullPage: true });
    t.diagnostic(`screenshot: ${shot}`);
    await page.close();
  });

  it('renders a healthy run watched without heap snapshots, also on a narrow screen', async (t) => {
    const { page, problems } = await open('healthy', sampleModel({ leaking: false, withoutHeap: true }), 700);
    const state = (await page.evaluate(MEASURE)) as Measured;
    assert.equal(state.verdict, 'No leak');
    assert.equal(state.charts.length, 2, 'memory and GC charts');
    // On a narrow screen the narrow memory chart is shown instead, not shrunk nor cut off.
    assert.equal(state.memoryCharts.length, 1);
    assert.ok(state.memoryCharts[0]!.natural < 600, JSON.stringify(state.memoryCharts));
    assert.ok(
      state.memoryCharts[0]!.width >= 0.95 * state.memoryCharts[0]!.natural,
      JSON.stringify(state.memoryCharts),
    );
    assert.equal(state.lines.length, 5, 'its lines are drawn');
    assert.equal(state.graphs.length, 0);
    assert.match(state.suspects, /No heap snapshots were analyzed/);
    assert.ok(state.scrollWidth <= 700, `no horizontal scrolling at 700 px: ${state.scrollWidth}`);
    assert.deepEqual(state.overflowingFigures, [], 'every figure fits its tile');
    assert.deepEqual(problems.requests, []);
    assert.deepEqual(problems.console, []);
    const shot = join(screenshots, 'report-healthy-narrow.png');
    await page.screenshot({ path: shot, fullPage: true });
    t.diagnostic(`screenshot: ${shot}`);
    await page.close();
  });
});
