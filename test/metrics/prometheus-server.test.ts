/**
 * A real Prometheus (Debian's `prometheus`) on loopback scrapes a program that watches itself and
 * serves `memwatcher/metrics` with a bearer token, loads the shipped alerting rules, and answers
 * queries: the figures are there and plausible, the GC histogram works with `histogram_quantile`,
 * every query of the shipped Grafana dashboard evaluates, the rules evaluate, and the leak alert
 * goes pending for the leaking program.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, prometheusBinaries, root, type ServedApp, startServedApp } from './support.ts';

const binaries = prometheusBinaries();
/** Bound on every wait below; reached only when something is broken. */
const DEADLINE_MS = 25_000;

interface Vector {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

describe('a real Prometheus scraping memwatcher/metrics', { skip: binaries.skip }, () => {
  let app: ServedApp | undefined;
  let prometheus: ChildProcess | undefined;
  let prometheusLog = '';
  let dir = '';
  let api = '';

  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${api}${path}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    assert.equal(body.status, 'success', `${path}: ${body.error ?? response.status}`);
    return body.data;
  };
  const query = (promql: string) =>
    get<{ resultType: string; result: Vector[] }>(`/api/v1/query?query=${encodeURIComponent(promql)}`);
  /** Polls until `probe` returns something, or fails with what it last saw. */
  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
    const end = Date.now() + DEADLINE_MS;
    let last: unknown;
    while (Date.now() < end) {
      try {
        const found = await probe();
        if (found !== undefined) return found;
      } catch (error) {
        last = error;
      }
      await sleep(200);
    }
    assert.fail(
      `gave up waiting for ${what} (${String(last ?? 'no answer')})\nprometheus log:\n${prometheusLog}`,
    );
  };

  before(async () => {
    if (!('found' in binaries)) assert.fail(`CI is set but ${binaries.missing}`);
    app = await startServedApp('leak');
    dir = await mkdtemp(join(tmpdir(), 'memwatcher-prometheus-'));
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    const target = `127.0.0.1:${app.port}`;
    // Two jobs on the same endpoint: one with the token, one with a wrong one (must be refused).
    const config = [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      'rule_files:',
      `  - ${JSON.stringify(join(root, 'examples/prometheus-alerts.yml'))}`,
      'scrape_configs:',
      '  - job_name: app',
      '    authorization:',
      `      credentials: ${JSON.stringify(app.token)}`,
      '    static_configs:',
      `      - targets: [${JSON.stringify(target)}]`,
      '  - job_name: intruder',
      '    authorization:',
      '      credentials: "not-the-token"',
      '    static_configs:',
      `      - targets: [${JSON.stringify(target)}]`,
      '',
    ].join('\n');
    await writeFile(join(dir, 'prometheus.yml'), config);
    prometheus = spawn(
      binaries.found.prometheus,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    for (const stream of [prometheus.stdout!, prometheus.stderr!]) {
      stream.setEncoding('utf8').on('data', (chunk: string) => {
        prometheusLog += chunk;
      });
    }
    await waitFor('Prometheus to be ready', async () =>
      (await fetch(`${api}/-/ready`)).ok ? true : undefined,
    );
  });

  after(async () => {
    if (prometheus !== undefined && prometheus.exitCode === null) {
      const exited = once(prometheus, 'exit');
      prometheus.kill('SIGTERM');
      await exited;
    }
    await app?.stop();
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('scrapes the endpoint with the token, and is refused without it', async () => {
    const targets = await waitFor('both targets to be scraped', async () => {
      const data = await get<{
        activeTargets: { labels: { job: string }; health: string; lastError: string }[];
      }>('/api/v1/targets');
      const health = Object.fromEntries(data.activeTargets.map((t) => [t.labels.job, t]));
      return health.app?.health === 'up' && health.intruder?.health === 'down' ? health : undefined;
    });
    assert.match(targets.intruder!.lastError, /401/);
    assert.equal(targets.app!.lastError, '');
  });

  it('holds plausible memory figures for the watched process', async () => {
    // Enough scrapes for rate() over the dashboard's window.
    await waitFor('three scrapes', async () => {
      const [scrapes] = (await query('count_over_time(up{job="app"}[1m])')).result;
      return Number(scrapes?.value[1]) >= 3 ? true : undefined;
    });
    const one = async (promql: string) => {
      const { result } = await query(promql);
      assert.equal(result.length, 1, `${promql}: one series (${JSON.stringify(result)})`);
      return Number(result[0]!.value[1]);
    };
    const rss = await one('process_resident_memory_bytes{job="app"}');
    assert.ok(rss > 20e6 && rss < 8e9, `RSS ${rss}`);
    const used = await one('nodejs_heap_size_used_bytes{job="app"}');
    const total = await one('nodejs_heap_size_total_bytes{job="app"}');
    const limit = await one('memwatcher_heap_limit_bytes{job="app"}');
    assert.ok(used > 1e6 && used <= total && total < limit, `used ${used}, total ${total}, limit ${limit}`);
    const spaces = await one('sum(nodejs_heap_space_size_used_bytes{job="app"})');
    assert.ok(
      Math.abs(spaces - used) / used < 0.5,
      `heap spaces ${spaces} add up to about heap used ${used}`,
    );
    const floor = await waitFor(
      'a heap floor',
      async () => (await query('memwatcher_heap_floor_bytes{job="app"}')).result[0],
    );
    assert.ok(Number(floor.value[1]) > 1e6 && Number(floor.value[1]) < limit);
    const statuses = (await query('memwatcher_leak_verdict{job="app"} == 1')).result;
    assert.equal(statuses.length, 1, 'exactly one verdict status at a time');
    const sessions = await one('memwatcher_class_objects{job="app", class="Session"}');
    assert.ok(sessions > 0, `Session objects counted: ${sessions}`);
  });

  it('has a GC pause histogram by kind that histogram_quantile can read', async () => {
    const counts = (await query('sum by (kind) (nodejs_gc_duration_seconds_count{job="app"})')).result;
    const byKind = Object.fromEntries(counts.map((r) => [r.metric.kind, Number(r.value[1])]));
    assert.deepEqual(Object.keys(byKind).sort(), ['incremental', 'major', 'minor', 'weakcb']);
    assert.ok(byKind.minor! > 0 && byKind.major! > 0, `GCs counted: ${JSON.stringify(byKind)}`);
    const buckets = (await query('count by (kind) (nodejs_gc_duration_seconds_bucket{job="app"})')).result;
    assert.ok(
      buckets.every((r) => Number(r.value[1]) === 13),
      'twelve bounds and +Inf per kind',
    );
    const p99 = await waitFor('a GC pause quantile', async () => {
      const { result } = await query(
        'histogram_quantile(0.99, sum by (le) (rate(nodejs_gc_duration_seconds_bucket{job="app",kind="minor"}[1m])))',
      );
      const value = Number(result[0]?.value[1]);
      return Number.isFinite(value) ? value : undefined;
    });
    assert.ok(p99 > 0 && p99 < 2.5, `minor GC p99 ${p99} s`);
  });

  it('evaluates every query of the shipped Grafana dashboard', async () => {
    const dashboard = JSON.parse(await readFile(join(root, 'examples/grafana-dashboard.json'), 'utf8')) as {
      panels: { title: string; targets?: { expr: string }[] }[];
    };
    const empty: string[] = [];
    let evaluated = 0;
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? []) {
        const promql = target.expr
          .replaceAll('$job', 'app')
          .replaceAll('$instance', '.*')
          .replaceAll('$__rate_interval', '1m');
        const { result } = await query(promql);
        evaluated++;
        if (result.length === 0) empty.push(`${panel.title}: ${target.expr}`);
      }
    }
    assert.ok(evaluated >= 15, `${evaluated} queries`);
    // Only figures that may rightly be absent: a leak culprit and a time to the limit need a leak
    // verdict and a growing heap; the program leaks, but the verdict may still be warming up.
    const mayBeEmpty = /memwatcher_leak_culprit|memwatcher_time_to_heap_limit_seconds|memwatcher_growth/;
    assert.deepEqual(
      empty.filter((line) => !mayBeEmpty.test(line)),
      [],
      'queries without data',
    );
  });

  it('loads and evaluates the shipped alerting rules, and the leak alert goes pending', async () => {
    const groups = await waitFor('the rules to be evaluated', async () => {
      const data = await get<{ groups: { rules: { name: string; health: string; lastError?: string }[] }[] }>(
        '/api/v1/rules',
      );
      const rules = data.groups.flatMap((g) => g.rules);
      return rules.length > 0 && rules.every((r) => r.health === 'ok') ? rules : undefined;
    });
    assert.deepEqual(groups.map((r) => r.name).sort(), [
      'MemwatcherFastGrowth',
      'MemwatcherHeapLimitImminent',
      'MemwatcherHeapLimitSoon',
      'MemwatcherLeak',
    ]);
    const alert = await waitFor('the leak alert', async () => {
      const data = await get<{ alerts: { labels: Record<string, string>; state: string }[] }>(
        '/api/v1/alerts',
      );
      return data.alerts.find((a) => a.labels.alertname === 'MemwatcherLeak');
    });
    assert.equal(alert.state, 'pending', 'pending for its 5 minutes');
    assert.equal(alert.labels.job, 'app');
    assert.equal(alert.labels.culprit, 'js-heap');
  });
});
