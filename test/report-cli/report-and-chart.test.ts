/**
 * `memwatcher report` and `memwatcher chart` on a history file written by a short real run
 * (`memwatcher run --db … --on-leak snapshot` of a small leaking Node program): the HTML report opens
 * in headless Chromium with its charts and retainer graph drawn, nothing fetched and no errors; the
 * text and JSON forms say the same; charts come out as SVG, PNG and DOT, also from an `analyze --json`
 * file; bad arguments and files give one clear line. The browser part needs /usr/bin/chromium
 * (skipped without it, except in CI).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isOneCleanLine, runCli } from '../cli/run-cli.ts';
import { chromiumSkipReason, launchChromium } from '../support/chromium.ts';

const noBrowser = chromiumSkipReason;
const app = fileURLToPath(new URL('../report/fixtures/watched-app.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'memwatcher-report-cli-'));
const db = join(dir, 'history.db');
after(() => rmSync(dir, { recursive: true, force: true }));

/** Rendering reports and charts takes a few seconds; much longer when the machine runs other tests too. */
const SLOW = { timeoutMs: 90_000 };
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('memwatcher report and chart on a recorded run', { concurrency: true, timeout: 180_000 }, () => {
  before(async () => {
    // ~100 KB kept per 100 ms: a leak called within seconds at these settings (about 6 s in), then
    // three snapshots of it taken while the program runs its 16 s — room for a busy machine — and analyzed.
    const run = await runCli(
      [
        'run',
        '--db',
        db,
        '--interval',
        '100ms',
        '--window',
        '3s',
        '--warmup',
        '1s',
        '--on-leak',
        'snapshot',
        '--snapshot-interval',
        '500ms',
        '--snapshot-dir',
        join(dir, 'snapshots'),
        '--quiet',
        '--',
        process.execPath,
        '--expose-gc',
        app,
        '16000',
      ],
      { timeoutMs: 90_000 },
    );
    assert.equal(run.code, 0, run.stderr);
    const recorded = await runCli(['report', db, '--format', 'json'], SLOW);
    assert.equal(
      JSON.parse(recorded.stdout).analyzedSnapshots,
      3,
      `the recorded run has no analysis of three snapshots (did the program end before the series?): ${run.stderr}`,
    );
  });

  it('writes the HTML report, which Chromium shows with its charts and retainer graph', async (t) => {
    const file = join(dir, 'report.html');
    const run = await runCli(['report', db, '-o', file], SLOW);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Wrote .*report\.html \(html, [\d.]+ kB\): run 1, process \d+\.\n$/);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    if (noBrowser) {
      t.skip(noBrowser);
      return;
    }
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(String(error)));
      page.on('request', (request) => {
        if (!request.url().startsWith('file:')) problems.push(`fetched ${request.url()}`);
      });
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      const seen = (await page.evaluate(`(() => ({
        verdict: document.querySelector('#verdict .title')?.textContent ?? null,
        charts: [...document.querySelectorAll('svg.marks')]
          .filter((svg) => svg.getBoundingClientRect().width > 0)
          .map((svg) => [...svg.querySelectorAll('g.role-mark path, g.role-mark rect')]
            .filter((mark) => { const box = mark.getBBox(); return box.width > 0 || box.height > 0; }).length),
        memoryLines: [...document.querySelectorAll('#memory-chart svg')]
          .filter((svg) => svg.getBoundingClientRect().width > 0)
          .flatMap((svg) => [...svg.querySelectorAll('g.memory_series_marks path, g.heap_floor_marks path')])
          .map((path) => path.getTotalLength()),
        graphNodes: [...document.querySelectorAll('svg.retainer-graph g.node')].length,
        suspects: document.querySelector('#suspects')?.textContent ?? '',
      }))()`)) as {
        verdict: string | null;
        charts: number[];
        memoryLines: number[];
        graphNodes: number;
        suspects: string;
      };
      assert.match(seen.verdict ?? '', /^Leak in /);
      assert.ok(seen.charts.length >= 3, `memory, GC and classes charts: ${seen.charts}`);
      assert.ok(
        seen.charts.every((drawn) => drawn > 0),
        `every chart has marks drawn: ${seen.charts}`,
      );
      assert.ok(
        seen.memoryLines.length >= 4 && seen.memoryLines.every((length) => length > 100),
        `${seen.memoryLines}`,
      );
      assert.ok(seen.graphNodes >= 3, 'a retainer graph is drawn');
      assert.match(seen.suspects, /retained|retaining/i);
      assert.deepEqual(problems, []);
      const shot = join(dir, 'report.png');
      await page.screenshot({ path: shot, fullPage: true });
      assert.ok(statSync(shot).size > 10_000);
    } finally {
      await browser.close();
    }
  });

  it('prints the text report and writes the JSON report of the same run', async () => {
    const text = await runCli(['report', db], SLOW);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^memwatcher report {2}.*watched-app\.ts 16000\n/);
    assert.match(text.stdout, /\nLEAK IN /);
    assert.match(text.stdout, /heap floor after GC +[\d.]+ [kMG]B/);
    assert.match(text.stdout, /Leak suspects \(\d+, by retained size\)/);

    const file = join(dir, 'report.json');
    const json = await runCli(['report', db, '-o', file, '--top', '3'], SLOW);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(report.format, 'memwatcher-report');
    assert.equal(report.verdict.final.status, 'leak');
    assert.ok(report.memory.samples.length >= 40, `${report.memory.samples.length} points`);
    assert.ok(report.gc.collections > 0 && report.gc.byKind.length > 0);
    assert.equal(report.snapshots.length, 3);
    assert.equal(report.analyzedSnapshots, 3);
    assert.ok(report.suspects.length >= 1);
  });

  it('draws each chart as SVG, PNG or DOT', async () => {
    const outputs: [string[], string, (contents: Buffer) => void][] = [
      [
        ['--kind', 'memory'],
        'memory.svg',
        (svg) => assert.match(svg.toString(), /^<svg[^>]*>[\s\S]*heap floor/),
      ],
      [
        ['--kind', 'memory', '--width', '600'],
        'memory.png',
        (png) => assert.ok(png.subarray(0, 8).equals(PNG_SIGNATURE) && png.length > 5000),
      ],
      [
        ['--kind', 'gc'],
        'gc.png',
        (png) => assert.ok(png.subarray(0, 8).equals(PNG_SIGNATURE) && png.length > 2000),
      ],
      [['--kind', 'classes'], 'classes.svg', (svg) => assert.match(svg.toString(), /^<svg/)],
      [['--kind', 'retainers'], 'retainers.dot', (dot) => assert.match(dot.toString(), /^digraph [\s\S]*->/)],
      [
        ['--kind', 'retainers', '--suspect', '1'],
        'one.svg',
        (svg) => assert.match(svg.toString(), /class="retainer-graph"/),
      ],
    ];
    await Promise.all(
      outputs.map(async ([flags, name, check]) => {
        const file = join(dir, name);
        const run = await runCli(['chart', db, ...flags, '-o', file], SLOW);
        assert.equal(run.code, 0, `${flags.join(' ')}: ${run.stderr}`);
        assert.match(run.stdout, new RegExp(`^Wrote .*${name.replace('.', '\\.')} \\(`));
        check(readFileSync(file));
      }),
    );
  });

  it("draws a retainer graph from 'analyze --json' output", async () => {
    const snapshots = join(dir, 'snapshots');
    const files = readdirSorted(snapshots);
    assert.equal(files.length, 3);
    const analysis = await runCli(['analyze', ...files, '--json', '--quiet'], { timeoutMs: 60_000 });
    assert.equal(analysis.code, 0, analysis.stderr);
    const analysisFile = join(dir, 'analysis.json');
    writeFileSync(analysisFile, analysis.stdout);
    const run = await runCli(['chart', '--analysis', analysisFile, '--suspect', '1'], SLOW);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^<svg[\s\S]*class="retainer-graph"/);
    const dot = await runCli(['chart', '--analysis', analysisFile, '--format', 'dot'], SLOW);
    assert.match(dot.stdout, /^digraph /);
  });

  it('gives one clear line for bad arguments and unusable files', async () => {
    const notHistory = join(dir, 'not-history.db');
    writeFileSync(notHistory, 'hello');
    const notAnalysis = join(dir, 'not-analysis.json');
    writeFileSync(notAnalysis, '{"hello": 1}');
    const cases: [string[], number, RegExp][] = [
      [['report'], 2, /missing <history\.db> argument/],
      [
        ['report', join(dir, 'missing.db')],
        3,
        /Cannot open history file .*missing\.db: there is no such file\./,
      ],
      [['report', notHistory], 3, /it is not a SQLite database, or it is damaged/],
      [['report', db, '--run', '9'], 2, /--run: .* holds no run 9 \(runs: 1\)\./],
      [['report', db, '--pid', '1'], 2, /--pid: run 1 watched no process 1 \(processes: \d+\)\./],
      [['report', db, '--format', 'pdf'], 2, /--format must be one of html, text, json, got 'pdf'/],
      [['report', db, '-o', join(dir, 'report.pdf')], 2, /cannot tell the report's format from/],
      [
        ['report', db, '-o', join(dir, 'no-such-dir', 'r.html')],
        3,
        /Cannot write .*: the directory .* does not exist\./,
      ],
      [['chart'], 2, /give a history file or --analysis <file>/],
      [
        ['chart', db, '--kind', 'pie'],
        2,
        /--kind must be one of memory, gc, classes, allocations, retainers/,
      ],
      [['chart', db, '-o', join(dir, 'x.dot')], 2, /DOT is for retainer graphs/],
      [
        ['chart', db, '--kind', 'allocations', '-o', join(dir, 'a.svg')],
        3,
        /Nothing to draw for the allocations chart/,
      ],
      [
        ['chart', db, '--kind', 'retainers', '--suspect', '99'],
        2,
        /--suspect 99: there (is|are) \d+ leak suspects?/,
      ],
      [['chart', '--analysis', notAnalysis], 3, /is not an analysis/],
    ];
    await Promise.all(
      cases.map(async ([args, code, message]) => {
        const run = await runCli(args, SLOW);
        assert.equal(run.code, code, `${args.join(' ')}: ${run.stderr}`);
        assert.ok(isOneCleanLine(run.stderr), run.stderr);
        assert.match(run.stderr, message);
      }),
    );
  });
});

function readdirSorted(path: string): string[] {
  // Snapshot names end in -1, -2, -3: their order is the order they were taken.
  return readdirSync(path)
    .filter((name) => name.endsWith('.heapsnapshot'))
    .sort()
    .map((name) => join(path, name));
}
