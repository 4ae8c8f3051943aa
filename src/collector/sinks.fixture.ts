/** Events of a short run watched from outside, for the sink tests. */
import type { LeakVerdict } from '../agent/verdict.ts';
import { Collector } from './collector.ts';
import type { CollectorEvent, OutsideSampleEvent } from './events.ts';

export const FIXTURE_START = 1_700_000_000_000;
const MB = 1024 * 1024;

/** A growing process sampled 81 times, judged, alerted on, ended with exit code 0. */
export function outsideRunEvents(pid = 321): CollectorEvent[] {
  const collector = new Collector({
    intervalMs: 250,
    leak: { windowMs: 10_000, warmupMs: 1000, minPoints: 5, confidence: 0.95, minGrowthBytesPerMinute: MB },
    now: () => FIXTURE_START,
  });
  const events: CollectorEvent[] = [
    {
      type: 'start',
      source: 'collector',
      time: FIXTURE_START,
      pid,
      mode: 'run',
      command: ['python3', 'app.py'],
      method: 'proc',
      intervalMs: 250,
      windowMs: 10_000,
      warmupMs: 1000,
    },
  ];
  collector.subscribe((event) => events.push(event));
  for (let t = 0; t <= 20_000; t += 250) collector.acceptSample(sampleAt(pid, t, 50 * MB + t * 2048));
  events.push({
    type: 'exit',
    source: 'collector',
    time: FIXTURE_START + 20_500,
    pid,
    exitCode: 0,
    signal: null,
    reason: 'exited',
  });
  return events;
}

export function sampleAt(pid: number, t: number, rss: number): OutsideSampleEvent {
  return {
    type: 'sample',
    source: 'proc',
    time: FIXTURE_START + t,
    pid,
    rss,
    rssPeak: rss,
    pss: rss / 2,
    swap: 0,
    threads: 3,
    processes: 1,
    heapUsed: null,
    heapTotal: null,
    external: null,
    arrayBuffers: null,
    heapLimit: null,
    heapFloor: null,
  };
}

export function lastVerdict(events: readonly CollectorEvent[]): LeakVerdict {
  const verdicts = events.flatMap((event) => (event.type === 'verdict' ? [event.verdict] : []));
  return verdicts.at(-1)!;
}
