/**
 * Report models for tests, built deterministically: a busy program's sawtooth heap over a floor that
 * either climbs (a leak: ~1 MB every 2 s) or stays put, with GC pauses of every kind, verdicts,
 * alerts, snapshots, classes, a leak suspect and allocation sites. Heap names carry planted "secrets"
 * (a string value, a data-like Map key) that no report form may print.
 */
import type {
  LeakSuspect,
  MemoryPoint,
  ReportModel,
  RetainerPathStep,
  VerdictPoint,
} from './report-model.ts';

export const START = Date.UTC(2025, 10, 25, 9, 0, 0);
/** Planted in heap-derived names; must never appear in any output. */
export const SECRET_VALUE = 'sk_live_51HxSecretToken';
export const SECRET_KEY = 'alice@example.com';

export interface SampleModelOptions {
  readonly leaking?: boolean;
  readonly samples?: number;
  readonly intervalMs?: number;
  /** Leave out heap analysis (classes, suspects), as for a run without snapshots. */
  readonly withoutHeap?: boolean;
}

/** One memory reading with only RSS known (as from outside), plus whatever `extra` sets. */
export function memoryPoint(time: number, rss: number, extra: Partial<MemoryPoint> = {}): MemoryPoint {
  return {
    time,
    rss,
    heapUsed: null,
    heapTotal: null,
    external: null,
    arrayBuffers: null,
    heapFloor: null,
    gcPauseMs: null,
    gcCount: null,
    ...extra,
  };
}

/** A small deterministic PRNG (mulberry32): tests must not depend on Math.random. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sampleModel(options: SampleModelOptions = {}): ReportModel {
  const leaking = options.leaking ?? true;
  const count = options.samples ?? 240;
  const intervalMs = options.intervalMs ?? 250;
  const next = random(7);
  const samples: ReportModel['samples'][number][] = [];
  const gcPauses: ReportModel['gcPauses'][number][] = [];
  let floor = 20e6;
  let used = floor;
  let heapFloor: number | null = null;
  for (let i = 0; i < count; i++) {
    const time = START + i * intervalMs;
    used += 6e6 + next() * 3e6;
    if (leaking) floor += 125_000;
    let gcPauseMs = 0;
    let gcCount = 0;
    for (let minor = 0; minor < 3; minor++) {
      const durationMs = 0.3 + next() * 1.5;
      gcPauses.push({ time: time - 60 + minor * 20, kind: 'minor', durationMs });
      gcPauseMs += durationMs;
      gcCount++;
    }
    if (used > floor + 60e6) {
      // A major GC: the sawtooth drops to the floor.
      const durationMs = 4 + next() * 30;
      gcPauses.push({ time: time - 5, kind: 'major', durationMs });
      gcPauses.push({ time: time - 30, kind: 'incremental', durationMs: 0.5 + next() * 2 });
      gcPauseMs += durationMs;
      gcCount += 2;
      used = floor + next() * 2e6;
      heapFloor = Math.round(used);
    }
    samples.push({
      time,
      rss: Math.round(used + 60e6 + i * (leaking ? 200_000 : 0)),
      heapUsed: Math.round(used),
      heapTotal: Math.round(used + 10e6),
      external: 9.7e6,
      arrayBuffers: 1.1e6,
      heapFloor,
      gcPauseMs,
      gcCount,
    });
  }
  const end = START + (count - 1) * intervalMs;
  const verdict = (at: number, status: VerdictPoint['status'], growth: number | null): VerdictPoint => ({
    time: START + at,
    status,
    leaking: status === 'leak',
    culprit: status === 'leak' ? 'js-heap' : null,
    figure: 'heapFloor',
    growthBytesPerMinute: growth,
    confidence: growth === null ? null : 0.997,
    timeToHeapLimitMs: status === 'leak' ? 28 * 60_000 : null,
  });
  const verdicts = leaking
    ? [verdict(0, 'warming-up', null), verdict(5_000, 'growing', 28e6), verdict(15_000, 'leak', 30e6)]
    : [verdict(0, 'warming-up', null), verdict(5_000, 'stable', 20_000)];
  const alerts: ReportModel['alerts'][number][] = leaking
    ? [
        {
          time: START + 9_000,
          rule: 'heapUsedAbove',
          severity: 'warning',
          message: 'JS heap in use 172 MB is above 60.0 MB',
        },
        { time: START + 15_000, rule: 'leak', severity: 'critical', message: 'memory leak: leak in JS heap' },
      ]
    : [];
  const base: ReportModel = {
    run: {
      command: ['node', 'server.js', '--port', '8080'],
      pid: 4242,
      watchedBy: 'agent',
      nodeVersion: 'v24.21.0',
      startedAt: START,
      endedAt: end,
      exitCode: 0,
      signal: null,
      heapLimit: 4.2e9,
      intervalMs,
    },
    samples,
    gcPauses,
    verdicts,
    alerts,
    snapshots: [
      { time: START + 20_000, file: '/tmp/app/1.heapsnapshot', reason: 'leak', bytes: 21e6 },
      { time: START + 40_000, file: '/tmp/app/2.heapsnapshot', reason: 'leak', bytes: 26e6 },
      { time: START + 55_000, file: '/tmp/app/3.heapsnapshot', reason: 'leak', bytes: 31e6 },
    ],
    classes: [],
    suspects: [],
    analyzedSnapshots: 0,
    allocationSites: [],
  };
  if (options.withoutHeap === true) return base;
  return {
    ...base,
    classes: [
      {
        name: 'Session',
        type: 'object',
        count: 4500,
        selfSize: 1.6e6,
        retainedSize: 2.2e6,
        countDelta: 4000,
        selfSizeDelta: 1.4e6,
      },
      {
        name: '(string)',
        type: 'string',
        count: 25_972,
        selfSize: 6.8e6,
        retainedSize: 6.8e6,
        countDelta: 12_000,
        selfSizeDelta: 384e3,
      },
      {
        name: 'Map',
        type: 'object',
        count: 120,
        selfSize: 9e3,
        retainedSize: 2.8e6,
        countDelta: 0,
        selfSizeDelta: 0,
      },
      {
        name: 'handler',
        type: 'closure',
        count: 300,
        selfSize: 21e3,
        retainedSize: 90e3,
        countDelta: -20,
        selfSizeDelta: -1.4e3,
      },
      {
        name: 'Buffer',
        type: 'object',
        count: 12,
        selfSize: 1e3,
        retainedSize: 1.2e6,
        countDelta: null,
        selfSizeDelta: null,
      },
      // A class named by a string's value, as a careless producer might store it.
      {
        name: SECRET_VALUE,
        type: 'string',
        count: 1,
        selfSize: 40,
        retainedSize: 40,
        countDelta: null,
        selfSizeDelta: null,
      },
    ],
    suspects: leaking ? [sessionSuspect(), tokenSuspect()] : [],
    analyzedSnapshots: 3,
    allocationSites: [
      {
        functionName: 'createSession',
        url: 'file:///srv/app/sessions.js',
        line: 12,
        column: 3,
        liveBytes: 2.1e6,
        samples: 64,
        stack: [
          { functionName: 'createSession', url: 'file:///srv/app/sessions.js', line: 12, column: 3 },
          { functionName: 'handle', url: 'file:///srv/app/server.js', line: 40, column: 1 },
        ],
      },
      {
        functionName: '(anonymous)',
        url: 'file:///srv/app/server.js',
        line: 88,
        column: 20,
        liveBytes: 300e3,
        samples: 9,
        stack: [],
      },
    ],
  };
}

/** From the global object to the entry module's context: where both suspects' paths start. */
function moduleContextPath(): RetainerPathStep[] {
  return [
    { edge: '', edgeType: 'shortcut', node: 'global', nodeType: 'object', nodeId: 7069 },
    {
      edge: '<symbol node:entry_point_module>',
      edgeType: 'property',
      node: 'ModuleWrap',
      nodeType: 'object',
      nodeId: 38_157,
    },
    {
      edge: 'context',
      edgeType: 'internal',
      node: 'system / Context',
      nodeType: 'object',
      nodeId: 122_889,
    },
  ];
}

/** Sessions cached forever in a module-level Map. */
export function sessionSuspect(): LeakSuspect {
  return {
    name: 'Session',
    type: 'object',
    count: 4500,
    retainedSize: 2_191_200,
    growth: [500, 2500, 4500],
    retainedGrowth: [239_200, 1_215_200, 2_191_200],
    location: { scriptId: 123, line: 34, column: 13, url: 'file:///srv/app/sessions.js' },
    accumulatesIn: { name: 'Map', type: 'object', nodeId: 125_239, edge: 'sessions' },
    retainerPath: [
      ...moduleContextPath(),
      { edge: 'sessions', edgeType: 'context', node: 'Map', nodeType: 'object', nodeId: 125_239 },
      { edge: 'table', edgeType: 'internal', node: '(array)', nodeType: 'array', nodeId: 184_623 },
      { edge: '5600', edgeType: 'internal', node: 'Session', nodeType: 'object', nodeId: 149_155 },
    ],
    classes: [
      { name: 'Session', type: 'object', count: 4500, retainedSize: 1_617_600, growth: [500, 2500, 4500] },
      {
        name: '(string)',
        type: 'string',
        count: 13_500,
        retainedSize: 573_600,
        growth: [1500, 7500, 13_500],
      },
    ],
  };
}

/**
 * Tokens kept in a plain object keyed by user e-mail, shared with the first suspect's path up to the
 * module context: the path carries a data-like key and a string value.
 */
export function tokenSuspect(): LeakSuspect {
  return {
    name: '(string)',
    type: 'string',
    count: 900,
    retainedSize: 64_800,
    growth: [100, 500, 900],
    accumulatesIn: { name: 'Object', type: 'object', nodeId: 130_001, edge: 'tokensByUser' },
    retainerPath: [
      ...moduleContextPath(),
      { edge: 'tokensByUser', edgeType: 'context', node: 'Object', nodeType: 'object', nodeId: 130_001 },
      { edge: SECRET_KEY, edgeType: 'property', node: SECRET_VALUE, nodeType: 'string', nodeId: 130_777 },
    ],
  };
}
