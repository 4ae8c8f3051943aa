/**
 * Messages the agent sends to a parent `memwatcher` process over the Node IPC channel
 * (`process.send`). Every message carries `source: 'memwatcher'`, the protocol version `v`, a `type`,
 * the sender's `pid` and a `time` in ms since epoch. The CLI writes them as NDJSON events
 * (`memwatcher run --events`), so fields are plain JSON: no `undefined` where it matters, no Maps.
 *
 * Volume: one `sample` per sampling interval; `gc` only for major GCs (minor GC totals ride on each
 * `sample`); `verdict` when the status of the verdict or one of its figures changes; `leak` when it
 * turns to leaking; `alert`, `snapshot`, `error` as they happen.
 */
import type { MemoryAlert } from './alerts/alert.ts';
import type { GcKind } from './gc-observer.ts';
import type { SnapshotReason } from './snapshot-policy.ts';
import type { LeakCulprit, LeakVerdict } from './verdict.ts';

export const IPC_PROTOCOL_VERSION = 1;

/** Set by a parent `memwatcher` process: `1`, or the parent's pid (then checked against `process.ppid`). */
export const IPC_ENV = 'MEMWATCHER_IPC';

interface MessageBase {
  readonly source: 'memwatcher';
  readonly v: typeof IPC_PROTOCOL_VERSION;
  readonly pid: number;
  /** ms since epoch. */
  readonly time: number;
}

/** First message: who is watched, and how. */
export interface HelloMessage extends MessageBase {
  readonly type: 'hello';
  readonly argv: readonly string[];
  readonly nodeVersion: string;
  readonly intervalMs: number;
  readonly heapLimit: number;
}

export interface SampleMessage extends MessageBase {
  readonly type: 'sample';
  readonly rss: number;
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
  readonly heapLimit: number;
  /** `null` before the first major GC. */
  readonly heapFloor: number | null;
  /** GC pause and count since the previous sample. */
  readonly gcPauseMs: number;
  readonly gcCount: number;
  readonly gcShare: number;
  readonly nativeContexts: number;
  readonly detachedContexts: number;
  readonly heapSpaces: readonly { readonly name: string; readonly size: number; readonly used: number }[];
}

/** A major GC, with the floor it left. */
export interface GcMessage extends MessageBase {
  readonly type: 'gc';
  readonly kind: GcKind;
  readonly durationMs: number;
  readonly heapFloor: number | null;
  readonly externalFloor: number | null;
}

/** The status of the verdict, or of one of its figures (heap, external, rss, native), changed. */
export interface VerdictMessage extends MessageBase {
  readonly type: 'verdict';
  readonly verdict: LeakVerdict;
}

/** The verdict turned to leaking. */
export interface LeakMessage extends MessageBase {
  readonly type: 'leak';
  readonly culprit: LeakCulprit;
  /** Growth of the leaking figure. */
  readonly growthBytesPerMinute: number | null;
  readonly confidence: number | null;
  readonly timeToHeapLimitMs: number | null;
  readonly summary: string;
  readonly verdict: LeakVerdict;
}

export interface AlertMessage extends MessageBase {
  readonly type: 'alert';
  readonly alert: MemoryAlert;
}

export interface SnapshotMessage extends MessageBase {
  readonly type: 'snapshot';
  readonly reason: SnapshotReason;
  readonly file: string;
  readonly bytes: number;
  readonly durationMs: number;
}

/** A run-time fault inside the agent (it keeps running). */
export interface ErrorMessage extends MessageBase {
  readonly type: 'error';
  readonly code: string;
  readonly message: string;
}

export type AgentMessage =
  | HelloMessage
  | SampleMessage
  | GcMessage
  | VerdictMessage
  | LeakMessage
  | AlertMessage
  | SnapshotMessage
  | ErrorMessage;

export type AgentMessageType = AgentMessage['type'];

const TYPES: ReadonlySet<string> = new Set<AgentMessageType>([
  'hello',
  'sample',
  'gc',
  'verdict',
  'leak',
  'alert',
  'snapshot',
  'error',
]);

/**
 * Whether a value received on an IPC channel is a memwatcher agent message (and not something the
 * watched program sends its parent for its own purposes).
 * @example
 * child.on('message', (message) => { if (isAgentMessage(message) && message.type === 'leak') console.log(message.summary); });
 */
export function isAgentMessage(value: unknown): value is AgentMessage {
  const message = value as Partial<MessageBase & { type: string }> | null;
  return (
    typeof message === 'object' &&
    message !== null &&
    message.source === 'memwatcher' &&
    message.v === IPC_PROTOCOL_VERSION &&
    typeof message.type === 'string' &&
    TYPES.has(message.type) &&
    typeof message.time === 'number' &&
    typeof message.pid === 'number'
  );
}

/** Fills the envelope fields of a message. */
export function agentMessage<M extends AgentMessage>(body: Omit<M, keyof MessageBase>, time: number): M {
  return { source: 'memwatcher', v: IPC_PROTOCOL_VERSION, pid: process.pid, time, ...body } as M;
}

/**
 * The one message that goes the other way, parent → agent (`memwatcher run --on-leak snapshot`): take
 * `count` heap snapshots `intervalMs` apart into `dir`, holding one inspector session across them so
 * that object ids match between them. Answered by one {@link CommandReply} with the same `id`; each
 * snapshot is also announced by the usual `snapshot` message. Agents that predate it ignore it.
 */
export interface SnapshotSeriesCommand {
  readonly source: 'memwatcher';
  readonly v: typeof IPC_PROTOCOL_VERSION;
  readonly type: 'command';
  readonly command: 'snapshot-series';
  readonly id: number;
  readonly dir: string;
  readonly count: number;
  readonly intervalMs: number;
  /** Added to the file names (`heap-<pid>-<time>-<n>-<label>-<i>.heapsnapshot`). */
  readonly label: string;
}

export type AgentCommand = SnapshotSeriesCommand;

/** The agent's answer to an {@link AgentCommand}. Not an {@link AgentMessage}: it is not an event. */
export interface CommandReply extends MessageBase {
  readonly type: 'reply';
  readonly id: number;
  readonly ok: boolean;
  /** Snapshot files written, in order (also when a later one failed). */
  readonly files: readonly string[];
  /** Why it failed: an error code and message, `null` when `ok`. */
  readonly code: string | null;
  readonly message: string | null;
}

/** Whether a value received by the agent is a memwatcher command. */
export function isAgentCommand(value: unknown): value is AgentCommand {
  const command = value as Partial<SnapshotSeriesCommand> | null;
  return (
    typeof command === 'object' &&
    command !== null &&
    command.source === 'memwatcher' &&
    command.v === IPC_PROTOCOL_VERSION &&
    command.type === 'command' &&
    typeof command.id === 'number'
  );
}

/** Whether a value received by the parent is an agent's reply to a command. */
export function isCommandReply(value: unknown): value is CommandReply {
  const reply = value as Partial<CommandReply> | null;
  return (
    typeof reply === 'object' &&
    reply !== null &&
    reply.source === 'memwatcher' &&
    reply.v === IPC_PROTOCOL_VERSION &&
    reply.type === 'reply' &&
    typeof reply.id === 'number'
  );
}
