/**
 * What keeps the shipped examples and the docs true to the code, without Prometheus: every metric
 * the Grafana dashboard and the alerting rules query is one memwatcher exposes, the README lists every
 * metric, and the layering holds (the agent never imports the metrics; the metrics read the agent
 * through types and its public entry only).
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { exposedSeriesNames, METRICS } from '../../src/metrics/metric-catalog.ts';
import { root } from './support.ts';

const ours = /\b(?:memwatcher|nodejs|process)_[a-z_]+\b/g;

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(join(root, dir), { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

/** Every `import … from '…'` / `export … from '…'` with whether it is type-only. */
function importsOf(text: string): { specifier: string; typeOnly: boolean }[] {
  const found: { specifier: string; typeOnly: boolean }[] = [];
  for (const match of text.matchAll(/^(import|export)\s+(type\s+)?[^'"]*?from\s+'([^']+)'/gms)) {
    found.push({ specifier: match[3]!, typeOnly: match[2] !== undefined });
  }
  for (const match of text.matchAll(/import\(\s*'([^']+)'\s*\)/g))
    found.push({ specifier: match[1]!, typeOnly: false });
  return found;
}

describe('shipped examples', () => {
  const exposed = exposedSeriesNames();

  it('the Grafana dashboard queries only metrics memwatcher exposes, through the datasource variable', async () => {
    const dashboard = JSON.parse(await readFile(join(root, 'examples/grafana-dashboard.json'), 'utf8')) as {
      panels: {
        id: number;
        type: string;
        title: string;
        gridPos: { x: number; w: number };
        datasource?: { uid: string };
        targets?: { expr: string }[];
      }[];
      templating: { list: { name: string; query?: unknown }[] };
    };
    assert.deepEqual(
      dashboard.templating.list.map((v) => v.name),
      ['datasource', 'job', 'instance'],
    );
    const ids = dashboard.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
    const used = new Set<string>();
    for (const panel of dashboard.panels) {
      assert.ok(panel.gridPos.x + panel.gridPos.w <= 24, `${panel.title} fits the 24-column grid`);
      if (panel.type === 'row') continue;
      assert.equal(
        panel.datasource?.uid,
        '$' + '{datasource}', // Grafana's variable syntax, spelled so no linter takes it for a template
        `${panel.title} uses the datasource variable`,
      );
      assert.ok((panel.targets ?? []).length > 0, `${panel.title} has a query`);
      for (const target of panel.targets ?? []) {
        assert.match(
          target.expr,
          /job=~"\$job", instance=~"\$instance"/,
          `${panel.title} filters by job and instance`,
        );
        for (const [name] of target.expr.matchAll(ours)) {
          assert.ok(exposed.has(name), `${panel.title}: ${name} is not a memwatcher metric`);
          used.add(name);
        }
      }
    }
    for (const theme of [
      'process_resident_memory_bytes',
      'memwatcher_heap_floor_bytes',
      'memwatcher_growth_bytes_per_second',
      'memwatcher_leak_verdict',
      'nodejs_gc_duration_seconds_bucket',
      'memwatcher_class_objects',
    ]) {
      assert.ok(used.has(theme), `the dashboard shows ${theme}`);
    }
  });

  it('the alerting rules query only metrics memwatcher exposes', async () => {
    const rules = await readFile(join(root, 'examples/prometheus-alerts.yml'), 'utf8');
    // Each `expr:` with the lines indented deeper below it (a `|` block).
    const exprs: string[] = [];
    const lines = rules.split('\n');
    lines.forEach((line, i) => {
      const match = /^(\s*)expr: (.*)$/.exec(line);
      if (match === null) return;
      const block = [match[2]!];
      for (let j = i + 1; j < lines.length && lines[j]!.search(/\S/) > match[1]!.length; j++)
        block.push(lines[j]!);
      exprs.push(block.join('\n'));
    });
    assert.equal(exprs.length, 4);
    const names = new Set(exprs.flatMap((expr) => [...expr.matchAll(ours)].map((m) => m[0])));
    assert.deepEqual(
      [...names].filter((name) => !exposed.has(name)),
      [],
    );
    for (const name of [
      'memwatcher_leak_culprit',
      'memwatcher_growth_bytes_per_second',
      'memwatcher_time_to_heap_limit_seconds',
    ]) {
      assert.ok(names.has(name), `an alert uses ${name}`);
    }
  });

  it('the README names every metric', async () => {
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    const missing = Object.values(METRICS)
      .map((m) => m.name)
      .filter((name) => !readme.includes(`\`${name}\``));
    assert.deepEqual(missing, []);
  });
});

describe('layering', () => {
  it('nothing in src/agent imports the metrics', async () => {
    const offenders: string[] = [];
    for (const file of await sourceFiles('src/agent')) {
      for (const { specifier } of importsOf(await readFile(join(root, file), 'utf8'))) {
        if (/(^|\/)metrics(\/|$)|memwatcher\/metrics/.test(specifier))
          offenders.push(`${file} → ${specifier}`);
      }
    }
    assert.deepEqual(offenders, []);
  });

  it('src/metrics reads the agent through types and its public entry only, and never the peers statically', async () => {
    const offenders: string[] = [];
    for (const file of await sourceFiles('src/metrics')) {
      if (file.endsWith('.test.ts')) continue;
      const text = await readFile(join(root, file), 'utf8');
      for (const { specifier, typeOnly } of importsOf(text)) {
        if (specifier.includes('/agent/') && !typeOnly)
          offenders.push(`${file} → ${specifier} (not type-only)`);
        if (
          (specifier === 'prom-client' || specifier.startsWith('@opentelemetry/')) &&
          !text.includes(`import('${specifier}')`)
        ) {
          offenders.push(`${file} → ${specifier} (static import of an optional peer)`);
        }
      }
    }
    assert.deepEqual(offenders, []);
  });
});
