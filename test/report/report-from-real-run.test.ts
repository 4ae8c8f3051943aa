/**
 * A report from a real watched process: a Node program run under `--import memwatcher/register`
 * reports over IPC, and its messages — exactly as the agent sends them — become a report in every
 * form. Catches drift between the agent's protocol and the report model. ~6 s.
 */
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type AgentMessage, isAgentMessage } from '../../src/agent/ipc-protocol.ts';
import { renderChart } from '../../src/report/chart.ts';
import { reportModelFromMessages } from '../../src/report/model-from-messages.ts';
import { renderReportHtml } from '../../src/report/report-html.ts';
import { renderReportJson } from '../../src/report/report-json.ts';
import { renderReportText } from '../../src/report/report-text.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const app = fileURLToPath(new URL('./fixtures/watched-app.ts', import.meta.url));

function watch(durationMs: number) {
  return new Promise<{ messages: AgentMessage[]; code: number | null }>((resolve, reject) => {
    const child = fork(app, [String(durationMs)], {
      cwd: root,
      execArgv: ['--conditions=memwatcher-source', '--expose-gc', '--import', 'memwatcher/register'],
      env: {
        ...process.env,
        MEMWATCHER_IPC: '1',
        MEMWATCHER_INTERVAL_MS: '100',
        MEMWATCHER_WARMUP_MS: '1000',
        MEMWATCHER_WINDOW_MS: '4000',
        MEMWATCHER_MIN_POINTS: '5',
        MEMWATCHER_ALERT_HEAP_USED: '1MB',
        MEMWATCHER_ALERT_INTERVAL_MS: '2000',
      },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const messages: AgentMessage[] = [];
    child.on('message', (message) => {
      if (isAgentMessage(message)) messages.push(message);
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ messages, code }));
  });
}

describe('report from a real watched run', { timeout: 60_000 }, () => {
  it('turns the agent’s messages into a report with samples, GC pauses, verdicts and alerts in every form', async () => {
    const { messages, code } = await watch(5000);
    assert.equal(code, 0);
    assert.equal(messages[0]?.type, 'hello', 'the agent watched the program (see its stderr above if not)');
    const model = reportModelFromMessages(messages, { exitCode: code });

    assert.equal(model.run.watchedBy, 'agent');
    assert.match(model.run.nodeVersion ?? '', /^v\d+\./);
    assert.ok(model.run.command.some((arg) => arg.endsWith('watched-app.ts')));
    assert.ok(model.samples.length >= 20, `${model.samples.length} samples`);
    for (const sample of model.samples) {
      assert.ok(
        sample.rss > 0 && sample.heapUsed !== null && sample.heapUsed > 0 && sample.rss > sample.heapUsed,
      );
    }
    assert.ok(model.gcPauses.length >= 5, `major GCs reported one by one: ${model.gcPauses.length}`);
    assert.ok(model.gcPauses.every((pause) => pause.kind === 'major' && pause.durationMs > 0));
    assert.ok(model.verdicts.length > 0);
    assert.ok(
      model.alerts.some((alert) => alert.rule === 'heapUsedAbove'),
      'the 1 MB heap alert fired',
    );

    const text = renderReportText(model, { color: false });
    assert.match(text, /heap floor after GC +[\d.]+ [kMG]B/);
    assert.match(text, /Alerts \(\d+, \d+ critical\)/);

    const json = JSON.parse(renderReportJson(model));
    assert.equal(json.memory.samples.length, model.samples.length);
    assert.ok(json.gc.collections > json.gc.byKind[0].count, 'totals count minor GCs too');

    const html = await renderReportHtml(model);
    assert.equal(
      (html.match(/<svg[^>]*class="marks"/g) ?? []).length,
      3,
      'memory (wide and narrow) and GC charts',
    );
    const png = await renderChart(model, { chart: 'memory', format: 'png', scale: 1 });
    assert.ok(Buffer.isBuffer(png?.contents) && png.contents.length > 10_000);
  });
});
