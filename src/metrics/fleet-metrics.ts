import { basename } from 'node:path';
import type { CollectorEvent } from '../collector/index.ts';
import { InvalidOptionError } from '../errors.ts';
import { renderExposition } from './exposition.ts';
import { familiesFromFigures } from './families.ts';
import { bucketBoundsProblem, DEFAULT_GC_BUCKETS_SECONDS, GcPauseHistogram } from './gc-pause-histogram.ts';
import type { MetricFamily, MetricsSource } from './metric-family.ts';
import type { HeapSpaceFigures, LabelledFigures, VerdictFigures } from './process-figures.ts';

export interface FleetMetricsOptions {
  /** Processes exposed at once; beyond it the one heard from least recently is dropped. 1–1000, default 32. */
  readonly maxProcesses?: number;
  /** GC pause histogram bounds, in seconds. Default {@link DEFAULT_GC_BUCKETS_SECONDS}. */
  readonly gcBucketsSeconds?: readonly number[];
  /**
   * The latest verdict of a process, when the caller has a fresher one than the events carry (events
   * carry a verdict only when its status changes). `memwatcher run` passes `collector.process(pid)?.verdict`.
   */
  readonly verdictOf?: (pid: number) => VerdictFigures | undefined;
}

const DEFAULT_MAX_PROCESSES = 32;
const MAX_MAX_PROCESSES = 1000;
/** Longest `command` label value, in characters. */
const MAX_COMMAND_LENGTH = 64;

interface ProcessState {
  pid: number;
  command: string;
  seenAt: number;
  rss: number | undefined;
  heapUsed?: number;
  heapTotal?: number;
  heapLimit?: number;
  external?: number;
  arrayBuffers?: number;
  heapFloor?: number;
  detachedContexts?: number;
  heapSpaces?: readonly HeapSpaceFigures[];
  verdict?: VerdictFigures;
  /** Only major GCs reach the CLI (the agent sends one message per major GC, none per scavenge). */
  gcPauses: GcPauseHistogram | undefined;
}

/**
 * The metrics of every process the memwatcher CLI watches, fed with the collector's events
 * (`collector.subscribe((event) => fleet.accept(event))`). Each series carries `pid` and `command`
 * labels; `command` is the program and script names only (`node server.js`): arguments may hold
 * secrets. Bounded: at most `maxProcesses` processes, a process' series vanish when it exits.
 *
 * GC pauses: the agent sends the CLI one message per **major** GC, so the histogram here has
 * `kind="major"` only; the other kinds are counted in-process ({@link WatcherMetrics}).
 * @example
 * const fleet = new FleetMetrics({ verdictOf: (pid) => collector.process(pid)?.verdict });
 * collector.subscribe((event) => fleet.accept(event));
 * await serveMetrics(fleet, { port: 9464 });
 */
export class FleetMetrics implements MetricsSource {
  private readonly maxProcesses: number;
  private readonly bounds: readonly number[];
  private readonly verdictOf: ((pid: number) => VerdictFigures | undefined) | undefined;
  private readonly processes = new Map<number, ProcessState>();
  private sequence = 0;

  /** @throws {InvalidOptionError} when an option is invalid. */
  constructor(options: FleetMetricsOptions = {}) {
    const max = options.maxProcesses ?? DEFAULT_MAX_PROCESSES;
    if (!Number.isInteger(max) || max < 1 || max > MAX_MAX_PROCESSES) {
      throw new InvalidOptionError('maxProcesses', `must be an integer from 1 to ${MAX_MAX_PROCESSES}.`);
    }
    this.maxProcesses = max;
    const bounds = options.gcBucketsSeconds ?? DEFAULT_GC_BUCKETS_SECONDS;
    const problem = bucketBoundsProblem(bounds);
    if (problem !== undefined) throw new InvalidOptionError('gcBucketsSeconds', problem);
    this.bounds = bounds;
    if (options.verdictOf !== undefined && typeof options.verdictOf !== 'function') {
      throw new InvalidOptionError('verdictOf', 'must be a function of a pid.');
    }
    this.verdictOf = options.verdictOf;
  }

  /** Takes one collector event. Never throws: an event it cannot read is ignored. */
  accept(event: CollectorEvent): void {
    if (typeof event !== 'object' || event === null || typeof event.pid !== 'number') return;
    switch (event.type) {
      case 'start':
        this.state(event.pid).command = commandLabel(event.command);
        break;
      case 'hello':
        this.state(event.pid).command = commandLabel(event.argv);
        break;
      case 'sample': {
        const state = this.state(event.pid);
        state.rss = event.rss;
        assign(state, 'heapUsed', event.heapUsed);
        assign(state, 'heapTotal', event.heapTotal);
        assign(state, 'heapLimit', event.heapLimit);
        assign(state, 'external', event.external);
        assign(state, 'arrayBuffers', event.arrayBuffers);
        assign(state, 'heapFloor', event.heapFloor);
        if (event.source === 'memwatcher') {
          state.detachedContexts = event.detachedContexts;
          state.heapSpaces = event.heapSpaces;
        }
        break;
      }
      case 'gc': {
        const state = this.state(event.pid);
        state.gcPauses ??= new GcPauseHistogram(this.bounds);
        state.gcPauses.observe(event.kind, event.durationMs);
        break;
      }
      case 'verdict':
      case 'leak':
        this.state(event.pid).verdict = event.verdict;
        break;
      case 'exit':
        this.processes.delete(event.pid);
        break;
      default:
        break;
    }
  }

  /** Forgets a process (its series vanish from the next scrape). */
  forget(pid: number): void {
    this.processes.delete(pid);
  }

  /** Processes currently exposed. */
  get size(): number {
    return this.processes.size;
  }

  familiesNow(): MetricFamily[] {
    const entries: LabelledFigures[] = [];
    for (const state of this.processes.values()) {
      if (state.rss === undefined) continue;
      const verdict = this.latestVerdict(state);
      // Figures a process never reported are absent from its state (see `assign`), so they stay absent here.
      const { pid, command, seenAt: _, rss, verdict: _event, gcPauses, ...memory } = state;
      entries.push({
        labels: { pid: String(pid), command },
        figures: {
          rss,
          ...memory,
          ...(verdict === undefined ? {} : { verdict }),
          ...(gcPauses === undefined ? {} : { gcPauses }),
        },
      });
    }
    return familiesFromFigures(entries);
  }

  families(): Promise<readonly MetricFamily[]> {
    return Promise.resolve(this.familiesNow());
  }

  /** The Prometheus text exposition (format 0.0.4). */
  render(): Promise<string> {
    return Promise.resolve(renderExposition(this.familiesNow()));
  }

  private latestVerdict(state: ProcessState): VerdictFigures | undefined {
    if (this.verdictOf === undefined) return state.verdict;
    try {
      return this.verdictOf(state.pid) ?? state.verdict;
    } catch {
      return state.verdict;
    }
  }

  private state(pid: number): ProcessState {
    let state = this.processes.get(pid);
    if (state === undefined) {
      if (this.processes.size >= this.maxProcesses) this.dropLeastRecent();
      state = { pid, command: '', seenAt: 0, rss: undefined, gcPauses: undefined };
      this.processes.set(pid, state);
    }
    state.seenAt = ++this.sequence;
    return state;
  }

  private dropLeastRecent(): void {
    let oldest: ProcessState | undefined;
    for (const state of this.processes.values())
      if (oldest === undefined || state.seenAt < oldest.seenAt) oldest = state;
    if (oldest !== undefined) this.processes.delete(oldest.pid);
  }
}

type OptionalFigure = 'heapUsed' | 'heapTotal' | 'heapLimit' | 'external' | 'arrayBuffers' | 'heapFloor';

function assign(state: ProcessState, key: OptionalFigure, value: number | null | undefined): void {
  if (typeof value === 'number') state[key] = value;
  else delete state[key];
}

/**
 * `node server.js` from `['/usr/bin/node', '/srv/app/server.js', '--token', 's3cret']`: the program and
 * the script by base name, never the arguments, which may hold secrets.
 */
export function commandLabel(argv: readonly string[] | undefined): string {
  if (!Array.isArray(argv) || argv.length === 0) return '';
  const parts = [basename(String(argv[0]))];
  const script = argv[1];
  if (typeof script === 'string' && script !== '' && !script.startsWith('-')) parts.push(basename(script));
  const label = parts.join(' ');
  return label.length > MAX_COMMAND_LENGTH ? `${label.slice(0, MAX_COMMAND_LENGTH - 1)}…` : label;
}
