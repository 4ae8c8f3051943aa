import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { RunReport } from './run-report.ts';
import { FIXTURE_START, outsideRunEvents } from './sinks.fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'memwatcher-run-report-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const END = {
  command: ['python3', 'app.py'],
  exitCode: 0,
  signal: null,
  endedAt: FIXTURE_START + 20_500,
  intervalMs: 250,
};

describe('RunReport', () => {
  it('models a run watched from outside: RSS only, the verdicts judged on it, memwatcher’s alerts', async () => {
    const report = new RunReport(321);
    for (const event of outsideRunEvents()) report.keep(event);
    // Another process' samples are not this report's.
    for (const event of outsideRunEvents(999)) report.keep(event);
    const model = await report.model(END);
    assert.equal(model.run.watchedBy, 'proc');
    assert.equal(model.run.pid, 321);
    assert.equal(model.run.exitCode, 0);
    assert.equal(model.run.startedAt, FIXTURE_START);
    assert.equal(model.samples.length, 81);
    assert.ok(model.samples.every((sample) => sample.heapUsed === null && sample.rss > 0));
    assert.equal(model.verdicts.at(-1)?.status, 'leak');
    assert.equal(model.verdicts.at(-1)?.culprit, 'native');
    assert.deepEqual(
      model.alerts.map((alert) => alert.rule),
      ['leak'],
      'its own alert, not the other process’ one',
    );
  });

  it('writes the HTML report', async () => {
    const report = new RunReport(321);
    for (const event of outsideRunEvents()) report.keep(event);
    const file = join(dir, 'report.html');
    await report.write(file, END);
    const html = readFileSync(file, 'utf8');
    assert.match(html, /^<!doctype html>/i);
    assert.match(html, /watched from outside/);
    await assert.rejects(report.write(join(dir, 'no', 'report.html'), END), { code: 'ERR_FILE_ACCESS' });
  });
});
