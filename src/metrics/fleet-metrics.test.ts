import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentMessage } from '../agent/ipc-protocol.ts';
import { agentMessage } from '../agent/ipc-protocol.ts';
import type { LeakVerdict } from '../agent/verdict.ts';
import type { CollectorEvent, OutsideSampleEvent } from '../collector/index.ts';
import { commandLabel, FleetMetrics } from './fleet-metrics.ts';

const trend = {
  status: 'stable',
  growthBytesPerMinute: 120,
  confidence: 0.5,
  points: 9,
  spanMs: 1,
  latestBytes: 1,
} as const;
const verdict: LeakVerdict = {
  time: 1,
  status: 'growing',
  leaking: false,
  culprit: undefined,
  heap: trend,
  external: trend,
  rss: trend,
  native: trend,
  heapLimit: 100,
  timeToHeapLimitMs: 60_000,
  summary: 'growing',
};

/** An agent message as a child with this pid would send it. */
function fromChild(pid: number, body: Record<string, unknown>): AgentMessage {
  return { ...agentMessage(body as never, 1000), pid };
}

function outside(pid: number, rss: number): OutsideSampleEvent {
  return {
    type: 'sample',
    source: 'proc',
    time: 1000,
    pid,
    rss,
    rssPeak: null,
    pss: null,
    swap: null,
    threads: 1,
    processes: 1,
    heapUsed: null,
    heapTotal: null,
    external: null,
    arrayBuffers: null,
    heapLimit: null,
    heapFloor: null,
  };
}

const agentSample = (pid: number) =>
  fromChild(pid, {
    type: 'sample',
    rss: 50e6,
    heapTotal: 20e6,
    heapUsed: 10e6,
    external: 1e6,
    arrayBuffers: 5e5,
    heapLimit: 4e9,
    heapFloor: null,
    gcPauseMs: 1,
    gcCount: 3,
    gcShare: 0.01,
    nativeContexts: 1,
    detachedContexts: 0,
    heapSpaces: [{ name: 'old_space', size: 9e6, used: 8e6 }],
  });

describe('FleetMetrics', () => {
  it('labels each process with pid and command, from the agent and from /proc', async () => {
    const fleet = new FleetMetrics();
    fleet.accept(
      fromChild(41, {
        type: 'hello',
        argv: ['/usr/bin/node', '/srv/app/server.js', '--token', 's3cret'],
        nodeVersion: 'v24',
        intervalMs: 1000,
        heapLimit: 4e9,
      }),
    );
    fleet.accept(agentSample(41));
    fleet.accept(
      fromChild(41, { type: 'gc', kind: 'major', durationMs: 12, heapFloor: 9e6, externalFloor: 1e6 }),
    );
    fleet.accept(fromChild(41, { type: 'verdict', verdict }));
    const start: CollectorEvent = {
      type: 'start',
      source: 'collector',
      time: 1,
      pid: 42,
      mode: 'watch',
      command: ['python3', 'worker.py'],
      method: 'proc',
      intervalMs: 1000,
      windowMs: 60_000,
      warmupMs: 1000,
    };
    fleet.accept(start);
    fleet.accept(outside(42, 70e6));
    const text = await fleet.render();
    assert.match(text, /^nodejs_heap_size_used_bytes\{pid="41",command="node server.js"\} 10000000$/m);
    assert.match(text, /^process_resident_memory_bytes\{pid="42",command="python3 worker.py"\} 70000000$/m);
    assert.match(
      text,
      /^nodejs_gc_duration_seconds_count\{pid="41",command="node server.js",kind="major"\} 1$/m,
    );
    assert.match(
      text,
      /^memwatcher_growth_bytes_per_second\{pid="41",command="node server.js",figure="heap"\} 2$/m,
    );
    assert.match(text, /^memwatcher_time_to_heap_limit_seconds\{pid="41",command="node server.js"\} 60$/m);
    assert.doesNotMatch(text, /s3cret/);
    assert.doesNotMatch(
      text,
      /nodejs_heap_size_used_bytes\{pid="42"/,
      'no JS heap figure is made up for python',
    );
    assert.doesNotMatch(
      text,
      /pid="42",command="python3 worker.py",kind=/,
      'no GC histogram without GC messages',
    );
  });

  it('keeps at most maxProcesses, dropping the one heard from least recently, and forgets exited ones', async () => {
    const fleet = new FleetMetrics({ maxProcesses: 2 });
    fleet.accept(outside(1, 1));
    fleet.accept(outside(2, 2));
    fleet.accept(outside(1, 11));
    fleet.accept(outside(3, 3));
    const pids = () => {
      const rss = fleet.familiesNow()[0]!;
      return rss.type === 'gauge' ? rss.samples.map((s) => s.labels.pid) : [];
    };
    assert.deepEqual(pids(), ['1', '3']);
    fleet.accept({
      type: 'exit',
      source: 'collector',
      time: 2,
      pid: 1,
      exitCode: 0,
      signal: null,
      reason: 'exited',
    });
    assert.deepEqual(pids(), ['3']);
    assert.equal(fleet.size, 1);
  });

  it('prefers a fresher verdict when given one, and ignores junk', async () => {
    const fleet = new FleetMetrics({
      verdictOf: (pid) =>
        pid === 5 ? { ...verdict, status: 'leak', leaking: true, culprit: 'native' } : undefined,
    });
    fleet.accept(outside(5, 1));
    fleet.accept(null as unknown as CollectorEvent);
    fleet.accept({ type: 'sample' } as unknown as CollectorEvent);
    const text = await fleet.render();
    assert.match(text, /^memwatcher_leak_culprit\{pid="5",command="",culprit="native"\} 1$/m);
    assert.throws(() => new FleetMetrics({ maxProcesses: 0 }), /maxProcesses/);
  });

  it('names a command by program and script only', () => {
    assert.equal(commandLabel(['/usr/local/bin/node', '/a/b/app.mjs', '--password=x']), 'node app.mjs');
    assert.equal(commandLabel(['python3', '-u', 'x.py']), 'python3');
    assert.equal(commandLabel([]), '');
    assert.equal(commandLabel(['x'.repeat(100)]).length, 64);
  });
});
