import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { commands } from '../../src/cli/commands.ts';
import { isOneCleanLine, runCli } from './run-cli.ts';

const packageVersion = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

describe('memwatcher command line frame', { concurrency: true }, () => {
  it('--help lists exactly the commands that exist', async () => {
    const run = await runCli(['--help']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.match(run.stdout, /^memwatcher \d+\.\d+\.\d+: /);
    const commandsBlock = run.stdout.slice(run.stdout.indexOf('Commands:'), run.stdout.indexOf('Options:'));
    const listed = [...commandsBlock.matchAll(/^ {2}(\S+) {2,}/gm)].map((match) => match[1]);
    // Every command of the dispatcher's list (one file + one line each), in that order, and no other.
    assert.deepEqual(
      listed,
      commands.map((command) => command.name),
    );
    for (const command of listed) {
      const help = await runCli([command ?? '', '--help']);
      assert.equal(help.code, 0, `${command} --help: ${help.stderr}`);
    }
  });

  it('--version prints the version from package.json', async () => {
    const run = await runCli(['--version']);
    assert.equal(run.code, 0);
    assert.equal(run.stdout, `${packageVersion}\n`);
  });

  it('analyze --help documents its flags and only those', async () => {
    const run = await runCli(['analyze', '--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Usage: memwatcher analyze <snapshot>\.\.\. /);
    const flags = [...run.stdout.matchAll(/^ {2}(?:-\w, | {4})(--[\w-]+)/gm)].map((match) => match[1]);
    assert.deepEqual(flags, ['--json', '--top', '--quiet', '--help']);
    assert.equal((await runCli(['help', 'analyze'])).stdout, run.stdout);
  });

  it('exits quietly when the reader of stdout is gone', async () => {
    const run = await runCli(['--help'], { onSpawn: (child) => child.stdout?.destroy() });
    assert.equal(run.code, 0);
    assert.equal(run.stderr, '');
  });

  const usageErrors: [string, string[], RegExp][] = [
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    ['an unknown flag', ['analyze', '--frob', 'x.heapsnapshot'], /unknown option '--frob'/],
    ['an unknown top-level flag', ['--frob'], /unknown option '--frob'/],
    ['a flag without its value', ['analyze', 'x.heapsnapshot', '--top'], /option '--top' needs a value/],
    [
      '--top 0',
      ['analyze', '--top', '0', 'x.heapsnapshot'],
      /--top must be a positive whole number, got '0'/,
    ],
    ['--top 2.5', ['analyze', '--top=2.5', 'x.heapsnapshot'], /--top must be a positive whole number/],
    ['no snapshot', ['analyze'], /missing <snapshot> argument/],
    ['no command', [], /missing command/],
    ['an argument demo does not take', ['demo', 'now'], /unexpected argument 'now'/],
  ];
  for (const [label, args, message] of usageErrors) {
    it(`${label} → exit 2 and one line`, async () => {
      const run = await runCli(args);
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stdout, '');
      assert.ok(isOneCleanLine(run.stderr), JSON.stringify(run.stderr));
      assert.match(run.stderr, /^memwatcher: /);
      assert.match(run.stderr, message);
    });
  }
});
