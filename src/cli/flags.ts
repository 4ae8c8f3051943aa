import { parseArgs } from 'node:util';
import { UsageError } from '../errors.ts';

/**
 * How one option of a command's options type appears on the command line. Booleans are switches;
 * everything else is a string flag turned into the option's type by `parse`, which throws
 * `UsageError` on bad values. The flag name is the option name in kebab-case (`maxDepth` → `--max-depth`).
 */
export type FlagDefinition<Value> = [Value] extends [boolean]
  ? { type: 'boolean'; short?: string; description: string }
  : {
      type: 'string';
      short?: string;
      description: string;
      /** Shown in help: `--top <N>`. */
      valueName: string;
      default: Value;
      parse: (raw: string, flag: string) => Value;
    };

/** One definition per option, checked by TypeScript against the command's options type. */
export type FlagDefinitions<Options> = { [Key in keyof Options]-?: FlagDefinition<Options[Key]> };

/** A flag definition with its option type erased, for help and parsing. */
export interface AnyFlagDefinition {
  type: 'boolean' | 'string';
  short?: string;
  description: string;
  valueName?: string;
  default?: unknown;
  parse?: (raw: string, flag: string) => unknown;
}

export interface ParsedCommandLine<Options> {
  options: Options;
  positionals: string[];
  help: boolean;
}

/**
 * Strict parsing of a command's arguments with `node:util` `parseArgs`. Every command also accepts
 * `--help`/`-h`. Unknown flags and missing values become `UsageError`s that name the command.
 *
 * @example
 * const { options, positionals } = parseCommandLine('analyze', argv, analyzeFlags);
 */
export function parseCommandLine<Options>(
  command: string,
  args: readonly string[],
  flags: FlagDefinitions<Options>,
): ParsedCommandLine<Options> {
  const definitions = Object.entries(flags) as [string, AnyFlagDefinition][];
  const config: Record<string, { type: 'boolean' | 'string'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [key, definition] of definitions) {
    config[flagName(key)] =
      definition.short === undefined
        ? { type: definition.type }
        : { type: definition.type, short: definition.short };
  }

  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...args], options: config, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(`${describeParseError(error)}. See 'memwatcher ${command} --help'.`, {
      cause: error,
    });
  }

  const options: Record<string, unknown> = {};
  for (const [key, definition] of definitions) {
    const name = flagName(key);
    const raw = parsed.values[name];
    if (definition.type === 'boolean') {
      options[key] = raw === true;
    } else if (typeof raw === 'string') {
      options[key] = definition.parse?.(raw, `--${name}`);
    } else {
      options[key] = definition.default;
    }
  }
  return { options: options as Options, positionals: parsed.positionals, help: parsed.values.help === true };
}

/** `maxDepth` → `max-depth`. */
export function flagName(optionKey: string): string {
  return optionKey.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** The `parseArgs` messages are long and multi-line; keep the first sentence, in our voice. */
function describeParseError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const quoted = /'([^']+)'/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted !== undefined) return `unknown option '${quoted}'`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && quoted !== undefined) {
    const flag = quoted.split(' ')[0] ?? quoted;
    if (message.includes('does not take an argument')) return `option '${flag}' does not take a value`;
    return `option '${flag}' needs a value`;
  }
  return (message.split('\n')[0] ?? message).replace(/\.$/, '');
}

/**
 * A `parse` for flags that take a positive integer.
 *
 * @example
 * const top = { type: 'string', valueName: 'N', default: 20, parse: parsePositiveInteger, description: '…' };
 */
export function parsePositiveInteger(raw: string, flag: string): number {
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(Number(raw)) || Number(raw) < 1) {
    throw new UsageError(`${flag} must be a positive whole number, got '${raw}'.`);
  }
  return Number(raw);
}

/**
 * A `parse` for flags whose value is taken as it is (a file, a URL, a token).
 *
 * @example
 * const output = { type: 'string', valueName: 'file', default: undefined, parse: parseText, description: '…' };
 */
export function parseText(raw: string): string {
  return raw;
}

/** Help lines for a command's flags (plus `--help`), aligned. */
export function describeFlags(flags: Record<string, AnyFlagDefinition>): string[] {
  const rows = Object.entries(flags).map(([key, definition]) => {
    const short = definition.short === undefined ? '    ' : `-${definition.short}, `;
    const value = definition.type === 'string' ? ` <${definition.valueName ?? 'value'}>` : '';
    const fallback =
      // A description that says its default in the user's words (`Default: 1s.`) is not followed by the raw value.
      definition.type === 'string' &&
      definition.default !== undefined &&
      !/\bDefault:/.test(definition.description)
        ? ` Default: ${definition.default}.`
        : '';
    return [`${short}--${flagName(key)}${value}`, `${definition.description}${fallback}`] as const;
  });
  rows.push(['-h, --help', 'Show this help.']);
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}
