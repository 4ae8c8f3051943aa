import { UsageError } from '../errors.ts';
import type { Command, CommandContext } from './command.ts';
import { describeFailure, ExitCode } from './exit.ts';
import { readVersion } from './version.ts';

/**
 * Runs one memwatcher command line (without `node` and the script) and returns the exit code. Errors
 * become one line on stderr (see `exit.ts`); nothing here touches `process`.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), commands, context);
 */
export async function runCli(
  args: readonly string[],
  commands: readonly Command[],
  context: CommandContext,
): Promise<number> {
  try {
    return (await dispatch(args, commands, context)) ?? ExitCode.ok;
  } catch (error) {
    const failure = describeFailure(error, context.env);
    context.stderr.write(`${failure.message}\n`);
    return failure.exitCode;
  }
}

async function dispatch(
  args: readonly string[],
  commands: readonly Command[],
  context: CommandContext,
): Promise<number | undefined> {
  const [first, ...rest] = args;
  if (first === undefined) {
    throw new UsageError("missing command. Run 'memwatcher --help' for the list of commands.");
  }
  if (first === '--help' || first === '-h') {
    context.stdout.write(renderHelp(commands));
    return;
  }
  if (first === 'help') {
    const topic = rest[0];
    context.stdout.write(topic === undefined ? renderHelp(commands) : findCommand(topic, commands).help());
    return;
  }
  if (first === '--version' || first === '-v') {
    context.stdout.write(`${readVersion()}\n`);
    return;
  }
  if (first.startsWith('-')) {
    throw new UsageError(`unknown option '${first}'. Run 'memwatcher --help' for usage.`);
  }
  return findCommand(first, commands).execute(rest, context);
}

function findCommand(name: string, commands: readonly Command[]): Command {
  const command = commands.find((candidate) => candidate.name === name);
  if (command === undefined) {
    const names = commands.map((candidate) => candidate.name).join(', ');
    throw new UsageError(
      `unknown command '${name}' (commands: ${names}). Run 'memwatcher --help' for usage.`,
    );
  }
  return command;
}

function renderHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return `memwatcher ${readVersion()}: memory monitoring and leak detection for Node.js.

Usage: memwatcher <command> [options]

Commands:
${commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n')}

Options:
  -h, --help     Show this help. 'memwatcher <command> --help' shows a command's options.
  -v, --version  Print memwatcher's version.

Exit codes:
  0 success, 1 internal error, 2 usage error, 3 unusable input (missing or invalid snapshot
  file, not enough memory for it; no such process, not a Node process), 4 could not attach (the
  inspector is unreachable, its port busy or not on loopback; the process exited), 130
  interrupted (Ctrl-C). 'run' exits with its command's exit code (128 + n when signal n ended
  it; 126 when the command cannot be executed, 127 when there is no such command).

Environment:
  NO_COLOR=1           No colours, even on a terminal.
  MEMWATCHER_DEBUG=1   Print stack traces with errors.
`;
}
