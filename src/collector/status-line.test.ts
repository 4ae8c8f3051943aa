import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LeakVerdict } from '../agent/verdict.ts';
import type { WatchedProcess } from './collector.ts';
import { createStatusLine, describeStatus } from './status-line.ts';

const MB = 1024 * 1024;

const trend = (status: LeakVerdict['status'], growth?: number) => ({
  status,
  growthBytesPerMinute: growth,
  confidence: growth === undefined ? undefined : 0.99,
  points: 9,
  spanMs: 60_000,
  latestBytes: 10 * MB,
});

function watched(overrides: Partial<WatchedProcess> = {}): WatchedProcess {
  return {
    pid: 4242,
    method: 'agent',
    time: 0,
    rss: 61.5 * MB,
    rssPeak: null,
    heapUsed: 18 * MB,
    heapFloor: 12 * MB,
    processes: 1,
    verdict: {
      time: 0,
      status: 'growing',
      leaking: false,
      culprit: undefined,
      heap: trend('growing', 1.5 * MB),
      external: trend('stable', 0),
      rss: trend('stable', 0),
      native: trend('stable', 0),
      heapLimit: 4096 * MB,
      timeToHeapLimitMs: undefined,
      summary: 'growing',
    },
    leakCalled: false,
    ...overrides,
  };
}

describe('describeStatus', () => {
  it('shows RSS, heap, floor, growth of the judged figure and the verdict', () => {
    assert.equal(
      describeStatus(watched()),
      'memwatcher: pid 4242  RSS 61.5 MB  heap 18.0 MB  floor 12.0 MB  +1.5 MB/min  growing',
    );
  });

  it('shows RSS growth for a process watched from outside, and the size of a tree', () => {
    const base = watched().verdict!;
    const text = describeStatus(
      watched({
        method: 'proc',
        heapUsed: null,
        heapFloor: null,
        processes: 3,
        verdict: { ...base, status: 'leak', leaking: true, culprit: 'native', native: trend('leak', 2 * MB) },
      }),
    );
    assert.equal(text, 'memwatcher: pid 4242  RSS 61.5 MB (3 processes)  +2.0 MB/min  LEAK');
  });
});

describe('createStatusLine', () => {
  const ESC = '\u001b';

  function fakeTerminal(isTTY: boolean, columns = 120, rows = 30) {
    const writes: string[] = [];
    const resize: (() => void)[] = [];
    const exit: (() => void)[] = [];
    const stream = {
      isTTY,
      columns,
      rows,
      write: (text: string) => writes.push(text) > 0,
      on: (_event: 'resize', listener: () => void) => resize.push(listener),
      off: (_event: 'resize', listener: () => void) => resize.splice(resize.indexOf(listener), 1),
    };
    const exitHooks = {
      on: (_event: 'exit', listener: () => void) => exit.push(listener),
      off: (_event: 'exit', listener: () => void) => exit.splice(exit.indexOf(listener), 1),
    };
    return { writes, stream, resize, exit, exitHooks };
  }

  it('draws nothing but `say` lines when stderr is not a terminal', () => {
    const { writes, stream, exitHooks } = fakeTerminal(false);
    const status = createStatusLine({ stream, quiet: false, exitHooks });
    status.update(watched());
    status.say('memwatcher: LEAK');
    status.stop();
    assert.deepEqual(writes, ['memwatcher: LEAK\n']);
  });

  it('keeps the bottom row out of the scrolling region and draws there, at most 4 times a second', () => {
    const { writes, stream, exitHooks, exit } = fakeTerminal(true, 40, 30);
    let now = 0;
    const status = createStatusLine({ stream, quiet: false, now: () => now, exitHooks });
    for (; now < 1000; now += 50) status.update(watched());
    assert.equal(writes[0], `\n${ESC}[1A${ESC}7${ESC}[1;29r${ESC}8`, 'rows 1–29 scroll, row 30 is ours');
    const draws = writes.slice(1);
    assert.equal(draws.length, 4);
    for (const draw of draws) {
      assert.ok(draw.startsWith(`${ESC}7${ESC}[30;1H${ESC}[2K`), JSON.stringify(draw));
      assert.ok(draw.endsWith(`${ESC}8`), 'the cursor goes back where the program writes');
      assert.ok(!draw.includes('\n'));
      assert.equal(
        draw.length - `${ESC}7${ESC}[30;1H${ESC}[2K`.length - `${ESC}8`.length,
        39,
        'cut to the width',
      );
    }
    assert.equal(exit.length, 1, 'a last-chance cleanup is registered');
    status.stop();
    assert.equal(writes.at(-1), `${ESC}7${ESC}[r${ESC}[30;1H${ESC}[2K${ESC}8`, 'region reset, row cleared');
    assert.equal(exit.length, 0);
    status.stop();
    assert.equal(writes.length, 6, 'a second stop writes nothing');
  });

  it('prints `say` lines where the program writes, leaving the status row alone', () => {
    const { writes, stream, exitHooks } = fakeTerminal(true);
    const status = createStatusLine({ stream, quiet: false, now: () => 0, exitHooks });
    status.update(watched());
    writes.length = 0;
    status.say('memwatcher: alert');
    assert.deepEqual(writes, ['memwatcher: alert\n']);
  });

  it('takes the row again at the new size when the terminal is resized', () => {
    const { writes, stream, resize, exitHooks } = fakeTerminal(true, 120, 30);
    const status = createStatusLine({ stream, quiet: false, now: () => 0, exitHooks });
    status.update(watched());
    writes.length = 0;
    stream.rows = 50;
    for (const listener of resize) listener();
    assert.equal(writes[0], `${ESC}7${ESC}[r${ESC}[30;1H${ESC}[2K${ESC}8`);
    assert.equal(writes[1], `\n${ESC}[1A${ESC}7${ESC}[1;49r${ESC}8`);
    assert.ok(writes[2]?.startsWith(`${ESC}7${ESC}[50;1H`));
  });

  it('gives the region back if the process exits without stop (a second Ctrl-C)', () => {
    const { writes, stream, exit, exitHooks } = fakeTerminal(true);
    const status = createStatusLine({ stream, quiet: false, now: () => 0, exitHooks });
    status.update(watched());
    for (const listener of exit) listener();
    assert.equal(writes.at(-1), `${ESC}7${ESC}[r${ESC}[30;1H${ESC}[2K${ESC}8`);
  });

  it('draws nothing with --quiet, or on a terminal too small for a row of its own', () => {
    for (const [quiet, rows] of [
      [true, 30],
      [false, 2],
    ] as const) {
      const { writes, stream, exitHooks } = fakeTerminal(true, 80, rows);
      const status = createStatusLine({ stream, quiet, exitHooks });
      status.update(watched());
      status.stop();
      assert.deepEqual(writes, []);
    }
  });
});
