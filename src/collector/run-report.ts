import { writeFile } from 'node:fs/promises';
import type { AgentMessage } from '../agent/ipc-protocol.ts';
import { FileAccessError } from '../errors.ts';
import type { AnalysisResult } from '../heap/types.ts';
import { verdictPoint } from '../report/model-from-messages.ts';
import type { ReportModel } from '../report/report-model.ts';
import type { CollectorEvent, OutsideSampleEvent } from './events.ts';

/** Samples kept for the report; past it every other one is dropped (the chart cannot show more anyway). */
const MAX_SAMPLES = 50_000;

export interface RunEnd {
  readonly command: readonly string[];
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly endedAt: number;
  readonly intervalMs: number;
}

/**
 * `--report <file>`: keeps what the HTML report needs while the run goes on (bounded: samples are
 * thinned past 50 000) and writes the report at the end through the report layer. Agent runs use the
 * report layer's own adapter for agent messages; runs watched from outside get their model here.
 *
 * @example
 * const report = new RunReport(pid);
 * collector.subscribe(report.keep);
 * // at exit:
 * await report.write('report.html', { command, exitCode, signal, endedAt: Date.now(), intervalMs });
 */
export class RunReport {
  private readonly pid: number;
  private readonly agentMessages = new ThinnedList<AgentMessage>((message) => message.type === 'sample');
  private readonly outsideSamples = new ThinnedList<OutsideSampleEvent>(() => true);
  private readonly judged: CollectorEvent[] = [];
  private analysis: AnalysisResult | undefined;
  private startedAt: number | undefined;
  private agentPid: number | undefined;

  constructor(pid: number) {
    this.pid = pid;
  }

  /** A sink. */
  readonly keep = (event: CollectorEvent): void => {
    this.startedAt ??= event.time;
    if (event.source === 'memwatcher') {
      if (event.type === 'hello') this.agentPid ??= event.pid;
      this.agentMessages.push(event);
      return;
    }
    if (event.type === 'sample') {
      this.outsideSamples.push(event);
    } else if (event.type === 'verdict' || event.type === 'alert' || event.type === 'snapshot') {
      this.judged.push(event);
    } else if (event.type === 'analysis') {
      this.analysis = event.result;
    }
  };

  /** The report model of what was kept. */
  async model(end: RunEnd): Promise<ReportModel> {
    const { reportModelFromMessages, withAnalysis } = await import('../report/index.ts');
    const model =
      this.agentPid !== undefined
        ? reportModelFromMessages(
            this.agentMessages.items.filter((message) => message.pid === this.agentPid),
            end,
          )
        : this.outsideModel(end);
    // Alerts are memwatcher's own for every process (the agent's alerting is off under `run`).
    const pid = this.agentPid ?? this.pid;
    const alerts = this.judged.flatMap((event) =>
      event.type === 'alert' && event.pid === pid
        ? [
            {
              time: event.alert.time,
              rule: event.alert.rule,
              severity: event.alert.severity,
              message: event.alert.message,
            },
          ]
        : [],
    );
    const withAlerts = { ...model, alerts: [...model.alerts, ...alerts].sort((a, b) => a.time - b.time) };
    return this.analysis === undefined ? withAlerts : withAnalysis(withAlerts, this.analysis);
  }

  /** Renders the HTML report and writes it. @throws {FileAccessError} when the file cannot be written. */
  async write(file: string, end: RunEnd): Promise<void> {
    const { renderReportHtml } = await import('../report/index.ts');
    const html = await renderReportHtml(await this.model(end));
    try {
      await writeFile(file, html, { mode: 0o600 });
    } catch (cause) {
      throw new FileAccessError(file, `cannot write the report ${file}: ${(cause as Error).message}`, {
        cause,
      });
    }
  }

  private outsideModel(end: RunEnd): ReportModel {
    const samples = this.outsideSamples.items.filter((sample) => sample.pid === this.pid);
    const judged = this.judged.filter((event) => event.pid === this.pid);
    return {
      run: {
        command: end.command,
        pid: this.pid,
        watchedBy: 'proc',
        nodeVersion: null,
        startedAt: this.startedAt ?? end.endedAt,
        endedAt: end.endedAt,
        exitCode: end.exitCode,
        signal: end.signal,
        heapLimit: null,
        intervalMs: end.intervalMs,
      },
      samples: samples.map((sample) => ({
        time: sample.time,
        rss: sample.rss,
        heapUsed: sample.heapUsed,
        heapTotal: sample.heapTotal,
        external: sample.external,
        arrayBuffers: sample.arrayBuffers,
        heapFloor: sample.heapFloor,
        gcPauseMs: null,
        gcCount: null,
      })),
      gcPauses: [],
      verdicts: judged.flatMap((event) => (event.type === 'verdict' ? [verdictPoint(event.verdict)] : [])),
      alerts: [],
      snapshots: judged.flatMap((event) =>
        event.type === 'snapshot'
          ? [{ time: event.time, file: event.file, reason: event.reason, bytes: event.bytes }]
          : [],
      ),
      classes: [],
      suspects: [],
      analyzedSnapshots: 0,
      allocationSites: [],
    };
  }
}

/** A list that thins itself: past the cap, every other counted entry is dropped. */
class ThinnedList<T> {
  items: T[] = [];
  private counted = 0;
  private readonly counts: (item: T) => boolean;

  constructor(counts: (item: T) => boolean) {
    this.counts = counts;
  }

  push(item: T): void {
    this.items.push(item);
    if (!this.counts(item) || ++this.counted <= MAX_SAMPLES) return;
    let index = 0;
    this.items = this.items.filter((entry) => !this.counts(entry) || index++ % 2 === 0);
    this.counted = index - Math.floor(index / 2);
  }
}
