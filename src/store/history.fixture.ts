import { sampleAlert } from '../agent/alerts/sample-alert.fixture.ts';
import type {
  AgentMessage,
  AlertMessage,
  ErrorMessage,
  GcMessage,
  HelloMessage,
  LeakMessage,
  SampleMessage,
  SnapshotMessage,
  VerdictMessage,
} from '../agent/ipc-protocol.ts';
import { combineVerdict, type LeakVerdict, type MemoryTrend } from '../agent/verdict.ts';
import type { AnalysisResult } from '../heap/types.ts';

/** Agent messages and analysis results as the store receives them, for the store's tests. */

const MB = 1024 * 1024;
const envelope = (pid: number, time: number) => ({ source: 'memwatcher', v: 1, pid, time }) as const;

export function hello(pid: number, time: number): HelloMessage {
  return {
    ...envelope(pid, time),
    type: 'hello',
    argv: ['/usr/bin/node', '/srv/app/server.js'],
    nodeVersion: 'v24.21.0',
    intervalMs: 1000,
    heapLimit: 4096 * MB,
  };
}

export function sample(pid: number, time: number, heapUsed = 50 * MB): SampleMessage {
  return {
    ...envelope(pid, time),
    type: 'sample',
    rss: 120 * MB,
    heapTotal: 80 * MB,
    heapUsed,
    external: 3 * MB,
    arrayBuffers: MB,
    heapLimit: 4096 * MB,
    heapFloor: 40 * MB,
    gcPauseMs: 1.5,
    gcCount: 2,
    gcShare: 0.0015,
    nativeContexts: 1,
    detachedContexts: 0,
    heapSpaces: [{ name: 'old_space', size: 60 * MB, used: 40 * MB }],
  };
}

export function gc(pid: number, time: number, durationMs: number): GcMessage {
  return {
    ...envelope(pid, time),
    type: 'gc',
    kind: 'major',
    durationMs,
    heapFloor: 40 * MB,
    externalFloor: 2 * MB,
  };
}

export function leakVerdict(time: number): LeakVerdict {
  const trend = (status: MemoryTrend['status'], growth: number | undefined, latest: number): MemoryTrend => ({
    status,
    growthBytesPerMinute: growth,
    confidence: growth === undefined ? undefined : 0.999,
    points: 20,
    spanMs: 480_000,
    latestBytes: latest,
  });
  return combineVerdict({
    time,
    heap: trend('leak', 2 * MB, 100 * MB),
    external: trend('stable', 0, 5 * MB),
    rss: trend('leak', 2 * MB, 200 * MB),
    native: trend('stable', undefined, 100 * MB),
    heapLimit: 300 * MB,
  });
}

export function verdict(pid: number, time: number): VerdictMessage {
  return { ...envelope(pid, time), type: 'verdict', verdict: leakVerdict(time) };
}

export function leak(pid: number, time: number): LeakMessage {
  const v = leakVerdict(time);
  return {
    ...envelope(pid, time),
    type: 'leak',
    culprit: 'js-heap',
    growthBytesPerMinute: 2 * MB,
    confidence: 0.999,
    timeToHeapLimitMs: 6_000_000,
    summary: v.summary,
    verdict: v,
  };
}

export function alert(pid: number, time: number): AlertMessage {
  return { ...envelope(pid, time), type: 'alert', alert: sampleAlert({ time, pid }) };
}

export function snapshot(pid: number, time: number): SnapshotMessage {
  return {
    ...envelope(pid, time),
    type: 'snapshot',
    reason: 'leak',
    file: `/tmp/heap-${pid}-${time}.heapsnapshot`,
    bytes: 12 * MB,
    durationMs: 840,
  };
}

export function fault(pid: number, time: number): ErrorMessage {
  return {
    ...envelope(pid, time),
    type: 'error',
    code: 'ERR_CENSUS',
    message: 'the census did not answer in time',
  };
}

/** One message of each type, in the order an agent would send them. */
export function oneOfEach(pid: number, time: number): AgentMessage[] {
  return [
    hello(pid, time),
    sample(pid, time + 1000),
    gc(pid, time + 1500, 12.5),
    verdict(pid, time + 2000),
    leak(pid, time + 2000),
    alert(pid, time + 2100),
    snapshot(pid, time + 3000),
    fault(pid, time + 3500),
  ];
}

export function analysisResult(files: readonly string[]): AnalysisResult {
  return {
    snapshots: files.map((file, i) => ({
      file,
      nodeCount: 1000 + i,
      edgeCount: 4000 + i,
      totalSize: 9 * MB + i,
    })),
    summary: [{ name: 'Session', type: 'object', count: 3000, selfSize: 96_000, retainedSize: 4 * MB }],
    largest: [],
    suspects: [
      {
        name: 'Session',
        type: 'object',
        count: 3000,
        retainedSize: 4 * MB,
        growth: [1000, 2000, 3000],
        retainerPath: [
          { edge: '', edgeType: 'internal', node: '(GC roots)', nodeType: 'synthetic', nodeId: 1 },
          { edge: 'sessions', edgeType: 'property', node: 'Map', nodeType: 'object', nodeId: 4_294_967_301 },
        ],
      },
    ],
  };
}
