/**
 * Starts the history-writing fixture in its own process and follows its JSON lines. A child still
 * running after `timeoutMs` is killed, so a hang fails the test instead of stalling the suite.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('./fixtures/history-writer-process.ts', import.meta.url));

export interface WriterLine {
  type: 'ready' | 'error' | 'stats';
  [field: string]: unknown;
}

export interface WriterProcess {
  readonly child: ChildProcess;
  readonly lines: WriterLine[];
  readonly stderr: () => string;
  /** Resolves with the first line of this type (rejects if the process ends first). */
  line(type: WriterLine['type']): Promise<WriterLine>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startWriter(
  file: string,
  options: Record<string, unknown>,
  launch: { shellPrefix?: string; timeoutMs?: number } = {},
): WriterProcess {
  const args = [fixture, file, JSON.stringify(options)];
  const child =
    launch.shellPrefix === undefined
      ? spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
      : // `exec "$@"`: the shell becomes the node process, so signals and exit status are its own.
        spawn('sh', ['-c', `${launch.shellPrefix} && exec "$@"`, 'sh', process.execPath, ...args], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
  const lines: WriterLine[] = [];
  const waiting: { type: string; resolve: (line: WriterLine) => void; reject: (error: Error) => void }[] = [];
  let stderr = '';
  let buffered = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
      const line = JSON.parse(buffered.slice(0, end)) as WriterLine;
      buffered = buffered.slice(end + 1);
      lines.push(line);
      for (const waiter of waiting.filter((w) => w.type === line.type)) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), launch.timeoutMs ?? 20_000);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      for (const waiter of waiting.splice(0)) {
        waiter.reject(
          new Error(`the writer process ended (${code ?? signal}) before a '${waiter.type}' line: ${stderr}`),
        );
      }
      resolve({ code, signal });
    });
  });
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    line(type) {
      const seen = lines.find((l) => l.type === type);
      if (seen !== undefined) return Promise.resolve(seen);
      if (child.exitCode !== null || child.signalCode !== null) {
        return Promise.reject(new Error(`the writer process has ended: ${stderr}`));
      }
      return new Promise((resolve, reject) => waiting.push({ type, resolve, reject }));
    },
  };
}
