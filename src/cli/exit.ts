import { constants } from 'node:os';
import { isMemwatcherError } from '../errors.ts';

/** The CLI's exit codes; scripts rely on them (documented in `memwatcher --help`). */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  badInput: 3,
  /** The process to attach to could not be reached through its inspector, or was lost. */
  attach: 4,
  /** `run`: the command exists but cannot be executed (as shells say it). */
  notExecutable: 126,
  /** `run`: no such command (as shells say it). */
  notFound: 127,
  interrupted: 130,
} as const;

/**
 * How a child process ended, as a shell reports it: its exit code, or 128 + the number of the signal
 * that ended it.
 */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const number = signal === null ? undefined : constants.signals[signal];
  return number === undefined ? 1 : 128 + number;
}

export interface Failure {
  exitCode: number;
  /** What to print on stderr: one line, or the line plus a stack trace with `MEMWATCHER_DEBUG=1`. */
  message: string;
}

const usageCodes = new Set(['ERR_USAGE', 'ERR_INVALID_OPTION']);
const targetCodes = new Set([
  'ERR_NO_SUCH_PROCESS',
  'ERR_NOT_NODE',
  'ERR_PROCESS_PERMISSION',
  // A history file that is missing, not one, from a newer memwatcher, or damaged; a chart with nothing to draw.
  'ERR_STORE_OPEN',
  'ERR_STORE_VERSION',
  'ERR_STORE_READ',
  // This Node has no node:sqlite (older than 22.5, or started with --no-experimental-sqlite): not a bug of ours.
  'ERR_STORE_UNAVAILABLE',
  'ERR_CHART_EMPTY',
]);

// V8's messages when a typed array or ArrayBuffer cannot be allocated: the input is bigger than
// this machine can hold, which is a property of the input, not a bug.
const outOfMemory = /Array buffer allocation failed|Invalid typed array length|Invalid array buffer length/;

/**
 * Maps anything a command threw to an exit code and one clear line for stderr — never a stack
 * trace unless `MEMWATCHER_DEBUG=1`.
 *
 * @example
 * const { exitCode, message } = describeFailure(error, process.env);
 * process.stderr.write(`${message}\n`);
 * process.exitCode = exitCode;
 */
export function describeFailure(error: unknown, env: NodeJS.ProcessEnv): Failure {
  const failure = classify(error);
  const debug =
    env.MEMWATCHER_DEBUG !== undefined && env.MEMWATCHER_DEBUG !== '' && env.MEMWATCHER_DEBUG !== '0';
  if (!debug) return failure;
  return { exitCode: failure.exitCode, message: `${failure.message}\n${stackOf(error)}` };
}

function classify(error: unknown): Failure {
  if (isMemwatcherError(error)) {
    const message = `memwatcher: ${oneLine(error.message)}`;
    if (usageCodes.has(error.code)) return { exitCode: ExitCode.usage, message };
    if (
      error.code === 'ERR_FILE_ACCESS' ||
      error.code.startsWith('ERR_SNAPSHOT_') ||
      error.code === 'ERR_ANALYSIS_OUT_OF_MEMORY'
    ) {
      return { exitCode: ExitCode.badInput, message };
    }
    // A PID that names no usable process is bad input (as is an unreadable history); an inspector that
    // cannot be used is its own case.
    if (targetCodes.has(error.code)) return { exitCode: ExitCode.badInput, message };
    if (error.code.startsWith('ERR_INSPECTOR_') || error.code === 'ERR_TARGET_EXITED') {
      return { exitCode: ExitCode.attach, message };
    }
    if (error.code === 'ERR_COMMAND_NOT_FOUND') return { exitCode: ExitCode.notFound, message };
    if (error.code === 'ERR_COMMAND_NOT_EXECUTABLE') return { exitCode: ExitCode.notExecutable, message };
    if (error.code === 'ERR_ABORTED')
      return { exitCode: ExitCode.interrupted, message: 'memwatcher: interrupted' };
    // A deliberate error of a kind this table does not know yet: its message is still meant for users.
    return { exitCode: ExitCode.internal, message };
  }
  // A bare `signal.throwIfAborted()` or an aborted Node API (fs, child_process) throws an AbortError.
  if (error instanceof Error && error.name === 'AbortError') {
    return { exitCode: ExitCode.interrupted, message: 'memwatcher: interrupted' };
  }
  if (error instanceof RangeError && outOfMemory.test(error.message)) {
    return {
      exitCode: ExitCode.badInput,
      message: `memwatcher: the snapshot is too large for this machine's memory (${oneLine(
        error.message,
      )}); analyze it on a machine with more free memory.`,
    };
  }
  const text = error instanceof Error ? error.message : String(error);
  return {
    exitCode: ExitCode.internal,
    message: `memwatcher: internal error: ${oneLine(text)} (set MEMWATCHER_DEBUG=1 for a stack trace)`,
  };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function stackOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  let text = error.stack ?? `${error.name}: ${error.message}`;
  let cause = error.cause;
  // Causes carry the underlying system or parser error: show them all when debugging.
  for (let depth = 0; cause !== undefined && depth < 5; depth++) {
    text += `\nCaused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`;
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return text;
}
