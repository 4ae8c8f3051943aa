import { setTimeout as sleep } from 'node:timers/promises';
import { AbortedError, AttachError } from '../errors.ts';
import { CdpConnection } from './cdp-connection.ts';
import { evaluateInTarget } from './evaluate.ts';
import { type InspectorAddress, isLoopbackHost, urlHost } from './inspector-address.ts';
import { checkedWebSocketUrl, readInspectorList } from './inspector-list.ts';
import { checkTargetProcess, isProcessAlive, type TargetProcess } from './target-process.ts';

export interface AttachOptions {
  /** The inspector port, when the process's own options do not tell (default: from them, else 9229). */
  readonly port?: number;
  /** How long the process may take to open its inspector after SIGUSR1. Default 5 s. */
  readonly openTimeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** How detaching went: whether the process was left as it was found. */
export interface DetachOutcome {
  /** The inspector was open before memwatcher came, and was left open. */
  readonly leftOpen: boolean;
  /** memwatcher opened it and closed it again (verified: the port no longer answers). */
  readonly closed: boolean;
  /** The process exited while attached. */
  readonly exited: boolean;
  /** Why the inspector could not be closed, when it could not. */
  readonly problem: string | null;
}

/** An inspector session on a running Node process, opened by {@link attachInspector}. */
export interface AttachedInspector {
  readonly pid: number;
  readonly target: TargetProcess;
  readonly connection: CdpConnection;
  /** Where the inspector listens. */
  readonly address: InspectorAddress;
  /** Whether the inspector was already open before memwatcher came (then it stays open). */
  readonly wasOpen: boolean;
  /**
   * Leaves the process as it was: closes the inspector if memwatcher opened it, then disconnects.
   * `exiting`: the program has ended and Node only waits for this connection to go, so just go (and
   * wait a moment for the process to end). Never throws; safe to call twice (the second call returns
   * the first outcome).
   */
  detach(options?: { exiting?: boolean }): Promise<DetachOutcome>;
}

const POLL_MS = 50;

/**
 * Attaches to a running Node process through its inspector, the way `node inspect -p <pid>` does:
 * checks the PID (see `checkTargetProcess`: never signals a process that is not Node), looks whether
 * its inspector is already open (then uses it and leaves it open), otherwise sends SIGUSR1
 * (`process._debugProcess`) and waits for `/json/list` on loopback. The process's identity is
 * checked through the connection (`process.pid`), so an inspector of another process on the same
 * port is never used.
 *
 * Note: when a session disconnects, V8 forgets its heap object ids. Snapshots that must be compared
 * by object id have to be taken within one attachment.
 *
 * @example
 * const attached = await attachInspector(4242, { signal });
 * try { await takeHeapSnapshotToFile(attached.connection, 'app.heapsnapshot'); }
 * finally { await attached.detach(); }
 */
export async function attachInspector(pid: number, options: AttachOptions = {}): Promise<AttachedInspector> {
  const target = await checkTargetProcess(pid);
  const address: InspectorAddress =
    options.port === undefined
      ? target.inspectorAddress
      : { host: target.inspectorAddress.host, port: options.port, setBy: `--port ${options.port}` };
  if (!isLoopbackHost(address.host)) {
    throw new AttachError(
      'ERR_INSPECTOR_NOT_LOOPBACK',
      pid,
      `Process ${pid} would open its inspector on ${address.host}, reachable from other machines ` +
        `(${address.setBy}). memwatcher only uses inspectors on loopback: restart the program with ` +
        `--inspect-port=127.0.0.1:${address.port}.`,
    );
  }
  options.signal?.throwIfAborted();

  const before = await readInspectorList(address.host, address.port, pid);
  if (before !== null) {
    // Open already: ours (leave it open afterwards) or another process's (the port is busy).
    const connection = await connectAndIdentify(before, address, pid);
    return attached(target, connection, address, true);
  }

  sendDebugSignal(pid);
  const timeoutMs = options.openTimeoutMs ?? 5000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (options.signal?.aborted) throw new AbortedError('Interrupted while waiting for the inspector.');
    const listing = await readInspectorList(address.host, address.port, pid);
    if (listing !== null) {
      const connection = await connectAndIdentify(listing, address, pid);
      return attached(target, connection, address, false);
    }
    if (!(await isProcessAlive(pid))) {
      throw new AttachError(
        'ERR_TARGET_EXITED',
        pid,
        `Process ${pid} exited after it was sent SIGUSR1 to open its inspector.`,
      );
    }
    if (Date.now() >= deadline) {
      throw new AttachError(
        'ERR_INSPECTOR_UNREACHABLE',
        pid,
        `Process ${pid} did not open its inspector on ${urlHost(address.host)}:${address.port} within ${timeoutMs} ms ` +
          `(port from: ${address.setBy}). If it was started with another --inspect-port, pass --port; ` +
          'its stderr may say why (e.g. "address already in use").',
      );
    }
    await sleep(POLL_MS);
  }
}

function sendDebugSignal(pid: number): void {
  // What `node inspect -p` uses: SIGUSR1 on POSIX, a remote thread on Windows.
  const debugProcess = (process as unknown as { _debugProcess?: (pid: number) => void })._debugProcess;
  try {
    if (typeof debugProcess === 'function') debugProcess.call(process, pid);
    else process.kill(pid, 'SIGUSR1');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new AttachError(
      code === 'EPERM' ? 'ERR_PROCESS_PERMISSION' : 'ERR_NO_SUCH_PROCESS',
      pid,
      code === 'EPERM'
        ? `Process ${pid} belongs to another user: memwatcher may not signal it.`
        : `Could not signal process ${pid}: ${(cause as Error).message}.`,
      { cause },
    );
  }
}

async function connectAndIdentify(
  listing: NonNullable<Awaited<ReturnType<typeof readInspectorList>>>,
  address: InspectorAddress,
  pid: number,
): Promise<CdpConnection> {
  const where = `${urlHost(address.host)}:${address.port}`;
  const first = listing[0];
  if (first === undefined) {
    throw new AttachError(
      'ERR_INSPECTOR_UNREACHABLE',
      pid,
      `The inspector on ${where} lists no target to attach to.`,
    );
  }
  const connection = await CdpConnection.open(checkedWebSocketUrl(first, address.port, pid), { pid });
  let actualPid: unknown;
  try {
    actualPid = await evaluateInTarget(connection, 'process.pid');
  } catch (error) {
    await connection.close();
    throw error;
  }
  if (actualPid !== pid) {
    await connection.close();
    throw new AttachError(
      'ERR_INSPECTOR_PORT_BUSY',
      pid,
      `Port ${where} is taken by the inspector of another process (PID ${String(actualPid)}), so process ${pid} ` +
        `cannot open its inspector there. Stop that one's inspector, or pass --port with the port process ${pid} uses.`,
    );
  }
  return connection;
}

function attached(
  target: TargetProcess,
  connection: CdpConnection,
  address: InspectorAddress,
  wasOpen: boolean,
): AttachedInspector {
  let outcome: Promise<DetachOutcome> | undefined;
  return {
    pid: target.pid,
    target,
    connection,
    address,
    wasOpen,
    detach(options = {}) {
      outcome ??=
        options.exiting === true
          ? leaveExitingProcess(target.pid, connection)
          : detach(target.pid, connection, address, wasOpen);
      return outcome;
    },
  };
}

// Closing from a later turn of the event loop lets the evaluation answer first; `close()` then drops
// every session (ours included) and stops listening. `getBuiltinModule` works in ES modules and
// CommonJS alike (Node 20.16, 22.3); the command-line API's `require` covers older processes.
const CLOSE_INSPECTOR = `setImmediate(() => {
  const load = typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule : require;
  load('node:inspector').close();
}); true`;

async function detach(
  pid: number,
  connection: CdpConnection,
  address: InspectorAddress,
  wasOpen: boolean,
): Promise<DetachOutcome> {
  if (wasOpen) {
    await connection.close();
    return { leftOpen: true, closed: false, exited: !(await isProcessAlive(pid)), problem: null };
  }
  if (connection.isOpen) {
    try {
      // Queued behind whatever the process is doing for us (a heap snapshot still being written after
      // Ctrl-C): wait for it rather than leave the inspector open.
      await evaluateInTarget(connection, CLOSE_INSPECTOR, { commandLineApi: true, timeoutMs: 120_000 });
      await Promise.race([connection.closed, sleep(3000)]);
    } catch {
      // Reported below from what the port says.
    }
  }
  await connection.close();
  if (!(await isProcessAlive(pid))) return { leftOpen: false, closed: false, exited: true, problem: null };
  // The port is the proof: an inspector that no longer answers is closed.
  for (let attempt = 0; attempt < 20; attempt++) {
    const listing = await readInspectorList(address.host, address.port, pid).catch(() => undefined);
    if (listing === null) return { leftOpen: false, closed: true, exited: false, problem: null };
    await sleep(POLL_MS);
  }
  return {
    leftOpen: false,
    closed: false,
    exited: false,
    problem: `the inspector of process ${pid} still answers on ${urlHost(address.host)}:${address.port}`,
  };
}

async function leaveExitingProcess(pid: number, connection: CdpConnection): Promise<DetachOutcome> {
  await connection.close();
  for (let attempt = 0; attempt < 60; attempt++) {
    if (!(await isProcessAlive(pid))) return { leftOpen: false, closed: false, exited: true, problem: null };
    await sleep(POLL_MS);
  }
  return {
    leftOpen: false,
    closed: false,
    exited: false,
    problem: `process ${pid} ended its program but had not exited 3 s after memwatcher disconnected`,
  };
}
