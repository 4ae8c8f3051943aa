/**
 * What the collector hands to its sinks (NDJSON file, history store, status line, live dashboards):
 * one event per line of `--events`, each with `type`, `time` (ms since epoch), the `pid` it is about
 * and a `source` saying who produced it:
 *
 * - `memwatcher` — the agent inside a Node process: its IPC message as it came (`v` is the protocol
 *   version; see `src/agent/ipc-protocol.ts`), so `reportModelFromMessages` reads these lines as they are;
 * - `proc` — memwatcher sampling a process from outside through `/proc`;
 * - `inspector` — memwatcher sampling a Node process through the inspector (`attach`);
 * - `collector` — memwatcher itself: the start and end of the watch, and, for processes without an
 *   agent, the verdicts, leaks and alerts it judged from outside samples, snapshots it took, analyses.
 */
import type { MemoryAlert } from '../agent/alerts/alert.ts';
import type { AgentMessage } from '../agent/ipc-protocol.ts';
import type { LeakCulprit, LeakVerdict } from '../agent/verdict.ts';
import type { AnalysisResult } from '../heap/types.ts';

/** How a process is watched: its agent over IPC, `/proc` from outside, the inspector from outside. */
export type WatchMethod = 'agent' | 'proc' | 'inspector';

/** Who measured or judged an event's content. */
export type OutsideSource = 'proc' | 'inspector';

interface CollectorEventBase {
  readonly source: 'collector';
  /** ms since epoch. */
  readonly time: number;
  readonly pid: number;
}

/** First line: what is watched and how it is judged. */
export interface StartEvent extends CollectorEventBase {
  readonly type: 'start';
  /** `run`, `watch`, `attach`. */
  readonly mode: string;
  /** The command memwatcher started, or the watched process' command line when it could be read. */
  readonly command: readonly string[];
  readonly method: WatchMethod;
  readonly intervalMs: number;
  readonly windowMs: number;
  readonly warmupMs: number;
}

/**
 * One reading of a process sampled from outside. Sizes in bytes; figures a source cannot read are
 * `null` (JS figures through `/proc`; swap and threads through the inspector).
 */
export interface OutsideSampleEvent {
  readonly type: 'sample';
  readonly source: OutsideSource;
  readonly time: number;
  readonly pid: number;
  /** Resident set size; for a process tree (`run` of a wrapper such as `npm`), the sum over the tree. */
  readonly rss: number;
  /** Highest RSS: the kernel's high-water mark for one process, the highest sum seen for a tree. */
  readonly rssPeak: number | null;
  /** Proportional set size (shared pages divided among their users), when `smaps_rollup` is readable. */
  readonly pss: number | null;
  readonly swap: number | null;
  readonly threads: number | null;
  /** Processes summed (1 unless a tree is watched). */
  readonly processes: number;
  readonly heapUsed: number | null;
  readonly heapTotal: number | null;
  readonly external: number | null;
  readonly arrayBuffers: number | null;
  readonly heapLimit: number | null;
  /** JS heap after the latest full GC, when the source knows it. */
  readonly heapFloor: number | null;
}

/** The verdict memwatcher judged from outside samples changed status. */
export interface CollectorVerdictEvent extends CollectorEventBase {
  readonly type: 'verdict';
  readonly verdict: LeakVerdict;
}

/** The verdict memwatcher judged from outside samples turned to leaking. Same fields as the agent's. */
export interface CollectorLeakEvent extends CollectorEventBase {
  readonly type: 'leak';
  readonly culprit: LeakCulprit;
  readonly growthBytesPerMinute: number | null;
  readonly confidence: number | null;
  readonly timeToHeapLimitMs: number | null;
  readonly summary: string;
  readonly verdict: LeakVerdict;
}

/** An alert rule fired (memwatcher evaluates the rules for every watched process, agent or not). */
export interface CollectorAlertEvent extends CollectorEventBase {
  readonly type: 'alert';
  readonly alert: MemoryAlert;
}

/** A heap snapshot memwatcher took itself (through the inspector). The agent's own are its messages. */
export interface CollectorSnapshotEvent extends CollectorEventBase {
  readonly type: 'snapshot';
  readonly reason: string;
  readonly file: string;
  readonly bytes: number;
  readonly durationMs: number;
}

/** Heap snapshots analyzed in a worker (`--on-leak snapshot`): the engine's result, suspects first. */
export interface AnalysisEvent extends CollectorEventBase {
  readonly type: 'analysis';
  readonly files: readonly string[];
  readonly durationMs: number;
  readonly suspectCount: number;
  readonly result: AnalysisResult;
}

/** Something memwatcher could not do (a sink failed, a snapshot series failed); watching goes on. */
export interface CollectorErrorEvent extends CollectorEventBase {
  readonly type: 'error';
  readonly code: string;
  readonly message: string;
}

/** Last line: how the watched process ended (`null`s when memwatcher stopped watching first). */
export interface ExitEvent extends CollectorEventBase {
  readonly type: 'exit';
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** Why watching ended: the process exited, the user stopped memwatcher, `--duration` ran out. */
  readonly reason: 'exited' | 'stopped' | 'duration';
}

export type CollectorEvent =
  | AgentMessage
  | StartEvent
  | OutsideSampleEvent
  | CollectorVerdictEvent
  | CollectorLeakEvent
  | CollectorAlertEvent
  | CollectorSnapshotEvent
  | AnalysisEvent
  | CollectorErrorEvent
  | ExitEvent;
