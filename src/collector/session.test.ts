import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { WatchSession } from './session.ts';
import { FIXTURE_START, sampleAt } from './sinks.fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'memwatcher-session-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const MB = 1024 * 1024;

function fakeStderr() {
  const lines: string[] = [];
  return { lines, stream: { isTTY: false, write: (text: string) => lines.push(text) > 0 } };
}

async function openSession(name: string, extra: Partial<Parameters<typeof WatchSession.open>[0]> = {}) {
  const stderr = fakeStderr();
  const events = join(dir, `${name}.ndjson`);
  const session = await WatchSession.open({
    mode: 'watch',
    command: ['python3', 'app.py'],
    collector: {
      intervalMs: 250,
      leak: { windowMs: 10_000, warmupMs: 1000, minPoints: 5, confidence: 0.95, minGrowthBytesPerMinute: MB },
    },
    events,
    stderr: stderr.stream,
    quiet: false,
    color: false,
    now: () => FIXTURE_START,
    ...extra,
  });
  const read = () =>
    readFileSync(events, 'utf8')
      .trimEnd()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { type: string; pid: number });
  return { session, stderr, read };
}

describe('WatchSession', () => {
  it('frames the events with start and exit, says leaks, and sums up at the end', async () => {
    const { session, stderr, read } = await openSession('framed', {
      onLeakSnapshots: { dir: join(dir, 'snapshots'), intervalMs: 1000 },
    });
    session.begin(321, 'proc');
    for (let t = 0; t <= 20_000; t += 250)
      session.collector.acceptSample(sampleAt(321, t, 50 * MB + t * 2048));
    await session.finish({ exitCode: 0, signal: null, reason: 'exited' });
    const events = read();
    assert.equal(events[0]?.type, 'start');
    assert.equal(events.at(-1)?.type, 'exit');
    assert.ok(events.every((event) => event.pid === 321));
    const text = stderr.lines.join('');
    assert.match(text, /^memwatcher: LEAK in pid 321: leak in RSS/m);
    assert.match(text, /--on-leak snapshot: pid 321 is watched from outside/, 'says why no snapshots');
    assert.doesNotMatch(text, /alert \(leak/, 'the LEAK line is not repeated as an alert');
    assert.match(text, /^memwatcher: pid 321 exited with code 0 after 0 s\.$/m);
    assert.match(text, /^memwatcher: wrote events .*framed\.ndjson$/m);
  });

  it('says nothing and writes no events when nothing was watched (the command did not start)', async () => {
    const { session, stderr, read } = await openSession('never');
    await session.finish({ exitCode: null, signal: null, reason: 'stopped' });
    assert.deepEqual(read(), []);
    assert.deepEqual(stderr.lines, []);
  });

  it('has no summary with --quiet', async () => {
    const { session, stderr } = await openSession('quiet', { quiet: true });
    session.begin(5, 'proc');
    await session.finish({ exitCode: null, signal: null, reason: 'duration' });
    assert.deepEqual(stderr.lines, []);
  });
});
