import type { MemoryAlert } from './alert.ts';

const MB = 1024 * 1024;

/** A realistic alert for sink tests. */
export function sampleAlert(overrides: Partial<MemoryAlert> = {}): MemoryAlert {
  return {
    rule: 'rssAbove',
    severity: 'warning',
    time: Date.UTC(2025, 5, 1, 12, 0, 0),
    message: 'RSS 812 MB is above 768 MB',
    value: 812 * MB,
    threshold: 768 * MB,
    memory: {
      rss: 812 * MB,
      heapTotal: 300 * MB,
      heapUsed: 250 * MB,
      external: 20 * MB,
      arrayBuffers: 10 * MB,
      heapLimit: 4096 * MB,
      heapFloor: 180 * MB,
    },
    verdict: undefined,
    topGrowingClasses: [{ name: 'Session', count: 120_000, countDelta: 40_000, bytesDelta: 12 * MB }],
    pid: 4242,
    hostname: 'web-1',
    ...overrides,
  };
}
