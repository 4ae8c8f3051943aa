import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SnapshotSeriesCapture, SnapshotSeriesRequest } from '../collector/leak-evidence.ts';
import type { CdpConnection } from './cdp-connection.ts';
import { type HeapSnapshotFile, takeHeapSnapshotToFile } from './heap-snapshot-file.ts';

export interface InspectorSeriesOptions {
  /** Each snapshot as it is written (publish it as a `snapshot` event). */
  readonly onSnapshot: (
    snapshot: HeapSnapshotFile & { readonly time: number; readonly label: string },
  ) => void;
}

/**
 * `attach`'s way to take a series of heap snapshots whose object ids match (for `--on-leak
 * snapshot`): all through the one inspector session memwatcher holds, `intervalMs` apart. After the
 * series the HeapProfiler domain is disabled again — V8 then stops tracking object moves at every GC,
 * which slows an allocating program down (ids are forgotten too, but the series is complete).
 *
 * @example
 * const capture = inspectorSnapshotSeries(attached.connection, { onSnapshot: (s) => collector.publish({ … }) });
 * await captureLeakEvidence({ pid, capture, dir, intervalMs: 10_000, publish });
 */
export function inspectorSnapshotSeries(
  connection: CdpConnection,
  options: InspectorSeriesOptions,
): SnapshotSeriesCapture {
  return async (request: SnapshotSeriesRequest) => {
    const files: string[] = [];
    const stamp = new Date().toISOString().slice(0, 19).replaceAll(':', '-');
    try {
      for (let i = 0; i < request.count; i++) {
        if (i > 0)
          await sleep(request.intervalMs, undefined, request.signal ? { signal: request.signal } : {});
        const file = join(
          request.dir,
          `heap-${connection.pid}-${stamp}-${request.label}-${i + 1}.heapsnapshot`,
        );
        const time = Date.now();
        const taken = await takeHeapSnapshotToFile(
          connection,
          file,
          request.signal ? { signal: request.signal } : {},
        );
        files.push(taken.file);
        options.onSnapshot({ ...taken, time, label: request.label });
      }
    } finally {
      if (connection.isOpen) await connection.send('HeapProfiler.disable').catch(() => {});
    }
    return files;
  };
}
