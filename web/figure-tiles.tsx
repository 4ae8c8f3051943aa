import type { DashboardProcess } from '../src/server/api-types.ts';
import { formatBytes, formatMs } from './format.ts';
import type { SampleBuffer } from './sample-buffer.ts';

/** The latest figures, one tile each. */
export function FigureTiles(props: { buffer: SampleBuffer; process: DashboardProcess | undefined }) {
  const { buffer, process } = props;
  const heapUsed = buffer.latest('heapUsed');
  const heapLimit = process?.heapLimit ?? null;
  const gcLastMinute = buffer.sumSince('gcPauseMs', 60_000);
  const tiles: { label: string; value: string; note?: string; testid: string }[] = [
    { label: 'RSS', value: formatBytes(buffer.latest('rss')), testid: 'rss' },
  ];
  if (process?.method !== 'proc') {
    tiles.push(
      {
        label: 'heap used',
        value: formatBytes(heapUsed),
        testid: 'heap-used',
        ...(heapLimit !== null && heapUsed !== null
          ? {
              note: `${((heapUsed / heapLimit) * 100).toFixed(1)} % of the ${formatBytes(heapLimit, 0)} limit`,
            }
          : {}),
      },
      {
        label: 'heap floor (after GC)',
        value: formatBytes(buffer.latest('heapFloor')),
        testid: 'heap-floor',
      },
      { label: 'external', value: formatBytes(buffer.latest('external')), testid: 'external' },
      {
        label: 'GC pauses, last minute',
        value: gcLastMinute === null ? '–' : formatMs(gcLastMinute),
        testid: 'gc-minute',
        ...(gcLastMinute === null
          ? {}
          : { note: `${((gcLastMinute / 60_000) * 100).toFixed(2)} % of the time` }),
      },
    );
  }
  tiles.push({
    label: 'samples',
    value: buffer.length.toLocaleString('en-US'),
    testid: 'sample-count',
    ...(buffer.bucketMs > 0 ? { note: 'older points summarized' } : {}),
  });
  return (
    <div class="figures">
      {tiles.map((tile) => (
        <div class="figure" data-testid={tile.testid}>
          <div class="label">{tile.label}</div>
          <div class="value">{tile.value}</div>
          {tile.note !== undefined && <div class="note">{tile.note}</div>}
        </div>
      ))}
    </div>
  );
}
