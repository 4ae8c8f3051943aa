import { spawn } from 'node:child_process';
import { isBuiltin } from 'node:module';
import { exitCodeOf } from './exit.ts';

/**
 * History files are SQLite through `node:sqlite`, which Node 22.5–22.12 only provides behind
 * `--experimental-sqlite` (22.13 dropped the flag; 22.12 is the oldest Node memwatcher supports).
 * A `memwatcher` started by its bin there cannot turn the flag on by itself, so when a command needs
 * history the CLI starts itself again, once, with the flag, and stands aside: same arguments, same
 * terminal, same exit code. Every other command, and every Node that has `node:sqlite`, runs as is.
 */

/** Commands that always read a history file. */
const historyCommands = new Set(['report', 'chart', 'dashboard']);
/** Commands that write one only when given `--db`. */
const recordingCommands = new Set(['run', 'attach', 'watch']);

export interface SqliteRelaunchFacts {
  /** The CLI's arguments, without `node` and the script. */
  readonly args: readonly string[];
  /** Whether `node:sqlite` can be loaded now (`isBuiltin('node:sqlite')`, which does not load it). */
  readonly hasSqlite: boolean;
  /**
   * `process.execArgv`: a process already started with the flag is never started again, and one
   * started with `--no-experimental-sqlite` is left as the user asked (the store then says what is missing).
   */
  readonly execArgv: readonly string[];
}

/**
 * The Node flags to start the CLI again with, or `undefined` to go on in this process. Pure.
 *
 * @example
 * sqliteRelaunchFlags({ args: ['report', 'h.db'], hasSqlite: false, execArgv: [] }); // ['--experimental-sqlite']
 */
export function sqliteRelaunchFlags(facts: SqliteRelaunchFacts): string[] | undefined {
  if (facts.hasSqlite) return undefined;
  if (facts.execArgv.some((arg) => arg === '--experimental-sqlite' || arg === '--no-experimental-sqlite')) {
    return undefined;
  }
  if (!needsHistory(facts.args)) return undefined;
  return [...facts.execArgv, '--experimental-sqlite'];
}

function needsHistory(args: readonly string[]): boolean {
  const [command, ...rest] = args;
  if (command === undefined) return false;
  if (historyCommands.has(command)) return true;
  if (!recordingCommands.has(command)) return false;
  // Only memwatcher's own flags: after `--` come the watched command's arguments.
  const end = rest.indexOf('--');
  const own = end === -1 ? rest : rest.slice(0, end);
  return own.some((arg) => arg === '--db' || arg.startsWith('--db='));
}

/** {@link sqliteRelaunchFlags} for this process. */
export function sqliteRelaunchFlagsHere(): string[] | undefined {
  return sqliteRelaunchFlags({
    args: process.argv.slice(2),
    hasSqlite: isBuiltin('node:sqlite'),
    execArgv: process.execArgv,
  });
}

/**
 * Runs this CLI again in a child Node with `flags`, sharing the terminal, and resolves with the exit
 * code to leave with. When the child dies of a signal, this process dies of the same one.
 */
export function relaunchWithFlags(flags: readonly string[]): Promise<number> {
  const script = process.argv[1] ?? '';
  const child = spawn(process.execPath, [...flags, script, ...process.argv.slice(2)], { stdio: 'inherit' });
  // Ctrl-C in a terminal reaches the whole foreground process group, the child included, which has
  // its own handling (first Ctrl-C: clean up and exit 130; second: leave at once). Forwarding it would
  // make one Ctrl-C count twice, so this process only ignores it. Other termination signals usually
  // come from a supervisor to this pid alone: they are passed on.
  const ignore = () => {};
  const forward = (signal: NodeJS.Signals) => {
    child.kill(signal);
  };
  const forwarded: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];
  process.on('SIGINT', ignore);
  for (const signal of forwarded) process.on(signal, forward);
  const stopListening = () => {
    process.off('SIGINT', ignore);
    for (const signal of forwarded) process.off(signal, forward);
  };
  return new Promise((resolve) => {
    child.once('error', (error) => {
      stopListening();
      process.stderr.write(
        `memwatcher: cannot start Node again with --experimental-sqlite (needed for history files on ${process.version}): ${error.message}. Use Node 22.13 or later.\n`,
      );
      resolve(1);
    });
    child.once('exit', (code, signal) => {
      stopListening();
      // Only goes on if that signal does not end a process: then exit as a shell would report it.
      if (signal !== null) process.kill(process.pid, signal);
      resolve(exitCodeOf(code, signal));
    });
  });
}
