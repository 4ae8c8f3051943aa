/** The text, JSON and HTML forms of one report: same content, no secrets, nothing to fetch. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildReport } from './build-report.ts';
import { renderReportHtml } from './report-html.ts';
import { renderReportJson } from './report-json.ts';
import type { ReportModel } from './report-model.ts';
import { renderReportText, sparkline } from './report-text.ts';
import { SECRET_KEY, SECRET_VALUE, START, sampleModel } from './sample-model.fixture.ts';

describe('text report', () => {
  it('leads with the verdict and gives memory, GC, alerts, suspects, classes, allocation sites and snapshots', () => {
    const text = renderReportText(sampleModel(), { color: false });
    const order = [
      'memwatcher report  node server.js --port 8080',
      'LEAK IN THE JS HEAP',
      'The heap floor after GC grows +30.0 MB/min (confidence 99.7%)',
      'Memory  (240 samples',
      'Garbage collection',
      'Alerts (2, 1 critical)',
      'Leak suspects (2, by retained size)',
      '1. Session (object): 4,500 alive, retaining 2.2 MB',
      'count per snapshot     500 → 2,500 → 4,500',
      'system / Context.sessions',
      'Top classes',
      'Allocation sites',
      'createSession (sessions.js:12)',
      'Heap snapshots',
    ];
    let at = 0;
    for (const part of order) {
      const found = text.indexOf(part, at);
      assert.ok(found >= 0, `"${part}" after offset ${at}:\n${text}`);
      at = found;
    }
    assert.equal(text.includes(SECRET_VALUE), false);
    assert.equal(text.includes(SECRET_KEY), false);
    assert.equal(text.includes('\x1b['), false, 'no colour codes when color is false');
  });

  it('says "No leak" for a healthy run and leaves out sections without data', () => {
    const text = renderReportText(sampleModel({ leaking: false, withoutHeap: true }), { color: false });
    assert.match(text, /\nNO LEAK\n {2}Memory after garbage collection is stable/);
    assert.equal(text.includes('Alerts'), false);
    assert.equal(text.includes('Top classes'), false);
    assert.equal(text.includes('Allocation sites'), false);
  });

  it('says why there are no suspects: none analyzed, one snapshot, or nothing accumulated', () => {
    const healthy = sampleModel({ leaking: false });
    const reason = (analyzedSnapshots: number) =>
      renderReportText({ ...healthy, analyzedSnapshots }, { color: false })
        .split('Leak suspects\n')[1]
        ?.split('\n')[0];
    assert.equal(
      reason(0),
      '  No heap snapshots were analyzed for this run (3 were taken: memwatcher analyze compares them).',
    );
    assert.equal(
      reason(1),
      '  Only one heap snapshot was analyzed: finding what accumulates takes two or more.',
    );
    assert.equal(reason(3), '  None: nothing kept accumulating across the 3 analyzed heap snapshots.');
  });

  it('colours the verdict when asked', () => {
    const text = renderReportText(sampleModel(), { color: true });
    assert.ok(text.includes('\x1b[1m\x1b[31mLEAK IN THE JS HEAP'));
  });

  it('draws sparklines from 0 to the peak, one block per slice', () => {
    const model = sampleModel({ withoutHeap: true });
    const samples = [10, 20, 40, 80].map((rss, i) => ({ ...model.samples[0]!, time: START + i, rss }));
    assert.equal(sparkline(samples, 'rss', 4), '▂▃▅█');
    assert.equal(sparkline(samples, 'rss', 2), '▃█');
    const unknown = samples.map((sample) => ({ ...sample, heapFloor: null }));
    assert.equal(sparkline(unknown, 'heapFloor'), '');
  });

  it('copes with days of samples (more than a function call takes as arguments)', () => {
    const base = sampleModel({ withoutHeap: true }).samples[0]!;
    const samples = Array.from({ length: 200_000 }, (_, i) => ({ ...base, time: START + i * 1000, rss: i }));
    assert.equal(sparkline(samples, 'rss', 4), '▂▄▆█');
  });
});

describe('JSON report', () => {
  it('is the built report, parseable, versioned, and secret-free', () => {
    const model = sampleModel();
    const json = renderReportJson(model);
    const parsed = JSON.parse(json);
    assert.deepEqual(parsed, JSON.parse(JSON.stringify(buildReport(model))));
    assert.equal(parsed.format, 'memwatcher-report');
    assert.equal(parsed.version, 1);
    assert.equal(parsed.verdict.final.status, 'leak');
    assert.equal(parsed.suspects[0].name, 'Session');
    assert.equal(json.includes(SECRET_VALUE), false);
    assert.equal(json.includes(SECRET_KEY), false);
    assert.equal(renderReportJson(model, { pretty: false }).split('\n').length, 2);
  });
});

describe('HTML report', () => {
  it('is one self-contained page: no scripts, no stylesheets or images to fetch', async () => {
    const html = await renderReportHtml(sampleModel(), { generatedAt: START });
    assert.match(html, /^<!doctype html>/);
    assert.equal(/<script\b/i.test(html), false);
    assert.equal(/<link\b/i.test(html), false);
    assert.equal(/<img\b/i.test(html), false);
    assert.equal(/@import|url\(\s*['"]?(?!#)/i.test(html), false, 'CSS and SVG refer only to in-page ids');
    assert.equal(/\b(?:src|href)="(?!#)/i.test(html), false, 'no external src or href');
    // http(s) URLs appear only as SVG namespace names, which are identifiers, not fetched.
    const urls = [...html.matchAll(/https?:\/\/[^\s"'<>]+/g)].map((m) => m[0]);
    assert.deepEqual([...new Set(urls)].sort(), [
      'http://www.w3.org/1999/xlink',
      'http://www.w3.org/2000/svg',
    ]);
  });

  it('has every section, a chart per kind of data, and a retainer graph per suspect plus one for all', async () => {
    const warnings: string[] = [];
    const html = await renderReportHtml(sampleModel(), { onWarning: (message) => warnings.push(message) });
    assert.deepEqual(warnings, []);
    for (const id of [
      'verdict',
      'memory',
      'suspects',
      'classes',
      'gc',
      'alerts',
      'allocations',
      'snapshots',
    ]) {
      assert.ok(html.includes(`id="${id}"`), id);
    }
    assert.ok(html.includes('<p class="title">Leak in the JS heap</p>'));
    // Vega charts: memory (wide and narrow), GC, classes, allocation sites. Graphs: two suspects and the overview.
    assert.equal((html.match(/<svg[^>]*class="marks"/g) ?? []).length, 5);
    assert.equal((html.match(/<svg[^>]*class="retainer-graph"/g) ?? []).length, 3);
    // Element ids are unique, or one chart would clip another's lines.
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(new Set(ids).size, ids.length, 'unique ids');
  });

  it('escapes heap names and carries no planted secret', async () => {
    const model = sampleModel();
    const hostile: ReportModel = {
      ...model,
      classes: [{ ...model.classes[0]!, name: '<img src=x onerror=alert(1)>' }, ...model.classes.slice(1)],
      suspects: [
        { ...model.suspects[0]!, name: '</style><script>alert(1)</script>' },
        ...model.suspects.slice(1),
      ],
    };
    const html = await renderReportHtml(hostile);
    assert.equal(html.includes('<img src=x'), false);
    assert.equal(html.includes('<script>'), false);
    assert.ok(html.includes('&lt;/style&gt;&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.equal(html.includes(SECRET_VALUE), false);
    assert.equal(html.includes(SECRET_KEY), false);
  });

  it('says what is missing instead of drawing empty charts', async () => {
    const model = sampleModel({ leaking: false, withoutHeap: true });
    const html = await renderReportHtml({ ...model, samples: [], gcPauses: [], snapshots: [] });
    assert.ok(html.includes('No memory samples were recorded.'));
    assert.ok(html.includes('No heap snapshots were taken or analyzed for this run'));
    assert.equal((html.match(/<svg/g) ?? []).length, 0);
    assert.equal(html.includes('id="classes"'), false);
  });
});
