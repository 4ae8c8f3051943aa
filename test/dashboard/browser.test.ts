/**
 * The live dashboard in a real browser (Debian's `chromium`, driven by playwright-core), served by
 * `memwatcher run --serve` around a real leaking program: the page opens with the token, live points
 * arrive, a heap snapshot is taken through the UI (its class census appears), a leak search finds the
 * leaked sessions, and a suspect's retainer graph is drawn. The page breaks no rule of its
 * Content-Security-Policy and fetches nothing from elsewhere. Screenshots are written to
 * MEMWATCHER_SCREENSHOT_DIR (default: a temporary folder, path printed as a test diagnostic).
 *
 * Needs /usr/bin/chromium (`apt-get install chromium`); skipped without it except in CI.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chromiumSkipReason, launchChromium } from '../support/chromium.ts';
import { cliPath, fixture, type Started, startNode, waitForOutput } from './support.ts';

const skip = chromiumSkipReason;
const screenshots =
  process.env.MEMWATCHER_SCREENSHOT_DIR ?? join(tmpdir(), 'memwatcher-dashboard-screenshots');
/** Longer watches make fuller pictures (the README's); the test itself needs a few seconds. */
const WARM_MS = Number(process.env.MEMWATCHER_DASHBOARD_WARM_MS ?? 2500);
const TOKEN = 'browser-test-token-0123456789';

/** Page-side expressions as strings: this project's TypeScript has no DOM types. */
const POINTS = "Number(document.querySelector('[data-testid=memory-chart]')?.getAttribute('data-points'))";
/** Pixels of the RSS line's colour (#6b7686) on the memory chart's canvas. */
const RSS_PIXELS = `(() => {
  const canvas = document.querySelector('[data-testid=memory-chart] canvas');
  const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  let count = 0;
  for (let i = 0; i < data.length; i += 4)
    if (Math.abs(data[i] - 0x6b) < 12 && Math.abs(data[i + 1] - 0x76) < 12 && Math.abs(data[i + 2] - 0x86) < 12) count++;
  return count;
})()`;

const NODES = "Number(document.querySelector('[data-testid=retainer-graph]')?.getAttribute('data-nodes'))";

/**
 * Polls a page-side expression from here: `waitForFunction` with a string would `eval` inside the
 * page, which its Content-Security-Policy forbids (as it should).
 */
async function waitUntil(page: Page, expression: string, ok: (value: number) => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let value = Number.NaN;
  while (Date.now() < deadline) {
    value = (await page.evaluate(expression)) as number;
    if (ok(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${expression} is still ${value} after ${timeoutMs} ms`);
}

interface PageProblems {
  console: string[];
  foreignRequests: string[];
}

/** Number in an element's text, e.g. a tile's `1,234`. */
async function numberIn(page: Page, selector: string): Promise<number> {
  const text = (await page.locator(selector).first().textContent()) ?? '';
  return Number(text.replace(/[^\d.]/g, ''));
}

describe('dashboard in headless Chromium', { skip, timeout: 120_000 + WARM_MS }, () => {
  let browser: Browser;
  let run: Started;
  let dir: string;
  let openUrl: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'memwatcher-browser-'));
    mkdirSync(screenshots, { recursive: true });
    run = startNode(
      [
        cliPath,
        'run',
        '--serve',
        '0',
        '--token',
        TOKEN,
        '--interval',
        '250ms',
        '--window',
        process.env.MEMWATCHER_DASHBOARD_WINDOW ?? '30s',
        '--warmup',
        '5s',
        '--snapshot-interval',
        '1s',
        '--snapshot-dir',
        dir,
        '--',
        process.execPath,
        '--expose-gc',
        fixture('leaky-app.mjs'),
      ],
      { env: { LIFETIME_MS: '600000' }, timeoutMs: 300_000 },
    );
    openUrl = (await waitForOutput(run, /memwatcher: dashboard at (\S+)/))[1]!;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    run?.child.kill('SIGTERM');
    await run?.exited;
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a browser without the token', async () => {
    const page = await browser.newPage();
    const response = await page.goto(openUrl.replace(/\?token=.*$/, ''));
    assert.equal(response?.status(), 401);
    assert.match((await page.textContent('body')) ?? '', /needs its token/);
    await page.close();
  });

  it('shows live points, takes a snapshot, finds the leak and draws its retainer graph', async (t) => {
    const page = await browser.newPage({ viewport: { width: 1320, height: 1000 } });
    const problems: PageProblems = { console: [], foreignRequests: [] };
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.console.push(message.text());
    });
    page.on('pageerror', (error) => problems.console.push(String(error)));
    const origin = new URL(openUrl).origin;
    page.on('request', (request) => {
      if (!request.url().startsWith(origin)) problems.foreignRequests.push(request.url());
    });

    await page.goto(openUrl);
    assert.equal(new URL(page.url()).search, '', 'the token left the address bar');
    const cookies = await page.context().cookies();
    assert.ok(
      cookies.some((cookie) => cookie.httpOnly && cookie.sameSite === 'Strict' && cookie.value === TOKEN),
    );

    // Live points arrive and are drawn.
    const chart = page.locator('[data-testid=memory-chart]');
    await waitUntil(page, POINTS, (points) => points >= 4, 20_000);
    const firstCount = Number(await chart.getAttribute('data-points'));
    await waitUntil(page, POINTS, (points) => points > firstCount + 2, 20_000);
    assert.ok((await numberIn(page, '[data-testid=rss] .value')) > 10, 'the RSS tile shows megabytes');
    // The RSS line is on the canvas: pixels of its colour.
    const rssPixels = (await page.evaluate(RSS_PIXELS)) as number;
    assert.ok(rssPixels > 50, `RSS line drawn (${rssPixels} pixels)`);
    // Zoom and pan: a time window follows new points; a wheel zoom holds still; a double-click shows all.
    const toolbar = page.locator('.chart-toolbar');
    await toolbar.locator('button', { hasText: '5 min' }).click();
    const windowed = Number(await chart.getAttribute('data-points'));
    await waitUntil(page, POINTS, (points) => points > Math.max(windowed + 1, 16), 20_000);
    assert.equal(
      await toolbar.locator('button.active').textContent(),
      '5 min',
      'the window follows live points',
    );
    await chart.locator('.u-over').hover();
    // The first steps narrow a 5-minute window down to the little data there is; then it zooms in.
    for (let step = 0; step < 4; step++) {
      await page.mouse.wheel(0, -200);
      await page.waitForTimeout(50);
    }
    await toolbar.locator('.hint', { hasText: 'Zoomed' }).waitFor({ timeout: 5000 });
    assert.equal(await toolbar.locator('button.active').count(), 0);
    await chart.locator('.u-over').dblclick();
    await toolbar.locator('button.active', { hasText: 'All' }).waitFor({ timeout: 5000 });

    await page.waitForTimeout(WARM_MS);
    // The picture of the watch itself, before snapshots pause the program (each one shows in RSS).
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(screenshots, 'dashboard.png') });

    // One heap snapshot through the UI: the class census appears.
    await page.click('[data-testid=take-snapshot]');
    await page.locator('[data-testid=actions] .action.done').first().waitFor({ timeout: 40_000 });
    await page.locator('[data-testid=census] tbody tr').nth(5).waitFor({ timeout: 10_000 });
    const censusText = (await page.locator('[data-testid=census]').textContent()) ?? '';
    assert.match(censusText, /Session/);

    // A leak search: three snapshots, analyzed; the leaked sessions are the first suspect.
    await page.click('[data-testid=analyze-series]');
    await page.locator('[data-testid=suspects] li').first().waitFor({ timeout: 60_000 });
    const suspectText = (await page.locator('[data-testid=suspects]').textContent()) ?? '';
    assert.match(suspectText, /Session/);
    assert.match(suspectText, /leaky-app\.mjs:\d+/, 'where the class was defined');

    // Growth is sortable: the census sorted by Δ objects puts a growing class first.
    await page.locator('[data-testid=census] th button', { hasText: 'Δ objects' }).waitFor();
    const firstDelta = await page
      .locator('[data-testid=census] tbody tr')
      .first()
      .locator('td')
      .nth(2)
      .textContent();
    assert.match(firstDelta ?? '', /^\+/);
    await page.locator('[data-testid=census] th button', { hasText: /^Objects/ }).click();
    const counts = await page.locator('[data-testid=census] tbody tr td:nth-child(2)').allTextContents();
    const numbers = counts.slice(0, 10).map((text) => Number(text.replace(/,/g, '')));
    assert.deepEqual(
      numbers,
      [...numbers].sort((a, b) => b - a),
      'sorted by object count, largest first',
    );

    // The suspect's retainer graph: root to leaked objects, laid out and drawn.
    await page.locator('[data-testid=suspect]').first().click();
    const graph = page.locator('[data-testid=retainer-graph]');
    await waitUntil(page, NODES, (nodes) => nodes >= 3, 20_000);
    const nodes = Number(await graph.getAttribute('data-nodes'));
    const edges = Number(await graph.getAttribute('data-edges'));
    assert.equal(edges, nodes - 1, 'a path: one edge fewer than nodes');
    assert.ok((await graph.locator('canvas').count()) > 0);

    await page.waitForTimeout(300);
    await page.screenshot({ path: join(screenshots, 'dashboard-full.png'), fullPage: true });
    await page
      .locator('[data-testid=analysis]')
      .screenshot({ path: join(screenshots, 'dashboard-suspects.png') });
    await page.locator('.chart-panel').screenshot({ path: join(screenshots, 'dashboard-memory.png') });
    t.diagnostic(`screenshots: ${screenshots}`);

    assert.deepEqual(problems.foreignRequests, [], 'nothing fetched from elsewhere');
    assert.deepEqual(problems.console, [], 'no console errors or warnings (a CSP violation is one)');
    await page.close();
  });
});
