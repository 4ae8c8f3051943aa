/**
 * The collector: the memwatcher-process side of watching (ARCHITECTURE.md, "collector"). `run`,
 * `watch` and `attach` are thin commands over it.
 *
 * Contract (for `attach` and anything else that feeds it):
 *
 * ```ts
 * // Commands use WatchSession (session.ts), which builds this and its sinks from the flags:
 * //   const session = await WatchSession.open({ mode, command, collector, events, db, report, … });
 * //   session.begin(pid, method); session.setSnapshotCapture(capture); …feed session.collector…;
 * //   await session.finish({ exitCode, signal, reason });
 * const collector = new Collector({ intervalMs, leak, alerts, onFault });   // options checked here (throws)
 * collector.subscribe(sink);              // sink(event: CollectorEvent): NDJSON file, store, status line…
 * collector.publish(startEvent);          // { type: 'start', source: 'collector', … } first
 * // then, per source:
 * collector.acceptAgentMessage(message);  // an agent's IPC message: published as is; the agent judged it
 * collector.acceptSample(sample);         // OutsideSampleEvent (source 'proc' | 'inspector'): published,
 *                                         // judged here (same verdict code as the agent, on the lower
 *                                         // envelope of RSS, and of the JS heap when given), alerts evaluated
 * collector.publish(snapshotEvent);       // snapshots/analyses/errors memwatcher made itself
 * collector.onLeak((leak) => …);          // once per pid, when its verdict first turns to leaking
 * collector.publish(exitEvent);           // { type: 'exit', … } last
 * await collector.close();                // waits for alert deliveries (webhook, email)
 * ```
 *
 * - Events (`events.ts`) are plain JSON, one per `--events` line; `type`, `time` (ms since epoch),
 *   `pid` and `source` on every one.
 * - Sinks never throw into the collector: a sink that throws is reported once through `onFault` and
 *   keeps receiving events.
 * - Alerts are evaluated here for every process (the agent's own alerting is switched off by `run`), so
 *   thresholds, webhook and mail work the same for Node, Python or anything else.
 * - `--on-leak snapshot`: `captureLeakEvidence` takes a series of snapshots through a
 *   `SnapshotSeriesCapture` the source provides (the agent over IPC for `run`; the inspector for
 *   `attach`), analyzes them in a worker and publishes `analysis`.
 * - Sources: `ProcSampler` (`/proc/<pid>/status` + `smaps_rollup`, one process or a process tree),
 *   `AgentChannel` (a forked child's IPC channel: messages in, snapshot commands out).
 */

export { AgentChannel } from './agent-channel.ts';
export { Collector, type CollectorOptions, type LeakCall, type WatchedProcess } from './collector.ts';
export type { EventSink } from './event-bus.ts';
export type {
  AnalysisEvent,
  CollectorAlertEvent,
  CollectorErrorEvent,
  CollectorEvent,
  CollectorLeakEvent,
  CollectorSnapshotEvent,
  CollectorVerdictEvent,
  ExitEvent,
  OutsideSampleEvent,
  OutsideSource,
  StartEvent,
  WatchMethod,
} from './events.ts';
export {
  captureLeakEvidence,
  type LeakEvidenceOptions,
  type SnapshotSeriesCapture,
  type SnapshotSeriesRequest,
} from './leak-evidence.ts';
export { OutsideVerdict } from './outside-verdict.ts';
export { ProcSampler, type ProcSamplerOptions } from './proc-sampler.ts';
export { WatchSession, type WatchSessionOptions } from './session.ts';
