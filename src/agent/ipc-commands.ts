import { isMemwatcherError } from '../errors.ts';
import type { InspectorLease } from './inspector-session.ts';
import {
  type AgentCommand,
  type CommandReply,
  IPC_PROTOCOL_VERSION,
  isAgentCommand,
  type SnapshotSeriesCommand,
} from './ipc-protocol.ts';
import type { MemoryWatcher } from './watcher.ts';

type SendReply = (reply: CommandReply) => void;

/** A series longer than this is a mistake, not a request: each snapshot pauses the host. */
const MAX_SERIES = 10;
const MAX_INTERVAL_MS = 3_600_000;

/**
 * Answers the parent memwatcher's commands on the IPC channel (see {@link AgentCommand}). Returns a
 * function that stops listening.
 *
 * Listening on `message` would keep the host alive as long as memwatcher holds the channel open, so
 * the channel is unref()ed: the host exits when its own work is done, as it would without memwatcher
 * (started from a shell it has no channel at all). Messages that are not memwatcher commands are
 * left to the host's own listeners.
 */
export function answerIpcCommands(watcher: MemoryWatcher, send: SendReply): () => void {
  const onMessage = (message: unknown) => {
    if (!isAgentCommand(message)) return;
    void answer(watcher, message).then((reply) => {
      try {
        send(reply);
      } catch {
        // The channel closed: the parent is gone, nobody waits for the reply.
      }
    });
  };
  process.on('message', onMessage);
  process.channel?.unref();
  return () => {
    process.off('message', onMessage);
  };
}

/** Never rejects: every outcome is a reply. */
export async function answer(watcher: MemoryWatcher, command: AgentCommand): Promise<CommandReply> {
  const reply = (fields: Pick<CommandReply, 'ok' | 'files' | 'code' | 'message'>): CommandReply => ({
    source: 'memwatcher',
    v: IPC_PROTOCOL_VERSION,
    pid: process.pid,
    time: Date.now(),
    type: 'reply',
    id: command.id,
    ...fields,
  });
  if (command.command !== 'snapshot-series') {
    return reply({
      ok: false,
      files: [],
      code: 'ERR_UNKNOWN_COMMAND',
      message: `unknown command '${String(command.command)}'`,
    });
  }
  const problem = checkSeries(command);
  if (problem !== undefined)
    return reply({ ok: false, files: [], code: 'ERR_INVALID_OPTION', message: problem });
  const files: string[] = [];
  let lease: InspectorLease | undefined;
  try {
    // Loaded by the first command, not with the preload: most watched processes never get one.
    const { acquireInspectorSession } = await import('./inspector-session.ts');
    // One session across the series: object ids restart whenever the last session disconnects.
    lease = await acquireInspectorSession();
    for (let index = 0; index < command.count; index++) {
      if (index > 0) await sleep(command.intervalMs);
      const outcome = await watcher.captureSnapshot({
        dir: command.dir,
        label: `${command.label}-${index + 1}`,
      });
      if (outcome.status === 'captured') {
        files.push(outcome.file);
      } else if (outcome.status === 'failed') {
        return reply({ ok: false, files, code: outcome.error.code, message: outcome.error.message });
      } else {
        return reply({
          ok: false,
          files,
          code: 'ERR_SNAPSHOT_CAPTURE',
          message: `heap snapshot ${index + 1} was skipped (${outcome.why})`,
        });
      }
    }
    return reply({ ok: true, files, code: null, message: null });
  } catch (error) {
    return reply({
      ok: false,
      files,
      code: isMemwatcherError(error) ? error.code : 'ERR_AGENT_INTERNAL',
      message: error instanceof Error ? error.message : String(error),
    });
  } finally {
    lease?.release();
  }
}

function checkSeries(command: SnapshotSeriesCommand): string | undefined {
  if (typeof command.dir !== 'string' || command.dir === '') return 'dir must be a directory path';
  if (!Number.isInteger(command.count) || command.count < 1 || command.count > MAX_SERIES)
    return `count must be a whole number from 1 to ${MAX_SERIES}`;
  if (
    typeof command.intervalMs !== 'number' ||
    !(command.intervalMs >= 0 && command.intervalMs <= MAX_INTERVAL_MS)
  )
    return `intervalMs must be between 0 and ${MAX_INTERVAL_MS}`;
  if (typeof command.label !== 'string') return 'label must be a string';
  return undefined;
}

/** Unref()ed: a host that finishes its work mid-series exits instead of waiting for the next snapshot. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
