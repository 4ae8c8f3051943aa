/**
 * Prometheus' own checker on what memwatcher writes: `promtool check metrics` (parser and linter:
 * naming, units, HELP, histogram series) on a live scrape of a watched program and on a fleet
 * exposition, `promtool check rules` and `promtool test rules` on the shipped alerting rules.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { agentMessage } from '../../src/agent/ipc-protocol.ts';
import { FleetMetrics } from '../../src/metrics/fleet-metrics.ts';
import { prometheusBinaries, root, run, type ServedApp, startServedApp } from './support.ts';

const binaries = prometheusBinaries();

describe('promtool', { skip: binaries.skip }, () => {
  let promtool = '';
  let app: ServedApp | undefined;
  before(async () => {
    if (!('found' in binaries)) assert.fail(`CI is set but ${binaries.missing}`);
    promtool = binaries.found.promtool;
    app = await startServedApp('leak');
  });
  after(async () => {
    await app?.stop();
  });

  const check = async (text: string) => {
    const result = await run(promtool, ['check', 'metrics'], { input: text });
    assert.equal(`${result.stdout}${result.stderr}`.trim(), '', 'promtool finds nothing to say');
    assert.equal(result.code, 0);
  };

  it('finds no problem in a live scrape of a watched program', async () => {
    const response = await fetch(app!.url, { headers: { authorization: `Bearer ${app!.token}` } });
    const text = await response.text();
    assert.match(text, /^nodejs_gc_duration_seconds_bucket\{kind="minor",le="\+Inf"\} \d+$/m);
    assert.match(text, /^memwatcher_class_objects\{class="Session"\} \d+$/m);
    await check(text);
  });

  it('finds no problem in the exposition of several processes with awkward commands', async () => {
    const fleet = new FleetMetrics();
    const hello = (pid: number, argv: string[]) => ({
      ...agentMessage(
        { type: 'hello', argv, nodeVersion: 'v24', intervalMs: 1000, heapLimit: 4e9 } as never,
        1,
      ),
      pid,
    });
    fleet.accept(hello(10, ['/usr/bin/node', '/srv/app/we"ird\\na\nme.js']));
    fleet.accept({
      ...agentMessage(
        {
          type: 'sample',
          rss: 5e7,
          heapTotal: 2e7,
          heapUsed: 1e7,
          external: 1e6,
          arrayBuffers: 1e5,
          heapLimit: 4e9,
          heapFloor: 9e6,
          gcPauseMs: 2,
          gcCount: 3,
          gcShare: 0.01,
          nativeContexts: 1,
          detachedContexts: 0,
          heapSpaces: [{ name: 'old_space', size: 1e7, used: 9e6 }],
        } as never,
        2,
      ),
      pid: 10,
    });
    fleet.accept({
      ...agentMessage(
        { type: 'gc', kind: 'major', durationMs: 8, heapFloor: 9e6, externalFloor: 1e6 } as never,
        3,
      ),
      pid: 10,
    });
    const text = await fleet.render();
    assert.ok(
      text.includes('command="node we\\"ird\\\\na\\nme.js"'),
      'quote, backslash and line feed escaped',
    );
    await check(text);
  });

  it('reports a broken exposition (the check can fail)', async () => {
    const result = await run(promtool, ['check', 'metrics'], { input: '# TYPE x_ms counter\nx_ms 1\n' });
    assert.notEqual(result.code, 0);
  });

  it('accepts the shipped alerting rules, and their unit tests pass', async () => {
    const rules = await run(promtool, ['check', 'rules', join(root, 'examples/prometheus-alerts.yml')]);
    assert.equal(rules.code, 0, rules.stdout + rules.stderr);
    assert.match(rules.stdout, /SUCCESS: 4 rules found/);
    const tests = await run(promtool, ['test', 'rules', 'alerts.test.yml'], {
      cwd: join(root, 'test/metrics/fixtures'),
    });
    assert.equal(tests.code, 0, tests.stdout + tests.stderr);
    assert.match(tests.stdout, /SUCCESS/);
  });
});
