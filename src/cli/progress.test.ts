import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProgress, describeProgress } from './progress.ts';

function fakeStream(isTTY: boolean, columns = 80) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns, write: (text: string) => writes.push(text) > 0 } };
}

function fakeClock() {
  let time = 1000;
  return { now: () => time, advance: (ms: number) => (time += ms) };
}

describe('createProgress', () => {
  it('draws nothing when stderr is not a TTY', () => {
    const { writes, stream } = fakeStream(false);
    const progress = createProgress({ stream, quiet: false, snapshotCount: 1 });
    progress.update({ snapshot: 0, phase: 'parse', done: 1, total: 2 });
    progress.stop();
    assert.deepEqual(writes, []);
  });

  it('draws nothing with --quiet on a TTY', () => {
    const { writes, stream } = fakeStream(true);
    const progress = createProgress({ stream, quiet: true, snapshotCount: 1 });
    progress.update({ snapshot: 0, phase: 'parse', done: 1, total: 2 });
    progress.stop();
    assert.deepEqual(writes, []);
  });

  it('redraws one line at most every 100 ms and clears it on stop', () => {
    const { writes, stream } = fakeStream(true);
    const clock = fakeClock();
    const progress = createProgress({ stream, quiet: false, snapshotCount: 2, now: clock.now });
    for (let i = 0; i <= 50; i++) {
      progress.update({ snapshot: 0, phase: 'parse', done: i * 1000, total: 50_000 });
      clock.advance(10);
    }
    // 51 updates over 500 ms: drawn at 0, 100, 200, 300, 400, 500 ms.
    assert.equal(writes.length, 6);
    for (const line of writes) {
      assert.ok(line.startsWith('\r'), JSON.stringify(line));
      assert.ok(!line.includes('\n'), 'a single line, never a newline');
    }
    progress.stop();
    assert.equal(writes.at(-1), '\r\u001b[K');
    progress.stop();
    assert.equal(writes.length, 7, 'a second stop writes nothing');
  });

  it('does not clear what it never drew', () => {
    const { writes, stream } = fakeStream(true);
    createProgress({ stream, quiet: false, snapshotCount: 1 }).stop();
    assert.deepEqual(writes, []);
  });

  it('cuts the line to the terminal width so \\r can redraw it', () => {
    const { writes, stream } = fakeStream(true, 30);
    const progress = createProgress({ stream, quiet: false, snapshotCount: 3, now: fakeClock().now });
    progress.update({ snapshot: 2, phase: 'retained sizes', done: 5, total: 10 });
    const visible = (writes[0] ?? '').replace('\r', '').replace('\u001b[K', '');
    assert.equal(visible.length, 29);
  });
});

it('treats a terminal of unknown size (0 columns) as 80 wide', () => {
  const { writes, stream } = fakeStream(true, 0);
  const progress = createProgress({ stream, quiet: false, snapshotCount: 3, now: fakeClock().now });
  progress.update({ snapshot: 2, phase: 'retained sizes', done: 5, total: 10 });
  assert.match(writes[0] ?? '', /retained sizes {2}50%/);
});

describe('describeProgress', () => {
  it('shows snapshot, phase, percentage, parse rate and elapsed time', () => {
    const text = describeProgress(
      { snapshot: 1, phase: 'parse', done: 50_000_000, total: 200_000_000 },
      3,
      500,
      2500,
    );
    assert.equal(text, 'memwatcher: snapshot 2/3  parse  25%  100.0 MB/s  2.5s');
  });

  it('shows no rate outside parsing', () => {
    const text = describeProgress({ snapshot: 0, phase: 'dominators', done: 3, total: 4 }, 1, 500, 1000);
    assert.equal(text, 'memwatcher: snapshot 1/1  dominators  75%  1.0s');
  });
});
