import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import type { AnalysisProgress } from '../../src/agent/analysis-types.ts';
import {
  envWithoutPreloads,
  runHeapAnalysis,
  runHeapWorker,
  workerExecArgv,
} from '../../src/agent/analysis-worker.ts';

const standIn = new URL('./fixtures/stand-in-heap-worker.ts', import.meta.url);
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const analyze = (scenario: string, options = {}) =>
  runHeapWorker(standIn, { kind: 'analyze', files: [scenario] }, { maxHeapMb: 64, ...options });

test('progress messages reach onProgress, then the result resolves', async () => {
  const progress: AnalysisProgress[] = [];
  const result = await analyze('progress-then-result', {
    onProgress: (step: AnalysisProgress) => progress.push(step),
  });
  assert.deepEqual(
    progress.map((step) => step.done),
    [1, 2, 3],
  );
  assert.equal(result.summary[0]?.name, 'Session');
  assert.equal(result.summary[0]?.count, 7);
});

test('a throwing onProgress does not stop the analysis', async () => {
  const result = await analyze('progress-then-result', {
    onProgress: () => {
      throw new Error('user bug');
    },
  });
  assert.equal(result.summary.length, 1);
});

test('retainerPath requests resolve to the steps', async () => {
  const path = await runHeapWorker(standIn, {
    kind: 'retainerPath',
    file: 'retainer-path',
    nodeId: 4_294_967_301,
  });
  assert.equal(path?.[0]?.nodeId, 4_294_967_301, 'ids above 2^32 survive the trip');
});

test('an engine error keeps its code', async () => {
  await assert.rejects(analyze('engine-error'), { code: 'ERR_SNAPSHOT_TRUNCATED', message: /ends early/ });
});

test('a worker that runs out of memory rejects with ERR_ANALYSIS_OUT_OF_MEMORY', async () => {
  await assert.rejects(analyze('out-of-memory', { maxHeapMb: 16 }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'ERR_ANALYSIS_OUT_OF_MEMORY');
    assert.match(error.message, /16 MB/);
    return true;
  });
});

test('crashes, early exits and malformed answers are coded errors', async () => {
  await assert.rejects(analyze('throws'), { code: 'ERR_ANALYSIS_CRASHED', message: /engine bug/ });
  await assert.rejects(analyze('exits'), { code: 'ERR_ANALYSIS_CRASHED', message: /code 3/ });
  await assert.rejects(analyze('bad-result'), { code: 'ERR_ANALYSIS_CRASHED' });
  await assert.rejects(
    runHeapWorker(new URL('./fixtures/no-such-worker.ts', import.meta.url), {
      kind: 'analyze',
      files: ['x'],
    }),
    { code: 'ERR_ANALYSIS_UNAVAILABLE' },
  );
});

test('abort terminates a running worker and rejects with ERR_ABORTED', async () => {
  const controller = new AbortController();
  const running = analyze('hang', { signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(running, { code: 'ERR_ABORTED' });
  await assert.rejects(analyze('hang', { signal: AbortSignal.abort() }), { code: 'ERR_ABORTED' });
});

test('bad requests are rejected before a worker starts', async () => {
  await assert.rejects(runHeapWorker(standIn, { kind: 'analyze', files: [] }), {
    code: 'ERR_INVALID_OPTION',
  });
  await assert.rejects(runHeapWorker(standIn, { kind: 'retainerPath', file: 'x', nodeId: -1 }), {
    code: 'ERR_INVALID_OPTION',
  });
});

test('a pending analysis does not keep the host alive', () => {
  const child = spawnSync(process.execPath, [fixture('analysis-host.ts'), 'hang'], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(child.signal, null, 'the host exited by itself');
  assert.equal(child.status, 0, child.stderr);
  assert.deepEqual(JSON.parse(child.stdout.trim().split('\n')[0] ?? ''), { started: true });
});

test("the worker runs none of the host's preloads, from the command line or NODE_OPTIONS", () => {
  const child = spawnSync(
    process.execPath,
    ['--import', fixture('preload-marker.mjs'), '--no-warnings', fixture('analysis-host.ts'), 'environment'],
    {
      encoding: 'utf8',
      env: {
        ...process.env,
        NODE_OPTIONS: `--import "${fixture('preload-marker.mjs')}" --stack-trace-limit=20`,
      },
    },
  );
  assert.equal(child.status, 0, child.stderr);
  const outcome = JSON.parse(child.stdout) as {
    ok: boolean;
    result: { execArgv: string[]; nodeOptions: string | null; preloads: string[] };
  };
  assert.equal(outcome.ok, true);
  assert.deepEqual(outcome.result.preloads, []);
  assert.deepEqual(outcome.result.execArgv, ['--no-warnings']);
  assert.equal(outcome.result.nodeOptions, '--stack-trace-limit=20');
});

test('the worker keeps only the host flags it may need', () => {
  assert.deepEqual(
    workerExecArgv([
      '--import',
      'a.mjs',
      '--require=b',
      '-r',
      'c',
      '--max-old-space-size=100',
      '--conditions',
      'memwatcher-source',
      '--disable-warning=ExperimentalWarning',
      '--experimental-strip-types',
    ]),
    [
      '--conditions',
      'memwatcher-source',
      '--disable-warning=ExperimentalWarning',
      '--experimental-strip-types',
    ],
  );
  assert.equal(
    envWithoutPreloads({ NODE_OPTIONS: '--max-old-space-size=100 --import "/a b/c.mjs" --require=x' })
      .NODE_OPTIONS,
    '--max-old-space-size=100',
  );
  const untouched = { NODE_OPTIONS: '--trace-gc' };
  assert.equal(envWithoutPreloads(untouched), untouched);
});

test('runHeapAnalysis runs the real engine (src/heap/worker.ts): its coded errors come through', async () => {
  await assert.rejects(
    runHeapAnalysis({ kind: 'analyze', files: [fixture('preload-marker.mjs')] }),
    (error: Error & { code?: string }) => {
      assert.ok(
        error.code?.startsWith('ERR_SNAPSHOT_'),
        `the engine rejected a non-snapshot with ${error.code}`,
      );
      return true;
    },
  );
});
