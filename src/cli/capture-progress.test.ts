import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCaptureProgress } from './capture-progress.ts';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 100, write: (text: string) => writes.push(text) > 0 } };
}

describe('createCaptureProgress', () => {
  it('draws on a terminal at most 10 times a second, then erases its line', () => {
    const { writes, stream } = fakeStream(true);
    let now = 0;
    const progress = createCaptureProgress(stream, { quiet: false, label: 'process 42', now: () => now });
    progress.update({ phase: 'snapshot', done: 50, total: 200 });
    now = 50;
    progress.update({ phase: 'snapshot', done: 100, total: 200 });
    now = 1500;
    progress.update({ phase: 'write', done: 2_500_000, total: 0 });
    progress.stop();
    progress.stop();
    assert.deepEqual(writes, [
      '\rmemwatcher: heap snapshot of process 42  walking the heap  25%  0.0s\u001b[K',
      '\rmemwatcher: heap snapshot of process 42  writing  2.5 MB  1.5s\u001b[K',
      '\r\u001b[K',
    ]);
  });

  it('draws nothing when piped or quiet', () => {
    for (const [isTTY, quiet] of [
      [false, false],
      [true, true],
    ] as const) {
      const { writes, stream } = fakeStream(isTTY);
      const progress = createCaptureProgress(stream, { quiet, label: 'process 42' });
      progress.update({ phase: 'snapshot', done: 1, total: 2 });
      progress.stop();
      assert.deepEqual(writes, []);
    }
  });
});
