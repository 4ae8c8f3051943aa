import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../errors.ts';
import {
  describeFlags,
  type FlagDefinitions,
  flagName,
  parseCommandLine,
  parsePositiveInteger,
} from './flags.ts';

interface ExampleOptions {
  json: boolean;
  maxDepth: number;
  out: string | undefined;
}

const flags: FlagDefinitions<ExampleOptions> = {
  json: { type: 'boolean', description: 'JSON.' },
  maxDepth: {
    type: 'string',
    valueName: 'N',
    default: 5,
    parse: parsePositiveInteger,
    description: 'Depth.',
  },
  out: {
    type: 'string',
    short: 'o',
    valueName: 'file',
    default: undefined,
    parse: (raw) => raw,
    description: 'Out.',
  },
};

describe('parseCommandLine', () => {
  it('fills defaults and converts values with each flag’s parse', () => {
    assert.deepEqual(parseCommandLine('x', ['a', 'b'], flags), {
      options: { json: false, maxDepth: 5, out: undefined },
      positionals: ['a', 'b'],
      help: false,
    });
    const parsed = parseCommandLine('x', ['--json', '--max-depth', '7', '-o', 'r.txt', 'a'], flags);
    assert.deepEqual(parsed.options, { json: true, maxDepth: 7, out: 'r.txt' });
    assert.deepEqual(parsed.positionals, ['a']);
  });

  it('accepts --help and -h on every command', () => {
    assert.equal(parseCommandLine('x', ['--help'], flags).help, true);
    assert.equal(parseCommandLine('x', ['-h'], flags).help, true);
  });

  it('turns unknown flags and missing values into one-line UsageErrors naming the command', () => {
    const cases: [string[], RegExp][] = [
      [['--nope'], /^unknown option '--nope'\. See 'memwatcher x --help'\.$/],
      [['--max-depth'], /^option '--max-depth' needs a value\./],
      [['--json=yes'], /^option '--json' does not take a value\./],
    ];
    for (const [args, message] of cases) {
      assert.throws(
        () => parseCommandLine('x', args, flags),
        (error: unknown) =>
          error instanceof UsageError && message.test(error.message) && !error.message.includes('\n'),
        args.join(' '),
      );
    }
  });

  it('rejects values the flag’s parse refuses', () => {
    assert.throws(
      () => parseCommandLine('x', ['--max-depth', 'ten'], flags),
      /--max-depth must be a positive whole number/,
    );
  });
});

describe('parsePositiveInteger', () => {
  it('accepts positive whole numbers only', () => {
    assert.equal(parsePositiveInteger('12', '--top'), 12);
    for (const bad of ['0', '-3', '1.5', '1e3', '', 'abc', '99999999999999999999']) {
      assert.throws(() => parsePositiveInteger(bad, '--top'), UsageError, bad);
    }
  });
});

describe('flag help', () => {
  it('names flags in kebab-case with their value and default', () => {
    assert.equal(flagName('maxDepth'), 'max-depth');
    const lines = describeFlags(flags as never);
    assert.match(lines[1] ?? '', /^ {6}--max-depth <N> +Depth\. Default: 5\.$/);
    assert.match(lines[2] ?? '', /^ {2}-o, --out <file> +Out\.$/);
    assert.match(lines.at(-1) ?? '', /-h, --help +Show this help\./);
  });
});
