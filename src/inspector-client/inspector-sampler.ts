import type { Runtime } from 'node:inspector';
import type { OutsideSampleEvent } from '../collector/events.ts';
import { readProcMemory } from '../collector/proc-reader.ts';
import { AttachError, isMemwatcherError, type MemwatcherError } from '../errors.ts';
import type { AttachedInspector } from './attach-inspector.ts';
import { installRelayExpression, type RelaySample, SAMPLE_FUNCTION, STOP_FUNCTION } from './gc-relay.ts';

/**
 * A reading through the inspector: the collector's outside sample, plus what the GC relay counted
 * since the previous one. The store sink passes a sample on as the writer's `SampleRecord`, so
 * `gcPauseMs` and `gcCount` are kept in history with it; the `--events` line carries them too.
 * `heapFloor` is set only when a major GC ran since the previous sample (see below).
 */
export interface InspectorSampleEvent extends OutsideSampleEvent {
  readonly source: 'inspector';
  readonly gcPauseMs: number;
  readonly gcCount: number;
  readonly detachedContexts: number;
}

export interface InspectorSamplerOptions {
  readonly intervalMs: number;
  readonly onSample: (sample: InspectorSampleEvent) => void;
  /** A reading failed (the process keeps being sampled). */
  readonly onFault: (error: MemwatcherError) => void;
  /**
   * The process is gone: `exiting` — its program ended and Node waits for the debugger to disconnect
   * before it exits (close the connection at once); `disconnected` — the connection closed (the process
   * died, or someone else closed its inspector).
   */
  readonly onGone: (how: 'exiting' | 'disconnected') => void;
}

const OBJECT_GROUP = 'memwatcher-attach';

/**
 * Samples an attached Node process every `intervalMs` through its inspector: `process.memoryUsage()`,
 * V8's heap limit, GC counts and pauses and the heap floor after major GCs (from a GC observer placed
 * in the process, see `gc-relay.ts`), and, on Linux, RSS peak, swap and threads from `/proc`. A tick
 * is skipped while the previous reading is still on its way (a busy process answers late).
 * `stop()` removes the observer and releases memwatcher's handle on it.
 *
 * @example
 * const sampler = await InspectorSampler.start(attached, { intervalMs: 1000, onSample: (s) => collector.acceptSample(s), onFault, onGone });
 * // …
 * await sampler.stop();
 */
export class InspectorSampler {
  private readonly attached: AttachedInspector;
  private readonly options: InspectorSamplerOptions;
  private readonly relayId: string;
  private readonly timer: NodeJS.Timeout;
  private readonly stopListening: () => void;
  private readonly gone: (how: 'exiting' | 'disconnected') => void;
  private inFlight = false;
  private stopped = false;
  private isGone = false;

  private constructor(attached: AttachedInspector, relayId: string, options: InspectorSamplerOptions) {
    this.attached = attached;
    this.options = options;
    this.relayId = relayId;
    this.timer = setInterval(() => void this.tick(), options.intervalMs);
    this.gone = (how) => {
      if (this.stopped || this.isGone) return;
      this.isGone = true;
      clearInterval(this.timer);
      options.onGone(how);
    };
    void attached.connection.closed.then(() => this.gone('disconnected'));
    this.stopListening = attached.connection.on('NodeRuntime.waitingForDisconnect', () =>
      this.gone('exiting'),
    );
  }

  /** Places the GC observer in the process and starts sampling (the first reading at once). */
  static async start(
    attached: AttachedInspector,
    options: InspectorSamplerOptions,
  ): Promise<InspectorSampler> {
    // The observer outlives memwatcher by at most this much if memwatcher is killed.
    const staleMs = Math.max(30_000, options.intervalMs * 10);
    const answer = await attached.connection.send<Runtime.EvaluateReturnType>('Runtime.evaluate', {
      expression: installRelayExpression(staleMs),
      objectGroup: OBJECT_GROUP,
      includeCommandLineAPI: true,
      silent: true,
    });
    const relayId = answer.result.objectId;
    if (answer.exceptionDetails !== undefined || relayId === undefined) {
      throw new AttachError(
        'ERR_INSPECTOR_PROTOCOL',
        attached.pid,
        `Could not place memwatcher's GC observer in process ${attached.pid}: ${
          answer.exceptionDetails?.exception?.description?.split('\n')[0] ?? 'no object came back'
        }.`,
      );
    }
    // When the program ends, Node keeps the process until the debugger disconnects; this asks it to
    // say so (`NodeRuntime.waitingForDisconnect`) instead of waiting in silence.
    await attached.connection
      .send('NodeRuntime.notifyWhenWaitingForDisconnect', { enabled: true })
      .catch(() => {});
    const sampler = new InspectorSampler(attached, relayId, options);
    await sampler.tick();
    return sampler;
  }

  /** Stops sampling and removes the observer from the process. Never throws. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.stopListening();
    const { connection } = this.attached;
    if (!connection.isOpen) return;
    try {
      await connection.send('Runtime.callFunctionOn', {
        objectId: this.relayId,
        functionDeclaration: STOP_FUNCTION,
        returnByValue: true,
        silent: true,
      });
      await connection.send('Runtime.releaseObjectGroup', { objectGroup: OBJECT_GROUP });
    } catch {
      // The process exited, or the connection dropped: nothing of ours is left to remove.
    }
  }

  private async tick(): Promise<void> {
    if (this.inFlight || this.stopped) return;
    this.inFlight = true;
    try {
      const { connection, pid } = this.attached;
      const answer = await connection.send<Runtime.CallFunctionOnReturnType>('Runtime.callFunctionOn', {
        objectId: this.relayId,
        functionDeclaration: SAMPLE_FUNCTION,
        returnByValue: true,
        silent: true,
      });
      if (answer.exceptionDetails !== undefined) {
        throw new AttachError(
          'ERR_INSPECTOR_PROTOCOL',
          pid,
          `Reading memory in process ${pid} failed: ${answer.exceptionDetails.exception?.description?.split('\n')[0] ?? answer.exceptionDetails.text}.`,
        );
      }
      const reading = answer.result.value as RelaySample;
      const proc = await readProcMemory(pid);
      if (this.stopped) return;
      this.options.onSample({
        type: 'sample',
        source: 'inspector',
        time: reading.time,
        pid,
        rss: reading.rss,
        rssPeak: proc?.rssPeak ?? null,
        pss: proc?.pss ?? null,
        swap: proc?.swap ?? null,
        threads: proc?.threads ?? null,
        processes: 1,
        heapUsed: reading.heapUsed,
        heapTotal: reading.heapTotal,
        external: reading.external,
        arrayBuffers: reading.arrayBuffers,
        heapLimit: reading.heapLimit,
        // Only a floor measured since the previous sample: the verdict takes every floor it is given
        // as a new measurement, and a repeated stale one would read as "no growth".
        heapFloor: reading.gc.floor?.heapFloor ?? null,
        gcPauseMs: reading.gc.pauseMs,
        gcCount: reading.gc.count,
        detachedContexts: reading.detachedContexts,
      });
    } catch (error) {
      // A closed connection is reported once, through onGone.
      if (this.stopped || this.isGone || !this.attached.connection.isOpen) return;
      // The program has ended: its context is gone while Node waits for us to disconnect.
      if (error instanceof Error && /Cannot find context with specified id/.test(error.message)) {
        this.gone('exiting');
        return;
      }
      this.options.onFault(
        isMemwatcherError(error)
          ? error
          : new AttachError(
              'ERR_INSPECTOR_PROTOCOL',
              this.attached.pid,
              `Sampling failed: ${String(error)}.`,
              {
                cause: error,
              },
            ),
      );
    } finally {
      this.inFlight = false;
    }
  }
}
