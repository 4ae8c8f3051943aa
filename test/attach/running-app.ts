/**
 * Starts `fixtures/running-app.mjs` — a Node program started without memwatcher — and talks to it over
 * its stdin/stdout: `status()` asks it whether its inspector is open, how many GC observers are
 * connected and whether globals were added; `exit()` asks it to end and resolves with how it ended.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const app = fileURLToPath(new URL('./fixtures/running-app.mjs', import.meta.url));

export interface AppStatus {
  pid: number;
  inspectorUrl: string | null;
  observers: number;
  addedGlobals: number;
  addedSymbols: number;
  ticks: number;
  leaked: number;
}

export interface RunningApp {
  readonly pid: number;
  readonly child: ChildProcess;
  /** What it printed on stderr so far (Node's "Debugger listening on …" lines land here). */
  stderr(): string;
  status(): Promise<AppStatus>;
  /** Asks it to end; resolves with its exit code, signal and last stdout line. */
  exit(): Promise<{ code: number | null; signal: NodeJS.Signals | null; lastLine: string }>;
  /** SIGKILL, for cleanup after a failed test. */
  kill(): void;
}

export async function startRunningApp(
  mode: 'leak' | 'steady',
  options: { node?: string; execArgv?: readonly string[] } = {},
): Promise<RunningApp> {
  const child = spawn(options.node ?? process.execPath, [...(options.execArgv ?? []), app, mode], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  let lastLine = '';
  lines.on('line', (line) => {
    lastLine = line;
    waiting.shift()?.(line);
  });
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the app did not answer; its stderr: ${stderr}`)),
        10_000,
      );
      waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  const ready = await nextLine();
  if (!ready.startsWith('ready ')) throw new Error(`the app did not start: ${ready} ${stderr}`);
  return {
    pid: child.pid!,
    child,
    stderr: () => stderr,
    async status() {
      const answer = nextLine();
      child.stdin!.write('status\n');
      return JSON.parse(await answer) as AppStatus;
    },
    async exit() {
      child.stdin!.write('exit\n');
      const end = await closed;
      return { ...end, lastLine };
    },
    kill() {
      child.kill('SIGKILL');
    },
  };
}

/** A TCP port nothing listens on right now (the kernel's pick). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** Whether something accepts connections on 127.0.0.1:`port`. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createServer().listen(port, '127.0.0.1');
    socket.on('listening', () => socket.close(() => resolve(false)));
    socket.on('error', () => resolve(true));
  });
}
