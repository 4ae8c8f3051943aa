/**
 * Whole-process verdict test: real Node programs run under `--import memwatcher/register`, report
 * over IPC, and must be judged right. Windows are shortened through the documented variables so the
 * test takes ~25 s; the leaky and the healthy program run at the same time.
 */
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type AgentMessage, isAgentMessage } from '../../src/agent/ipc-protocol.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const workload = fileURLToPath(new URL('./fixtures/workload.ts', import.meta.url));

const SHORT_WINDOWS = {
  MEMWATCHER_IPC: '1',
  MEMWATCHER_INTERVAL_MS: '200',
  MEMWATCHER_WINDOW_MS: '12000',
  MEMWATCHER_WARMUP_MS: '2000',
  MEMWATCHER_MIN_POINTS: '5',
  MEMWATCHER_CONFIDENCE: '0.95',
  MEMWATCHER_MIN_GROWTH: '10MB',
};

/** Runs the workload; resolves with its messages when it exits, or as soon as `stopWhen` holds. */
function watch(
  mode: string,
  durationMs: number,
  stopWhen: (m: AgentMessage) => boolean = () => false,
  env: Record<string, string> = {},
) {
  return new Promise<{ messages: AgentMessage[]; code: number | null; stderr: string }>((resolve, reject) => {
    const child = fork(workload, [mode, String(durationMs)], {
      cwd: root,
      // A young generation of fixed size: V8 otherwise grows it adaptively, and in some runs the
      // cache entries then die young, leaving 2 major GCs in 25 s instead of 10 to 20: the test
      // would measure V8's mood rather than the verdict. Production processes run for hours.
      execArgv: [
        '--max-semi-space-size=2',
        '--conditions=memwatcher-source',
        '--import',
        'memwatcher/register',
      ],
      env: { ...process.env, ...SHORT_WINDOWS, ...env },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const messages: AgentMessage[] = [];
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('message', (message) => {
      if (!isAgentMessage(message)) return;
      messages.push(message);
      if (stopWhen(message)) child.kill();
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ messages, code, stderr }));
  });
}

describe('leak verdict of real processes watched through memwatcher/register', () => {
  it('calls a program retaining ~1-2 MB/s a JS heap leak (and snapshots it), and a busy healthy one not', async () => {
    const snapshots = await mkdtemp(join(tmpdir(), 'memwatcher-leak-'));
    after(() => rm(snapshots, { recursive: true, force: true }));
    const [leaky, healthy] = await Promise.all([
      watch('leak', 28_000, (m) => m.type === 'snapshot', {
        MEMWATCHER_SNAPSHOT_DIR: snapshots,
        MEMWATCHER_SNAPSHOT_ON_LEAK: '1',
      }),
      watch('healthy', 22_000),
    ]);

    const leak = leaky.messages.find((m) => m.type === 'leak');
    const leakySummaries = leaky.messages.flatMap((m) => (m.type === 'verdict' ? [m.verdict.summary] : []));
    const leakyFloors = leaky.messages.flatMap((m) =>
      m.type === 'gc' && m.heapFloor !== null ? [m.heapFloor] : [],
    );
    assert.ok(
      leak !== undefined,
      `no leak verdict; floors ${leakyFloors}; verdicts:\n${leakySummaries.join('\n')}`,
    );
    assert.equal(leak.type, 'leak');
    assert.equal(leak.culprit, 'js-heap');
    assert.ok(leak.growthBytesPerMinute! > 10 * 1024 * 1024, String(leak.growthBytesPerMinute));
    assert.ok(leak.confidence! >= 0.95);
    assert.ok(leak.timeToHeapLimitMs! > 0);
    assert.match(leak.summary, /leak in JS heap/);

    // The opt-in snapshot on the leak verdict: announced after the verdict, a complete 0600 file.
    const snapshot = leaky.messages.find((m) => m.type === 'snapshot');
    assert.ok(snapshot?.type === 'snapshot', `no snapshot; stderr: ${leaky.stderr}`);
    assert.equal(snapshot.reason, 'leak');
    assert.ok(leaky.messages.indexOf(snapshot) > leaky.messages.indexOf(leak));
    const info = await stat(snapshot.file);
    assert.equal(info.mode & 0o777, 0o600);
    assert.equal(info.size, snapshot.bytes);
    assert.deepEqual(await readdir(snapshots), [snapshot.file.slice(snapshots.length + 1)]);

    assert.equal(healthy.code, 0, healthy.stderr);
    const verdicts = healthy.messages.filter((m) => m.type === 'verdict');
    assert.ok(
      !healthy.messages.some((m) => m.type === 'leak'),
      JSON.stringify(verdicts.map((m) => m.verdict.summary)),
    );
    // It was judged, not just left waiting for data: floors arrived and the heap was found stable.
    const floors = healthy.messages.filter((m) => m.type === 'gc' && m.heapFloor !== null);
    assert.ok(floors.length >= 5, `${floors.length} major GC floors`);
    assert.ok(
      verdicts.some((m) => m.verdict.heap.status === 'stable'),
      `floors ${floors.map((m) => m.type === 'gc' && m.heapFloor)}; verdicts:\n${verdicts.map((m) => m.verdict.summary).join('\n')}`,
    );
    assert.ok(healthy.messages.filter((m) => m.type === 'sample').length > 50);
    assert.equal(healthy.messages[0]!.type, 'hello');
  });
});
