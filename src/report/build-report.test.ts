import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildReport } from './build-report.ts';
import type { GcPause, MemoryPoint, ReportModel } from './report-model.ts';
import { memoryPoint, SECRET_KEY, SECRET_VALUE, START, sampleModel } from './sample-model.fixture.ts';

function withData(samples: MemoryPoint[], gcPauses: GcPause[] = []): ReportModel {
  const model = sampleModel({ withoutHeap: true });
  return {
    ...model,
    run: { ...model.run, endedAt: START + 10_000 },
    samples,
    gcPauses,
    verdicts: [],
    alerts: [],
  };
}

describe('buildReport', () => {
  it('gives first, last, min and peak (with its time) of each measured figure, and leaves unmeasured ones out', () => {
    const report = buildReport(
      withData([
        memoryPoint(START + 2000, 300, { heapFloor: 50 }),
        memoryPoint(START, 100),
        memoryPoint(START + 1000, 500, { heapFloor: 40 }),
        memoryPoint(START + 3000, 200, { heapFloor: 60 }),
      ]),
    );
    assert.deepEqual(report.memory.figures.rss, {
      first: 100,
      last: 200,
      min: 100,
      peak: 500,
      peakAt: START + 1000,
    });
    // The floor is null before the first major GC: it starts at the first known value.
    assert.deepEqual(report.memory.figures.heapFloor, {
      first: 40,
      last: 60,
      min: 40,
      peak: 60,
      peakAt: START + 3000,
    });
    assert.equal(report.memory.figures.heapUsed, undefined);
    assert.deepEqual(
      report.memory.samples.map((sample) => sample.time),
      [START, START + 1000, START + 2000, START + 3000],
    );
  });

  it('sums GC totals from the samples and computes pause share over the run', () => {
    const report = buildReport(
      withData([
        memoryPoint(START, 1, { gcCount: 10, gcPauseMs: 100 }),
        memoryPoint(START + 5000, 1, { gcCount: 5, gcPauseMs: 400 }),
      ]),
    );
    assert.equal(report.gc.collections, 15);
    assert.equal(report.gc.pauseMs, 500);
    assert.equal(report.run.durationMs, 10_000);
    assert.equal(report.gc.pauseShare, 0.05);
  });

  it('has no GC totals when the samples carry none (a process watched from outside)', () => {
    const report = buildReport(withData([memoryPoint(START, 1), memoryPoint(START + 1000, 2)]));
    assert.equal(report.gc.collections, null);
    assert.equal(report.gc.pauseShare, null);
    assert.deepEqual(report.gc.byKind, []);
    assert.deepEqual(report.gc.histogram, []);
  });

  it('gives per-kind pause quantiles and a histogram whose bins hold every pause once', () => {
    const durations = [0.2, 0.7, 1.5, 3, 7, 15, 30, 70, 150, 300, 900];
    const pauses: GcPause[] = durations.map((durationMs, i) => ({
      time: START + i,
      kind: 'major',
      durationMs,
    }));
    pauses.push(
      { time: START, kind: 'minor', durationMs: 0.4 },
      { time: START + 1, kind: 'minor', durationMs: 0.6 },
    );
    const report = buildReport(withData([memoryPoint(START, 1)], pauses));
    const major = report.gc.byKind.find((kind) => kind.kind === 'major')!;
    assert.equal(major.count, 11);
    assert.equal(major.medianMs, 15);
    assert.equal(major.maxMs, 900);
    // p95 of 11 sorted values: position 9.5, between 300 and 900.
    assert.equal(major.p95Ms, 600);
    const majorBins = report.gc.histogram.filter((bin) => bin.kind === 'major');
    assert.deepEqual(
      majorBins.map((bin) => [bin.label, bin.count]),
      [
        ['<0.5', 1],
        ['0.5–1', 1],
        ['1–2', 1],
        ['2–5', 1],
        ['5–10', 1],
        ['10–20', 1],
        ['20–50', 1],
        ['50–100', 1],
        ['100–200', 1],
        ['200–500', 1],
        ['≥500', 1],
      ],
    );
    const minorBins = report.gc.histogram.filter((bin) => bin.kind === 'minor');
    assert.equal(
      minorBins.reduce((sum, bin) => sum + bin.count, 0),
      2,
    );
    assert.equal(minorBins.find((bin) => bin.label === '0.5–1')?.count, 1);
  });

  it('ends the histogram at the longest pause instead of showing empty bins up to 500 ms', () => {
    const report = buildReport(
      withData([memoryPoint(START, 1)], [{ time: START, kind: 'major', durationMs: 12 }]),
    );
    assert.deepEqual(
      report.gc.histogram.map((bin) => bin.label),
      ['<0.5', '0.5–1', '1–2', '2–5', '5–10', '10–20'],
    );
  });

  it('names the final verdict and when the leak was first called', () => {
    const report = buildReport(sampleModel({ leaking: true }));
    assert.equal(report.verdict.final?.status, 'leak');
    assert.equal(report.verdict.leakCalledAt, START + 15_000);
    const healthy = buildReport(sampleModel({ leaking: false }));
    assert.equal(healthy.verdict.final?.status, 'stable');
    assert.equal(healthy.verdict.leakCalledAt, null);
  });

  it('is JSON-safe and carries no planted secret', () => {
    const report = buildReport(sampleModel());
    const json = JSON.stringify(report);
    assert.deepEqual(JSON.parse(json), report);
    assert.equal(json.includes(SECRET_VALUE), false);
    assert.equal(json.includes(SECRET_KEY), false);
    assert.equal(report.format, 'memwatcher-report');
    assert.equal(report.version, 1);
  });
});
