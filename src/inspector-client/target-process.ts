import { readFile, readlink } from 'node:fs/promises';
import { basename } from 'node:path';
import { AttachError } from '../errors.ts';
import { type InspectorAddress, inspectorAddressFrom } from './inspector-address.ts';

/** What memwatcher learned about a process before signalling it. */
export interface TargetProcess {
  readonly pid: number;
  /** Program name for messages: `node`, `python3`…; `null` where `/proc` is missing. */
  readonly name: string | null;
  /** Its command line; empty where `/proc` is missing. */
  readonly argv: readonly string[];
  /** Where its inspector opens on SIGUSR1, from its options. */
  readonly inspectorAddress: InspectorAddress;
}

const SIGUSR1_BIT = 1n << 9n; // signal 10, bit 10 − 1 of the SigCgt mask

/**
 * Checks a PID before memwatcher signals it: the process exists, this user may signal it, and it is a
 * Node.js process that catches SIGUSR1 — SIGUSR1's default action ends a process, so signalling
 * anything else (a Python worker, a database) would kill it. Reads `/proc` (Linux); elsewhere only
 * existence and permission are checked.
 *
 * @example
 * const target = await checkTargetProcess(4242); // throws AttachError: ERR_NO_SUCH_PROCESS, ERR_NOT_NODE…
 * console.log(target.inspectorAddress.port);
 */
export async function checkTargetProcess(pid: number): Promise<TargetProcess> {
  checkSignallable(pid);
  const proc = `/proc/${pid}`;
  let status: string;
  try {
    status = await readFile(`${proc}/status`, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && process.platform === 'linux')
      throw noSuchProcess(pid);
    return { pid, name: null, argv: [], inspectorAddress: inspectorAddressFrom([], undefined) };
  }
  if (/^State:\s+Z/m.test(status))
    throw noSuchProcess(pid, ' (it has exited: a zombie waiting for its parent)');
  const argv = await readNulSeparated(`${proc}/cmdline`);
  const executable = await readlink(`${proc}/exe`).catch(() => null);
  const name = executable === null ? (argv[0] ?? null) : basename(executable.replace(/ \(deleted\)$/, ''));
  const described = `Process ${pid}${name === null ? '' : ` (${name})`}`;

  if (!(await looksLikeNode(proc, executable))) {
    throw new AttachError(
      'ERR_NOT_NODE',
      pid,
      `${described} is not a Node.js process: attaching needs Node's inspector (memwatcher did not signal it). ` +
        `Processes of any kind can be watched from outside with 'memwatcher watch ${pid}'.`,
    );
  }
  const caught = /^SigCgt:\s*([0-9a-f]+)/im.exec(status)?.[1];
  if (caught !== undefined && (BigInt(`0x${caught}`) & SIGUSR1_BIT) === 0n) {
    throw new AttachError(
      'ERR_NOT_NODE',
      pid,
      `${described} does not open its inspector on SIGUSR1 (started with --disable-sigusr1, or a Node ` +
        'built without the inspector), and the signal would end it: memwatcher did not send it. ' +
        'Start the program with --inspect-port=127.0.0.1:<port> and without --disable-sigusr1.',
    );
  }
  const environment = await readNulSeparated(`${proc}/environ`);
  const nodeOptions = environment
    .find((entry) => entry.startsWith('NODE_OPTIONS='))
    ?.slice('NODE_OPTIONS='.length);
  return { pid, name, argv, inspectorAddress: inspectorAddressFrom(argv, nodeOptions) };
}

/** Whether the process still exists (a zombie counts as gone). */
export async function isProcessAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return !/^State:\s+Z/m.test(status);
}

/** Signal 0 checks existence and permission without sending anything. */
function checkSignallable(pid: number): void {
  try {
    process.kill(pid, 0);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') throw noSuchProcess(pid);
    if (code === 'EPERM') {
      throw new AttachError(
        'ERR_PROCESS_PERMISSION',
        pid,
        `Process ${pid} belongs to another user: memwatcher may not signal it. Run memwatcher as that user.`,
        { cause: error },
      );
    }
    throw error;
  }
}

function noSuchProcess(pid: number, detail = ''): AttachError {
  return new AttachError(
    'ERR_NO_SUCH_PROCESS',
    pid,
    `No process with PID ${pid} is running${detail}. Check the PID ('pgrep -a node' lists Node processes).`,
  );
}

/**
 * The executable is `node` (also `nodejs`, `node22`), or the process maps `libnode` (Node embedded,
 * or built as a shared library). `process.title` can rename a process, but not its executable.
 */
async function looksLikeNode(proc: string, executable: string | null): Promise<boolean> {
  if (
    executable !== null &&
    /^(node|nodejs)[\d.]*$/.test(basename(executable.replace(/ \(deleted\)$/, '')))
  ) {
    return true;
  }
  const maps = await readFile(`${proc}/maps`, 'utf8').catch(() => '');
  return /\/libnode[^/\n]*\.so/.test(maps);
}

async function readNulSeparated(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\0').filter((part) => part !== '');
}
