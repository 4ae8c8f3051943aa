#!/usr/bin/env node
import { AbortedError } from '../errors.ts';
import { commands } from './commands.ts';
import { runCli } from './dispatch.ts';
import { ExitCode } from './exit.ts';
import { relaunchWithFlags, sqliteRelaunchFlagsHere } from './sqlite-relaunch.ts';

// Node 22.5–22.12: history needs `--experimental-sqlite`; a command that reads or writes a history
// file runs in a child Node started with it, and this process only waits for it (see sqlite-relaunch.ts).
const sqliteFlags = sqliteRelaunchFlagsHere();
if (sqliteFlags !== undefined) process.exit(await relaunchWithFlags(sqliteFlags));

// `memwatcher analyze x --json | head -1`: once the reader is gone there is nobody left to tell, so
// leave quietly instead of crashing on EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(ExitCode.ok);
    throw error;
  });
}

// First Ctrl-C: abort the command so it can clean up (kill children, remove temp files) and exit
// with 130. Second Ctrl-C: leave at once, for work that does not notice the signal.
const interrupt = new AbortController();
const onSigint = () => {
  if (interrupt.signal.aborted) process.exit(ExitCode.interrupted);
  // The reason is what `signal.throwIfAborted()` throws: our error, which exits with 130.
  interrupt.abort(new AbortedError('Interrupted (SIGINT).'));
};
process.on('SIGINT', onSigint);

const exitCode = await runCli(process.argv.slice(2), commands, {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: interrupt.signal,
});
process.off('SIGINT', onSigint);
process.exitCode = exitCode;
