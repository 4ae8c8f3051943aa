/**
 * `memwatcher`: watch memory from inside a Node process, judge whether it leaks, alert, capture
 * heap snapshots. The zero-code-change entry is `memwatcher/register`.
 */
export type { AlertMemory, AlertRuleName, AlertSeverity, MemoryAlert } from './agent/alerts/alert.ts';
export type { EmailOptions, SmtpOptions } from './agent/alerts/email-sink.ts';
export type { AlertLogger } from './agent/alerts/log-sink.ts';
export type { AlertRules } from './agent/alerts/rules.ts';
export type { WebhookOptions } from './agent/alerts/webhook-sink.ts';
export type { GrowingClass, GrowingClassesSource } from './agent/census-hook.ts';
export type { DashboardServeOptions, ServedDashboard } from './agent/dashboard-options.ts';
export * from './agent/detector/public.ts';
export type { GcEvent, GcKind, GcKindStats, GcStats } from './agent/gc-observer.ts';
export type { HistoryPoint, HistoryTier } from './agent/history.ts';
export type { AgentMessage, AgentMessageType } from './agent/ipc-protocol.ts';
export { IPC_PROTOCOL_VERSION, isAgentMessage } from './agent/ipc-protocol.ts';
export type { HeapSpace, MemorySample } from './agent/memory-sample.ts';
export type { AlertOptions, LeakOptions, MemoryWatcherOptions, SnapshotOptions } from './agent/options.ts';
export { registeredWatcher } from './agent/registered.ts';
export type {
  SnapshotEvent,
  SnapshotOutcome,
  SnapshotReason,
  SnapshotStartEvent,
} from './agent/snapshot-policy.ts';
export type { LeakCulprit, LeakVerdict, MemoryTrend, TrendStatus } from './agent/verdict.ts';
export type { GrowthRate, MemoryWatcherEvents } from './agent/watcher.ts';
export { MemoryWatcher } from './agent/watcher.ts';
export { AgentFaultError, InvalidOptionError, isMemwatcherError, MemwatcherError } from './errors.ts';
