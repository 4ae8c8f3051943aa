import { UsageError } from '../errors.ts';
import type { FlagDefinition } from './flags.ts';

/**
 * The `<pid>` argument of `attach` and `snapshot`: a positive whole number, and not memwatcher's own
 * process (0 and negative numbers mean process groups to `kill`, never one process).
 *
 * @example
 * const pid = parsePidArgument(positionals[0], 'snapshot');
 */
export function parsePidArgument(raw: string | undefined, command: string): number {
  if (raw === undefined) throw new UsageError(`missing <pid> argument. See 'memwatcher ${command} --help'.`);
  // Process ids are positive 32-bit numbers (Linux stops at 2^22).
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 2_147_483_647) {
    throw new UsageError(`<pid> must be a process id (a positive whole number), got '${raw}'.`);
  }
  const pid = Number(raw);
  if (pid === process.pid)
    throw new UsageError(`${pid} is memwatcher's own process; give the PID of the Node program.`);
  return pid;
}

/** A TCP port, 1–65535. */
function parsePort(raw: string, flag: string): number {
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65_535) {
    throw new UsageError(`${flag} must be a TCP port (1–65535), got '${raw}'.`);
  }
  return port;
}

/** `--port` of `attach` and `snapshot`: the inspector's port, when the process's own options do not say it. */
export const inspectorPortFlag: FlagDefinition<number | undefined> = {
  type: 'string',
  valueName: 'N',
  default: undefined,
  parse: parsePort,
  description:
    "The process's inspector port, if not 9229 or what its --inspect-port option says (e.g. set through code).",
};
