import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { AnalysisResult } from '../heap/types.ts';
import { openHistoryReader } from '../store/index.ts';
import { FIXTURE_START, outsideRunEvents } from './sinks.fixture.ts';
import { StoreSink } from './store-sink.ts';

const dir = mkdtempSync(join(tmpdir(), 'memwatcher-store-sink-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ANALYSIS: AnalysisResult = {
  snapshots: [{ file: 'a.heapsnapshot', nodeCount: 1, edgeCount: 0, totalSize: 10 }],
  summary: [],
  largest: [],
  suspects: [],
} as unknown as AnalysisResult;

describe('StoreSink', () => {
  it('stores a run watched from outside: samples, verdicts, the leak, alerts, analyses, the end', () => {
    const file = join(dir, 'history.db');
    const errors: Error[] = [];
    const sink = StoreSink.open(file, {
      mode: 'run',
      argv: ['python3', 'app.py'],
      startedAt: FIXTURE_START,
      onError: (e) => errors.push(e),
    });
    const events = outsideRunEvents();
    for (const event of events.slice(0, -1)) sink.write(event);
    sink.write({
      type: 'analysis',
      source: 'collector',
      time: FIXTURE_START + 20_100,
      pid: 321,
      files: ['a.heapsnapshot'],
      durationMs: 12,
      suspectCount: 0,
      result: ANALYSIS,
    });
    sink.write(events.at(-1)!);
    assert.equal(sink.close(), true);
    assert.deepEqual(errors, []);

    const reader = openHistoryReader(file);
    try {
      const [run] = reader.runs();
      assert.ok(run !== undefined);
      assert.equal(run.mode, 'run');
      assert.deepEqual(run.argv, ['python3', 'app.py']);
      assert.equal(run.startedAt, FIXTURE_START);
      assert.equal(run.endedAt, FIXTURE_START + 20_500);
      assert.equal(run.exitCode, 0);
      const series = reader.samples(run.id, { pid: 321 });
      assert.equal(
        series.points.reduce((sum, point) => sum + point.samples, 0),
        81,
      );
      assert.ok(series.points.every((point) => point.threads?.max === 3 && point.heapUsed === null));
      const verdicts = reader.verdicts(run.id);
      assert.equal(verdicts.filter((verdict) => verdict.leakEvent).length, 1);
      assert.equal(verdicts.at(-1)?.verdict.status, 'leak');
      assert.equal(reader.alerts(run.id)[0]?.alert.rule, 'leak');
      assert.deepEqual(reader.analyses(run.id)[0]?.files, ['a.heapsnapshot']);
    } finally {
      reader.close();
    }
  });

  it('ends a run that got no exit event when it closes', () => {
    const file = join(dir, 'unended.db');
    const sink = StoreSink.open(file, { mode: 'watch', argv: ['x'], onError: () => {} });
    sink.close();
    const reader = openHistoryReader(file);
    try {
      assert.ok(reader.runs()[0]?.endedAt !== null);
    } finally {
      reader.close();
    }
  });

  it('refuses a path it cannot use with a FileAccessError', () => {
    assert.throws(
      () => StoreSink.open(join(dir, 'missing', 'dir', 'h.db'), { mode: 'run', argv: [], onError: () => {} }),
      { code: 'ERR_FILE_ACCESS', message: /cannot use .* as the history store/ },
    );
  });
});
