import type { OutsideSampleEvent } from './events.ts';
import {
  type ProcMemory,
  readChildren,
  readParents,
  readProcMemory,
  readProcStartTime,
} from './proc-reader.ts';

export interface ProcSamplerOptions {
  readonly pid: number;
  readonly intervalMs: number;
  /**
   * Sum the process and all its descendants. For `run` of a wrapper (`npm start`, `sh -c …`, a
   * launcher script) the memory that matters is in a child of the process memwatcher started.
   */
  readonly tree?: boolean;
  readonly onSample: (sample: OutsideSampleEvent) => void;
  /** The process is gone: it exited, or its pid now belongs to another process. Called once. */
  readonly onGone?: () => void;
  /** For tests: a directory laid out like `/proc`. */
  readonly procRoot?: string;
  readonly now?: () => number;
}

/** Beyond this many processes a tree is cut: a fork bomb must not make sampling unbounded. */
const MAX_TREE_PROCESSES = 4096;

/**
 * Samples a process from outside through `/proc`, every `intervalMs` (the first sample at once).
 * Works for any program: RSS, peak RSS, swap, threads, PSS. A tick still reading when the next is
 * due is skipped rather than queued.
 *
 * @example
 * const sampler = new ProcSampler({ pid, intervalMs: 1000, onSample: (s) => collector.acceptSample(s) });
 * await sampler.start();
 * // …
 * sampler.stop();
 */
export class ProcSampler {
  private readonly options: ProcSamplerOptions;
  private readonly procRoot: string;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private startTime: number | undefined;
  private busy = false;
  private gone = false;
  private treePeak = 0;

  constructor(options: ProcSamplerOptions) {
    this.options = options;
    this.procRoot = options.procRoot ?? '/proc';
    this.now = options.now ?? Date.now;
  }

  /** Remembers the process' identity and starts sampling. Resolves `false` when there is no such process. */
  async start(): Promise<boolean> {
    const startTime = await readProcStartTime(this.options.pid, this.procRoot);
    if (startTime === undefined) return false;
    this.startTime = startTime;
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    void this.tick();
    return true;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * One sample now; `undefined` when the process is gone, `null` when it has no memory to read at this
   * moment (0 RSS while it is between two programs in exec: `run` of a wrapper such as pyenv's shims).
   */
  async sample(): Promise<OutsideSampleEvent | undefined | null> {
    const { pid } = this.options;
    // The start time alone: the command line is not needed to tell a reused pid.
    const startTime = await readProcStartTime(pid, this.procRoot);
    if (startTime === undefined || startTime !== this.startTime) return undefined;
    const root = await readProcMemory(pid, this.procRoot);
    if (root === undefined) return undefined;
    if (root.rss === 0) return null;
    const members = this.options.tree === true ? [root, ...(await this.descendants(pid))] : [root];
    const time = this.now();
    let rss = 0;
    let swap = 0;
    let threads = 0;
    let pss: number | null = 0;
    for (const member of members) {
      rss += member.rss;
      swap += member.swap;
      threads += member.threads;
      pss = pss === null || member.pss === null ? null : pss + member.pss;
    }
    // One process: the kernel's own high-water mark sees spikes between samples. A tree has no such
    // counter (the sum of each member's peak is not the peak of the sum): the highest sum we saw.
    this.treePeak = Math.max(this.treePeak, rss);
    const rssPeak = members.length === 1 ? root.rssPeak : this.treePeak;
    return {
      type: 'sample',
      source: 'proc',
      time,
      pid,
      rss,
      rssPeak,
      pss,
      swap,
      threads,
      processes: members.length,
      heapUsed: null,
      heapTotal: null,
      external: null,
      arrayBuffers: null,
      heapLimit: null,
      heapFloor: null,
    };
  }

  private async tick(): Promise<void> {
    if (this.busy || this.gone || this.timer === undefined) return;
    this.busy = true;
    try {
      const sample = await this.sample();
      if (this.timer === undefined) return;
      if (sample === undefined) {
        this.gone = true;
        this.stop();
        this.options.onGone?.();
        return;
      }
      if (sample !== null) this.options.onSample(sample);
    } catch {
      // /proc reads fail only when the process vanishes mid-read: the next tick sees it gone.
    } finally {
      this.busy = false;
    }
  }

  private async descendants(pid: number): Promise<ProcMemory[]> {
    const pids = await this.descendantPids(pid);
    const members: ProcMemory[] = [];
    for (const child of pids) {
      const memory = await readProcMemory(child, this.procRoot);
      if (memory !== undefined) members.push(memory);
    }
    return members;
  }

  private async descendantPids(pid: number): Promise<number[]> {
    const found: number[] = [];
    const seen = new Set([pid]);
    let parents: Map<number, number> | undefined;
    const queue = [pid];
    while (queue.length > 0 && found.length < MAX_TREE_PROCESSES) {
      const parent = queue.shift()!;
      let children = await readChildren(parent, this.procRoot);
      if (children === undefined) {
        parents ??= await readParents(this.procRoot);
        children = [];
        for (const [child, ppid] of parents) if (ppid === parent) children.push(child);
      }
      for (const child of children) {
        if (seen.has(child)) continue;
        seen.add(child);
        found.push(child);
        queue.push(child);
      }
    }
    return found;
  }
}
