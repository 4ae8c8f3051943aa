import type { ChildProcess } from 'node:child_process';
import {
  type AgentMessage,
  type CommandReply,
  IPC_PROTOCOL_VERSION,
  isAgentMessage,
  isCommandReply,
  type SnapshotSeriesCommand,
} from '../agent/ipc-protocol.ts';
import { AbortedError, CollectorFaultError } from '../errors.ts';
import type { SnapshotSeriesCapture, SnapshotSeriesRequest } from './leak-evidence.ts';

/**
 * The IPC channel of a child started by `run`: agent messages in (anything else the program sends
 * is ignored), snapshot commands out. The agent says `hello` first; until then nothing can be asked.
 *
 * @example
 * const channel = new AgentChannel(child, (message) => collector.acceptAgentMessage(message));
 * channel.onHello(() => sampler.stop());
 * const files = await channel.snapshotSeries({ dir, count: 3, intervalMs: 10_000, label: 'leak' });
 */
export class AgentChannel {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, (reply: CommandReply | Error) => void>();
  private readonly helloListeners: ((pid: number) => void)[] = [];
  private nextId = 1;
  private agentPid: number | undefined;

  constructor(child: ChildProcess, onMessage: (message: AgentMessage) => void) {
    this.child = child;
    child.on('message', (message) => {
      if (isCommandReply(message)) {
        this.pending.get(message.id)?.(message);
        return;
      }
      if (!isAgentMessage(message)) return;
      if (message.type === 'hello' && this.agentPid === undefined) {
        this.agentPid = message.pid;
        for (const listener of this.helloListeners) listener(message.pid);
      }
      onMessage(message);
    });
    const gone = () => this.failPending('the watched process exited before it answered');
    child.on('disconnect', gone);
    child.on('exit', gone);
  }

  /** The pid of the process whose agent said hello (the child itself), once it did. */
  get pid(): number | undefined {
    return this.agentPid;
  }

  onHello(listener: (pid: number) => void): void {
    if (this.agentPid !== undefined) listener(this.agentPid);
    else this.helloListeners.push(listener);
  }

  /** Asks the agent for a series of heap snapshots; resolves with the files, in order. */
  readonly snapshotSeries: SnapshotSeriesCapture = (request) => this.askSeries(request);

  private askSeries(request: SnapshotSeriesRequest): Promise<readonly string[]> {
    if (this.agentPid === undefined || !this.child.connected) {
      return Promise.reject(
        new CollectorFaultError('ERR_LEAK_EVIDENCE', 'no agent is connected to take heap snapshots'),
      );
    }
    const id = this.nextId++;
    const command: SnapshotSeriesCommand = {
      source: 'memwatcher',
      v: IPC_PROTOCOL_VERSION,
      type: 'command',
      command: 'snapshot-series',
      id,
      dir: request.dir,
      count: request.count,
      intervalMs: request.intervalMs,
      label: request.label,
    };
    return new Promise<readonly string[]>((resolve, reject) => {
      const onAbort = () => settle(new AbortedError('The heap snapshot series was aborted.'));
      const settle = (reply: CommandReply | Error) => {
        this.pending.delete(id);
        request.signal?.removeEventListener('abort', onAbort);
        if (reply instanceof Error) reject(reply);
        else if (reply.ok) resolve(reply.files);
        else
          reject(
            new CollectorFaultError(
              'ERR_LEAK_EVIDENCE',
              `the agent could not take the heap snapshots (${reply.code}): ${reply.message}`,
            ),
          );
      };
      this.pending.set(id, settle);
      request.signal?.addEventListener('abort', onAbort, { once: true });
      this.child.send(command, (error) => {
        if (error !== null)
          settle(
            new CollectorFaultError(
              'ERR_LEAK_EVIDENCE',
              `the command did not reach the agent: ${error.message}`,
            ),
          );
      });
    });
  }

  private failPending(why: string): void {
    for (const settle of [...this.pending.values()])
      settle(new CollectorFaultError('ERR_LEAK_EVIDENCE', why));
  }
}
