import type { MemwatcherError } from '../errors.ts';
import type { MemoryAlert } from './alerts/alert.ts';
import { formatBytes, formatDuration } from './human-format.ts';
import type { SnapshotEvent, SnapshotStartEvent } from './snapshot-policy.ts';
import type { LeakVerdict } from './verdict.ts';
import type { MemoryWatcher } from './watcher.ts';

/**
 * - `off`: nothing;
 * - `leaks`: leak verdicts, alerts, snapshots and faults;
 * - `verdicts` (default): also changes of the verdict's status once judged (stable, growing), at
 *   most one such line per minute: near a threshold the status may flip at every sample.
 */
export type StderrLogLevel = 'off' | 'leaks' | 'verdicts';

const VERDICT_LINE_INTERVAL_MS = 60_000;

/**
 * Writes one line per event to stderr, prefixed `[memwatcher]`. Synchronous `writeSync` in a
 * try/catch rather than `process.stderr.write`: a closed pipe (EPIPE) must not become an `error`
 * event on the host's stderr stream, which would crash a host that does not listen for it.
 */
export function reportToStderr(watcher: MemoryWatcher, level: StderrLogLevel, write = writeLine): () => void {
  if (level === 'off') return () => {};
  const prefix = `[memwatcher] pid ${process.pid}:`;
  const line = (text: string) => write(`${prefix} ${text}\n`);
  let lastStatus: string | undefined;
  let lastLineAt = Number.NEGATIVE_INFINITY;
  const onVerdict = (v: LeakVerdict) => {
    if (level !== 'verdicts' || v.leaking || (v.status !== 'stable' && v.status !== 'growing')) return;
    if (v.status === lastStatus || v.time - lastLineAt < VERDICT_LINE_INTERVAL_MS) return;
    lastStatus = v.status;
    lastLineAt = v.time;
    line(`verdict ${v.summary}`);
  };
  const onLeak = (v: LeakVerdict) => line(`LEAK ${v.summary}`);
  const onAlert = (a: MemoryAlert) => line(`alert (${a.severity}, ${a.rule}): ${a.message}`);
  const onSnapshotStart = (e: SnapshotStartEvent) =>
    line(`taking a heap snapshot (${e.reason}) in ${e.dir}; the process pauses`);
  const onSnapshot = (e: SnapshotEvent) =>
    line(`heap snapshot ${e.file} (${formatBytes(e.bytes)}, ${formatDuration(e.durationMs)})`);
  const onError = (e: MemwatcherError) => line(`${e.code}: ${e.message}`);
  watcher.on('verdict', onVerdict);
  watcher.on('leak', onLeak);
  watcher.on('alert', onAlert);
  watcher.on('snapshot-start', onSnapshotStart);
  watcher.on('snapshot', onSnapshot);
  watcher.on('error', onError);
  return () => {
    watcher.off('verdict', onVerdict);
    watcher.off('leak', onLeak);
    watcher.off('alert', onAlert);
    watcher.off('snapshot-start', onSnapshotStart);
    watcher.off('snapshot', onSnapshot);
    watcher.off('error', onError);
  };
}

/**
 * `node:fs` through `getBuiltinModule`, not `import`: an ESM import of a builtin builds a namespace of
 * all its exports, which loads `fs.promises` and its streams (~3 MB of RSS) for one `writeSync`.
 */
const fs = process.getBuiltinModule('node:fs');

export function writeLine(text: string): void {
  try {
    fs.writeSync(2, text);
  } catch {
    // stderr closed or full: the line is lost, the host is not disturbed.
  }
}
