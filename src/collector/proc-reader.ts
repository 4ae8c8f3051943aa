import { readdir, readFile } from 'node:fs/promises';

/** What `/proc/<pid>/status` (and `smaps_rollup` when readable) say about one process. Bytes. */
export interface ProcMemory {
  readonly pid: number;
  readonly rss: number;
  /** VmHWM: the highest RSS since the process started (the kernel tracks it between our samples). */
  readonly rssPeak: number;
  readonly swap: number;
  readonly threads: number;
  /** `null` when `smaps_rollup` is missing (kernels before 4.14) or not readable (another user's process). */
  readonly pss: number | null;
}

/**
 * Identity of a process: its start time in clock ticks since boot (field 22 of `/proc/<pid>/stat`). A
 * pid can be reused once its process is gone; the pair (pid, start time) cannot.
 */
export interface ProcIdentity {
  readonly pid: number;
  readonly startTime: number;
  /** The command line (`/proc/<pid>/cmdline`), empty for kernel threads or when unreadable. */
  readonly commandLine: readonly string[];
}

/**
 * Reads one process' memory. `undefined` when the process is gone: no such pid, or a zombie (exited,
 * not yet reaped by its parent: it holds no memory any more).
 *
 * @example
 * const memory = await readProcMemory(1234); // { rss: 52_428_800, rssPeak: …, swap: 0, threads: 11, pss: … }
 */
export async function readProcMemory(pid: number, procRoot = '/proc'): Promise<ProcMemory | undefined> {
  const status = await readOrUndefined(`${procRoot}/${pid}/status`);
  if (status === undefined) return undefined;
  const fields = parseProcStatus(status);
  // Zombies and kernel threads have no VmRSS line.
  if (fields.state === 'Z' || fields.vmRss === undefined) return undefined;
  const rollup = await readOrUndefined(`${procRoot}/${pid}/smaps_rollup`);
  const rollupFields = rollup === undefined ? undefined : parseKbFields(rollup);
  return {
    pid,
    rss: fields.vmRss,
    rssPeak: fields.vmHwm ?? fields.vmRss,
    swap: fields.vmSwap ?? 0,
    threads: fields.threads ?? 1,
    pss: rollupFields?.get('Pss') ?? null,
  };
}

export interface ProcStatusFields {
  readonly state: string | undefined;
  readonly ppid: number | undefined;
  readonly vmRss: number | undefined;
  readonly vmHwm: number | undefined;
  readonly vmSwap: number | undefined;
  readonly threads: number | undefined;
}

/**
 * The fields of `/proc/<pid>/status` memwatcher uses; sizes converted from kB (the kernel's kB are
 * KiB) to bytes.
 *
 * @example
 * parseProcStatus('State:\tS (sleeping)\nVmRSS:\t  2176 kB\nThreads:\t1\n').vmRss; // 2228224
 */
export function parseProcStatus(text: string): ProcStatusFields {
  const sizes = parseKbFields(text);
  const value = (name: string) => new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(text)?.[1];
  const threads = value('Threads');
  const ppid = value('PPid');
  return {
    state: value('State'),
    ppid: ppid === undefined ? undefined : Number(ppid),
    vmRss: sizes.get('VmRSS'),
    vmHwm: sizes.get('VmHWM'),
    vmSwap: sizes.get('VmSwap'),
    threads: threads === undefined ? undefined : Number(threads),
  };
}

/** Every `Name:   123 kB` line, in bytes. */
export function parseKbFields(text: string): Map<string, number> {
  const fields = new Map<string, number>();
  for (const match of text.matchAll(/^(\w+):\s+(\d+) kB$/gm)) {
    fields.set(match[1]!, Number(match[2]) * 1024);
  }
  return fields;
}

/**
 * The process' identity, or `undefined` when there is no such process.
 *
 * @example
 * const before = await readProcIdentity(pid);
 * // later: a different startTime means the pid now belongs to another process
 */
export async function readProcIdentity(pid: number, procRoot = '/proc'): Promise<ProcIdentity | undefined> {
  const startTime = await readProcStartTime(pid, procRoot);
  if (startTime === undefined) return undefined;
  const cmdline = (await readOrUndefined(`${procRoot}/${pid}/cmdline`)) ?? '';
  return { pid, startTime, commandLine: cmdline.split('\0').filter((part) => part !== '') };
}

/**
 * The process' start time alone (one read of `/proc/<pid>/stat`), `undefined` when there is no such
 * process: what a sampler compares on every tick to notice pid reuse, without the command line.
 */
export async function readProcStartTime(pid: number, procRoot = '/proc'): Promise<number | undefined> {
  const stat = await readOrUndefined(`${procRoot}/${pid}/stat`);
  return stat === undefined ? undefined : parseStartTime(stat);
}

/** Field 22 of `/proc/<pid>/stat`. */
export function parseStartTime(stat: string): number | undefined {
  // After the command name, field 3 (state) is the first; field 22 is the 20th.
  const value = statFieldsAfterName(stat)?.[19];
  const startTime = Number(value);
  return value === undefined || !Number.isFinite(startTime) ? undefined : startTime;
}

/**
 * The fields of `/proc/<pid>/stat` from field 3 on. The command name (field 2) is in parentheses and
 * may itself hold spaces and parentheses, so fields are counted from the last `)`.
 */
function statFieldsAfterName(stat: string): string[] | undefined {
  const close = stat.lastIndexOf(')');
  return close === -1
    ? undefined
    : stat
        .slice(close + 1)
        .trim()
        .split(/\s+/);
}

/**
 * Direct children of a process, from `/proc/<pid>/task/<tid>/children` (children of every thread).
 * `undefined` when the kernel has no `children` files (built without CONFIG_PROC_CHILDREN): the caller
 * then scans `/proc`.
 */
export async function readChildren(pid: number, procRoot = '/proc'): Promise<number[] | undefined> {
  let tasks: string[];
  try {
    tasks = await readdir(`${procRoot}/${pid}/task`);
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const task of tasks) {
    let text: string;
    try {
      text = await readFile(`${procRoot}/${pid}/task/${task}/children`, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && task === String(pid)) {
        // The main thread exists (we just listed it) but has no children file: no kernel support.
        const stillThere = await readOrUndefined(`${procRoot}/${pid}/stat`);
        if (stillThere !== undefined) return undefined;
      }
      continue;
    }
    for (const word of text.split(/\s+/)) if (word !== '') children.push(Number(word));
  }
  return children;
}

/** Parent of every process, by scanning `/proc/*\/stat` (the fallback for kernels without `children`). */
export async function readParents(procRoot = '/proc'): Promise<Map<number, number>> {
  const parents = new Map<number, number>();
  for (const entry of await readdir(procRoot)) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readOrUndefined(`${procRoot}/${entry}/stat`);
    if (stat === undefined) continue;
    // Field 4.
    const ppid = Number(statFieldsAfterName(stat)?.[1]);
    if (Number.isFinite(ppid)) parents.set(Number(entry), ppid);
  }
  return parents;
}

async function readOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    // ENOENT/ESRCH: gone; EACCES: not ours to read. Either way, nothing to report from it.
    return undefined;
  }
}
