import { AttachError } from '../errors.ts';

interface PendingCommand {
  readonly method: string;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout | undefined;
}

export interface CdpCommandOptions {
  /** Give up after this long (the command may still run in the target). Default 10 s; 0: no limit. */
  readonly timeoutMs?: number;
}

const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;

/**
 * One Chrome DevTools Protocol connection to a Node process's inspector, over Node's built-in
 * `WebSocket` (a JSON message per frame: commands with an `id` and their answers, events without).
 * Failures are `AttachError`s naming the process: `ERR_INSPECTOR_UNREACHABLE` while connecting,
 * `ERR_INSPECTOR_PROTOCOL` for a refused or timed-out command or a dropped connection.
 *
 * @example
 * const connection = await CdpConnection.open('ws://127.0.0.1:9229/…', { pid });
 * const { result } = await connection.send<{ result: { value: number } }>('Runtime.evaluate', { expression: '1 + 1', returnByValue: true });
 * await connection.close();
 */
export class CdpConnection {
  readonly pid: number;
  /** Resolves when the socket is closed, by either side. */
  readonly closed: Promise<void>;
  private readonly socket: WebSocket;
  private readonly pending = new Map<number, PendingCommand>();
  private readonly listeners = new Map<string, Set<(params: unknown) => void>>();
  private nextId = 1;
  private isClosed = false;

  private constructor(socket: WebSocket, pid: number) {
    this.socket = socket;
    this.pid = pid;
    this.closed = new Promise((resolve) => {
      socket.addEventListener('close', () => {
        this.isClosed = true;
        const error = new AttachError(
          'ERR_INSPECTOR_PROTOCOL',
          pid,
          `The inspector connection to process ${pid} closed (did the process exit?).`,
        );
        for (const command of this.pending.values()) {
          clearTimeout(command.timer);
          command.reject(error);
        }
        this.pending.clear();
        resolve();
      });
    });
    socket.addEventListener('message', (event) => this.onMessage(event.data));
  }

  /** Connects to an inspector's WebSocket URL (take it from `/json/list`, see `findInspectorTarget`). */
  static open(url: string, options: { pid: number; timeoutMs?: number }): Promise<CdpConnection> {
    const { pid } = options;
    return new Promise((resolve, reject) => {
      let socket: WebSocket;
      try {
        socket = new WebSocket(url);
      } catch (cause) {
        reject(new AttachError('ERR_INSPECTOR_UNREACHABLE', pid, `Bad inspector URL ${url}.`, { cause }));
        return;
      }
      const timer = setTimeout(() => {
        socket.close();
        reject(
          new AttachError(
            'ERR_INSPECTOR_UNREACHABLE',
            pid,
            `The inspector of process ${pid} at ${url} did not accept a connection within ${options.timeoutMs ?? 5000} ms.`,
          ),
        );
      }, options.timeoutMs ?? 5000);
      socket.addEventListener('open', () => {
        clearTimeout(timer);
        resolve(new CdpConnection(socket, pid));
      });
      socket.addEventListener('error', () => {
        clearTimeout(timer);
        reject(
          new AttachError(
            'ERR_INSPECTOR_UNREACHABLE',
            pid,
            `Could not connect to the inspector of process ${pid} at ${url} (another debugger may hold it).`,
          ),
        );
      });
    });
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  /** Sends a command and resolves with its `result`; rejects with `ERR_INSPECTOR_PROTOCOL`. */
  send<Result = unknown>(
    method: string,
    params: object = {},
    options: CdpCommandOptions = {},
  ): Promise<Result> {
    if (this.isClosed) {
      return Promise.reject(
        new AttachError(
          'ERR_INSPECTOR_PROTOCOL',
          this.pid,
          `Cannot send ${method}: the inspector connection to process ${this.pid} is closed.`,
        ),
      );
    }
    const id = this.nextId++;
    const timeoutMs = options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    return new Promise<Result>((resolve, reject) => {
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              this.pending.delete(id);
              reject(
                new AttachError(
                  'ERR_INSPECTOR_PROTOCOL',
                  this.pid,
                  `Process ${this.pid} did not answer ${method} within ${timeoutMs} ms.`,
                ),
              );
            }, timeoutMs)
          : undefined;
      this.pending.set(id, { method, resolve: resolve as (result: unknown) => void, reject, timer });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Listens to one event; returns a function that stops listening. */
  on(method: string, listener: (params: unknown) => void): () => void {
    let set = this.listeners.get(method);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(method, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Closes the socket and waits until it is closed. */
  async close(): Promise<void> {
    if (!this.isClosed) this.socket.close();
    await this.closed;
  }

  private onMessage(data: unknown): void {
    let message: {
      id?: number;
      method?: string;
      params?: unknown;
      result?: unknown;
      error?: { message?: string };
    };
    try {
      message = JSON.parse(String(data));
    } catch {
      return; // Not ours to judge: the protocol only sends JSON.
    }
    if (typeof message.id === 'number') {
      const command = this.pending.get(message.id);
      if (command === undefined) return; // answered after its timeout
      this.pending.delete(message.id);
      clearTimeout(command.timer);
      if (message.error !== undefined) {
        command.reject(
          new AttachError(
            'ERR_INSPECTOR_PROTOCOL',
            this.pid,
            `Process ${this.pid} refused ${command.method}: ${message.error.message ?? 'unknown error'}.`,
          ),
        );
      } else {
        command.resolve(message.result);
      }
      return;
    }
    if (typeof message.method === 'string') {
      for (const listener of this.listeners.get(message.method) ?? []) listener(message.params);
    }
  }
}
