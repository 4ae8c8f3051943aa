import type { MemwatcherError } from '../errors.ts';
import type { MemoryAlert } from './alerts/alert.ts';
import type { GcEvent } from './gc-observer.ts';
import {
  type AgentMessage,
  type AlertMessage,
  agentMessage,
  type ErrorMessage,
  type GcMessage,
  type HelloMessage,
  type LeakMessage,
  type SampleMessage,
  type SnapshotMessage,
  type VerdictMessage,
} from './ipc-protocol.ts';
import type { MemorySample } from './memory-sample.ts';
import type { SnapshotEvent } from './snapshot-policy.ts';
import { culpritTrend, type LeakVerdict } from './verdict.ts';
import type { MemoryWatcher } from './watcher.ts';

/**
 * Messages not yet acknowledged by the IPC channel. Node queues `process.send` writes without
 * bound when the parent stops reading; past this many, new messages are dropped instead.
 */
const MAX_IN_FLIGHT = 64;

type Send = (message: AgentMessage, callback: (error: Error | null) => void) => void;

/**
 * Forwards a watcher's events to the parent process as {@link AgentMessage}s. Returns a function
 * that detaches every listener it added.
 */
export function reportOverIpc(watcher: MemoryWatcher, send: Send, connected: () => boolean): () => void {
  let inFlight = 0;
  const post = (message: AgentMessage): void => {
    if (inFlight >= MAX_IN_FLIGHT || !connected()) return;
    inFlight++;
    try {
      send(message, () => {
        inFlight--;
      });
    } catch {
      // The channel closed between the check and the send: the parent is gone, nothing to tell.
      inFlight--;
    }
  };
  const onSample = (s: MemorySample) =>
    post(
      agentMessage<SampleMessage>(
        {
          type: 'sample',
          rss: s.rss,
          heapTotal: s.heapTotal,
          heapUsed: s.heapUsed,
          external: s.external,
          arrayBuffers: s.arrayBuffers,
          heapLimit: s.heapLimit,
          heapFloor: s.heapFloor ?? null,
          gcPauseMs: s.gcPauseMs,
          gcCount: s.gcCount,
          gcShare: s.gcShare,
          nativeContexts: s.nativeContexts,
          detachedContexts: s.detachedContexts,
          heapSpaces: s.heapSpaces.map((space) => ({ name: space.name, size: space.size, used: space.used })),
        },
        s.time,
      ),
    );
  const onGc = (e: GcEvent) => {
    if (e.kind !== 'major') return;
    post(
      agentMessage<GcMessage>(
        {
          type: 'gc',
          kind: e.kind,
          durationMs: e.durationMs,
          heapFloor: e.heapFloor ?? null,
          externalFloor: e.externalFloor ?? null,
        },
        e.time,
      ),
    );
  };
  const onVerdict = (verdict: LeakVerdict) =>
    post(agentMessage<VerdictMessage>({ type: 'verdict', verdict }, verdict.time));
  const onLeak = (verdict: LeakVerdict) => {
    // 'leak' is only emitted with a culprit named.
    const trend = culpritTrend(verdict)!;
    post(
      agentMessage<LeakMessage>(
        {
          type: 'leak',
          culprit: verdict.culprit!,
          growthBytesPerMinute: trend.growthBytesPerMinute ?? null,
          confidence: trend.confidence ?? null,
          timeToHeapLimitMs: verdict.timeToHeapLimitMs ?? null,
          summary: verdict.summary,
          verdict,
        },
        verdict.time,
      ),
    );
  };
  const onAlert = (alert: MemoryAlert) =>
    post(agentMessage<AlertMessage>({ type: 'alert', alert }, alert.time));
  const onSnapshot = (event: SnapshotEvent) =>
    post(
      agentMessage<SnapshotMessage>(
        {
          type: 'snapshot',
          reason: event.reason,
          file: event.file,
          bytes: event.bytes,
          durationMs: event.durationMs,
        },
        event.time,
      ),
    );
  const onError = (error: MemwatcherError) =>
    post(agentMessage<ErrorMessage>({ type: 'error', code: error.code, message: error.message }, Date.now()));

  watcher.on('sample', onSample);
  watcher.on('gc', onGc);
  watcher.on('verdict', onVerdict);
  watcher.on('leak', onLeak);
  watcher.on('alert', onAlert);
  watcher.on('snapshot', onSnapshot);
  watcher.on('error', onError);
  const sample = watcher.current();
  post(
    agentMessage<HelloMessage>(
      {
        type: 'hello',
        argv: process.argv,
        nodeVersion: process.version,
        intervalMs: watcher.intervalMs,
        heapLimit: sample.heapLimit,
      },
      sample.time,
    ),
  );
  return () => {
    watcher.off('sample', onSample);
    watcher.off('gc', onGc);
    watcher.off('verdict', onVerdict);
    watcher.off('leak', onLeak);
    watcher.off('alert', onAlert);
    watcher.off('snapshot', onSnapshot);
    watcher.off('error', onError);
  };
}
