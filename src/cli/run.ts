import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { AgentChannel } from '../collector/agent-channel.ts';
import { agentEnvironment, isNodeProgram, resolveCommand } from '../collector/launch.ts';
import { ProcSampler } from '../collector/proc-sampler.ts';
import { WatchSession } from '../collector/session.ts';
import { CommandStartError } from '../errors.ts';
import { shouldUseColor } from './color.ts';
import { defineCommand } from './command.ts';
import { exitCodeOf } from './exit.ts';
import { type ServeFlags, serveFlagDefinitions, serveSession } from './serve-options.ts';
import {
  collectorOptionsFromFlags,
  onLeakSnapshotsFromFlags,
  type WatchFlags,
  watchFlagDefinitions,
  withFlagNames,
} from './watch-options.ts';

/**
 * How long a Node program has to load the agent and say hello before memwatcher watches its process
 * tree from outside instead (`npm start`: npm passes the agent on to the app, but not the IPC channel).
 */
const HELLO_WAIT_MS = 3000;

/** Signals passed on to the command. SIGINT too: a shell's Ctrl-C reaches both, `kill -INT` only us. */
const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'];

export const runCommand = defineCommand<WatchFlags & ServeFlags>({
  name: 'run',
  summary: 'Run a command and watch its memory: live status, leak verdict, alerts, history, report.',
  usage: '[options] -- <command> [args...]',
  description: `
Runs the command and watches it until it exits; memwatcher then exits with the command's exit code
(128 + the signal number when a signal ended it). SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGUSR2 are
passed on to it. Its stdin, stdout and stderr are its own; memwatcher writes only to stderr.

Node programs (node, or a script whose #! line runs node, such as npm or npx) get the agent through
NODE_OPTIONS=--import and report over an IPC channel: JS heap, floor after each major GC, external
memory, GC pauses, and the leak verdict judged on the heap floor. For 'npm start' (and npx, pnpm,
yarn), npm passes the agent on to the app it starts; npm gives the app no IPC channel, so the app's
agent prints its verdicts on stderr and memwatcher watches the whole process tree from outside.

Any other program (Python, Java, a binary) is watched from outside through /proc: RSS, peak RSS,
swap, threads (summed over the process and its children), judged by the same verdict code on the
lowest RSS of each stretch of the window.

On a terminal, one status line on stderr shows RSS, heap, floor, growth per minute and the verdict.
Leaks, alerts and errors are printed as lines; a summary when the command ends. Durations take ms,
s, m, h (a bare number is seconds); sizes take KB, MB, GB (powers of 1024).`,
  flags: { ...watchFlagDefinitions, ...serveFlagDefinitions },
  positionals: { name: 'command', min: 1, max: Number.POSITIVE_INFINITY },
  examples: [
    'memwatcher run -- node server.js',
    'memwatcher run --events run.ndjson --report report.html -- python3 worker.py',
    'memwatcher run --on-leak snapshot --db history.db -- npm start',
    'memwatcher run --serve 8080 -- node server.js',
    'memwatcher run --alert-rss 1.5GB --webhook https://hooks.example.com/T000/B000/XXXX -- java -jar app.jar',
  ],
  async run({ options, positionals, context }) {
    const [command, ...args] = positionals as [string, ...string[]];
    const program = await resolveCommand(command, context.env);
    if (program === undefined && command.includes('/') && existsSync(command)) {
      throw new CommandStartError(
        'ERR_COMMAND_NOT_EXECUTABLE',
        `cannot run '${command}': it is not an executable file (chmod +x it, or name its interpreter: 'memwatcher run -- python3 ${command}').`,
      );
    }
    if (program === undefined) {
      throw new CommandStartError(
        'ERR_COMMAND_NOT_FOUND',
        `cannot run '${command}': no such ${command.includes('/') ? 'file' : 'command on PATH'}.`,
      );
    }
    const node = await isNodeProgram(program);
    let session: WatchSession;
    try {
      session = await WatchSession.open({
        mode: 'run',
        command: positionals,
        collector: collectorOptionsFromFlags(options),
        events: options.events,
        db: options.db,
        report: options.report,
        onLeakSnapshots: onLeakSnapshotsFromFlags(options),
        stderr: context.stderr,
        quiet: options.quiet,
        color: shouldUseColor(context.stderr, context.env),
        signal: context.signal,
      });
    } catch (error) {
      throw withFlagNames(error);
    }
    const dashboard = await serveSession(session, options, context, 'run', positionals);

    const child = await start(program, command, args, {
      env: agentEnvironment(context.env, session.collector.settings),
      ipc: node,
    }).catch(async (error: unknown) => {
      await session.finish({ exitCode: null, signal: null, reason: 'stopped' });
      await dashboard?.close();
      throw error;
    });
    const pid = child.pid!;
    session.begin(pid, node ? 'agent' : 'proc');

    const forward = (signal: NodeJS.Signals) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);

    let agentSpoke = false;
    const sampler = new ProcSampler({
      pid,
      intervalMs: session.collector.settings.intervalMs,
      tree: true,
      onSample: (sample) => {
        if (!agentSpoke) session.collector.acceptSample(sample);
      },
    });
    let helloTimer: NodeJS.Timeout | undefined;
    if (node) {
      const channel = new AgentChannel(child, (message) => session.collector.acceptAgentMessage(message));
      channel.onHello((agentPid) => {
        agentSpoke = true;
        clearTimeout(helloTimer);
        sampler.stop();
        session.setSnapshotCapture(channel.snapshotSeries);
        dashboard?.setSnapshotCapture(agentPid, channel.snapshotSeries);
      });
      helloTimer = setTimeout(() => {
        if (!agentSpoke) void sampler.start();
      }, HELLO_WAIT_MS);
    } else {
      void sampler.start();
    }

    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
      (resolve) => child.on('close', (code, signal) => resolve({ code, signal })),
    );
    clearTimeout(helloTimer);
    sampler.stop();
    for (const name of FORWARDED_SIGNALS) process.off(name, forward);
    await session.finish({ exitCode: code, signal, reason: 'exited' });
    await dashboard?.close();
    return exitCodeOf(code, signal);
  },
});

function start(
  program: string,
  command: string,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; ipc: boolean },
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      argv0: command,
      env: options.env,
      stdio: options.ipc ? ['inherit', 'inherit', 'inherit', 'ipc'] : 'inherit',
    });
    child.once('spawn', () => resolve(child));
    child.once('error', (cause: NodeJS.ErrnoException) => {
      const code =
        cause.code === 'EACCES' || cause.code === 'ENOEXEC'
          ? 'ERR_COMMAND_NOT_EXECUTABLE'
          : 'ERR_COMMAND_NOT_FOUND';
      reject(new CommandStartError(code, `cannot run '${command}': ${cause.message}.`, { cause }));
    });
  });
}
