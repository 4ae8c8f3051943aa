import { UsageError } from '../errors.ts';
import { type AnyFlagDefinition, describeFlags, type FlagDefinitions, parseCommandLine } from './flags.ts';

/** What a command gets from the process: streams, environment, and a signal aborted on Ctrl-C. */
export interface CommandContext {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /** Aborted on the first SIGINT; commands pass it on and throw `AbortedError` when they stop early. */
  signal: AbortSignal;
}

export interface CommandDefinition<Options> {
  /** The word after `memwatcher`. */
  name: string;
  /** One line for `memwatcher --help`. */
  summary: string;
  /** Arguments after the command name, for the usage line: `<snapshot>... [--json] [--top N]`. */
  usage: string;
  /** Paragraphs for `memwatcher <name> --help`. */
  description: string;
  flags: FlagDefinitions<Options>;
  /** How many positional arguments the command takes; `name` is used in messages. */
  positionals: { name: string; min: number; max: number };
  examples: string[];
  /** Resolves with the exit code when it is not 0 by definition (`run` exits with its child's). */
  run(input: {
    options: Options;
    positionals: string[];
    context: CommandContext;
  }): Promise<number | undefined>;
}

/** A command with its options type erased, so commands with different options sit in one list. */
export interface Command {
  name: string;
  summary: string;
  help(): string;
  /** Parses `args` (everything after the command name) and runs the command, or prints its help. */
  execute(args: readonly string[], context: CommandContext): Promise<number | undefined>;
}

/**
 * Binds a command's flag definitions (typed against its options) to its `run`.
 *
 * @example
 * export const helloCommand = defineCommand<{ loud: boolean }>({
 *   name: 'hello', summary: 'Say hello.', usage: '[--loud]', description: 'Says hello.',
 *   flags: { loud: { type: 'boolean', description: 'Shout.' } },
 *   positionals: { name: 'none', min: 0, max: 0 }, examples: ['memwatcher hello --loud'],
 *   async run({ options, context }) { context.stdout.write(options.loud ? 'HELLO\n' : 'hello\n'); },
 * });
 */
export function defineCommand<Options>(definition: CommandDefinition<Options>): Command {
  const help = () => renderCommandHelp(definition);
  return {
    name: definition.name,
    summary: definition.summary,
    help,
    async execute(args, context) {
      const {
        options,
        positionals,
        help: wantsHelp,
      } = parseCommandLine(definition.name, args, definition.flags);
      if (wantsHelp) {
        context.stdout.write(help());
        return;
      }
      checkPositionals(definition, positionals);
      return definition.run({ options, positionals, context });
    },
  };
}

function checkPositionals<Options>(
  definition: CommandDefinition<Options>,
  positionals: readonly string[],
): void {
  const { name, min, max } = definition.positionals;
  const usage = `Usage: memwatcher ${definition.name} ${definition.usage}`;
  if (positionals.length < min) throw new UsageError(`missing <${name}> argument. ${usage}`);
  if (positionals.length > max) {
    throw new UsageError(`unexpected argument '${positionals[max]}'. ${usage}`);
  }
}

function renderCommandHelp<Options>(definition: CommandDefinition<Options>): string {
  const lines = [
    `Usage: memwatcher ${definition.name} ${definition.usage}`,
    '',
    definition.description.trim(),
    '',
    'Options:',
    ...describeFlags(definition.flags as Record<string, AnyFlagDefinition>),
  ];
  if (definition.examples.length > 0) {
    lines.push('', 'Examples:', ...definition.examples.map((example) => `  ${example}`));
  }
  return `${lines.join('\n')}\n`;
}
