import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { formatBytes, formatByteTicks, formatClock, formatMs } from './format.ts';
import type { SampleBuffer } from './sample-buffer.ts';

export interface ChartMarker {
  readonly time: number;
  readonly kind: 'warning' | 'critical' | 'snapshot' | 'leak';
  readonly label: string;
}

/** What the x axis shows: everything (following live data), the last `ms`, or what the user zoomed to. */
type View = { mode: 'all' } | { mode: 'window'; ms: number } | { mode: 'zoomed' };

const WINDOWS: readonly { label: string; ms: number }[] = [
  { label: '5 min', ms: 5 * 60_000 },
  { label: '1 h', ms: 3_600_000 },
  { label: '6 h', ms: 6 * 3_600_000 },
  { label: '1 day', ms: 86_400_000 },
];

const COLORS = {
  rss: '#6b7686',
  heapUsed: '#86b4e0',
  heapFloor: '#d6453d',
  external: '#3f9a55',
  gc: '#8a6bd1',
  warning: '#e08a00',
  critical: '#c0262d',
  snapshot: '#5b3fa8',
  leak: '#b3261e',
} as const;

const MEMORY_HEIGHT = 320;
const GC_HEIGHT = 110;

/**
 * The memory chart (RSS, heap used, heap floor after GC, external, ArrayBuffers) and the GC pause
 * chart under it, sharing their time axis and cursor. uPlot draws on a canvas and thins the lines to
 * the pixels it has, so a day of 1 s samples (86,400 points) redraws in milliseconds.
 *
 * Zoom: drag across the chart, or the mouse wheel; pan: shift + drag; double-click: everything.
 * While showing everything or the last N minutes, the charts follow new samples.
 */
export function TimeCharts(props: {
  buffer: SampleBuffer;
  markers: readonly ChartMarker[];
  jsFigures: boolean;
}) {
  const { buffer, jsFigures } = props;
  const memoryRef = useRef<HTMLDivElement>(null);
  const gcRef = useRef<HTMLDivElement>(null);
  const markersRef = useRef(props.markers);
  const viewRef = useRef<View>({ mode: 'all' });
  /** Above 0 while the page changes the scales itself (not the user's zoom or pan). */
  const programmaticRef = useRef(0);
  const chartsRef = useRef<{ memory: uPlot; gc: uPlot | undefined } | null>(null);
  /**
   * The last time the charts were given (at their latest `setData`). The buffer's arrays grow in place
   * before the next frame redraws, so a double-click's reset to "all the chart's data" ends at this
   * time, not at the buffer's newest sample.
   */
  const drawnLastRef = useRef<number | undefined>(undefined);
  const [view, setViewState] = useState<View>({ mode: 'all' });
  const setView = (next: View) => {
    viewRef.current = next;
    setViewState(next);
  };

  markersRef.current = props.markers;

  useEffect(() => {
    const memoryTarget = memoryRef.current!;
    const gcTarget = gcRef.current;
    const width = Math.max(320, memoryTarget.clientWidth);
    const data = () =>
      [
        buffer.time,
        buffer.columns.rss,
        buffer.columns.heapUsed,
        buffer.columns.heapFloor,
        buffer.columns.external,
        buffer.columns.arrayBuffers,
      ] as uPlot.AlignedData;
    const gcData = () => [buffer.time, buffer.columns.gcPauseMs] as uPlot.AlignedData;

    const scaleTo = (chart: uPlot | undefined, min: number, max: number) => {
      if (chart === undefined) return;
      programmaticRef.current++;
      try {
        // Only the other chart: this one is in the middle of its own commit.
        chart.batch(() => chart.setScale('x', { min, max }));
      } finally {
        programmaticRef.current--;
      }
    };
    const onUserScale = (self: uPlot, key: string) => {
      if (key !== 'x' || programmaticRef.current > 0) return;
      const { min, max } = self.scales.x!;
      if (min === undefined || max === undefined) return;
      const first = buffer.time[0];
      const last = drawnLastRef.current;
      const everything = first !== undefined && last !== undefined && min <= first && max >= last;
      setView(everything ? { mode: 'all' } : { mode: 'zoomed' });
      const other = self === charts.memory ? charts.gc : charts.memory;
      scaleTo(other, min, max);
    };

    const bytesAxis: uPlot.Axis = {
      stroke: '#5d6675',
      grid: { stroke: '#eceef2' },
      ticks: { stroke: '#e3e6eb' },
      size: 64,
      values: (_u, splits, _axis, _space, increment) => formatByteTicks(splits, increment),
    };
    const timeAxis: uPlot.Axis = {
      stroke: '#5d6675',
      grid: { stroke: '#eceef2' },
      ticks: { stroke: '#e3e6eb' },
      // Room for `17:30:15` between ticks.
      space: 80,
      values: (_u, splits, _axis, _space, increment) => splits.map((value) => timeLabel(value, increment)),
    };
    const line = (
      label: string,
      stroke: string,
      width: number,
      extra: Partial<uPlot.Series> = {},
    ): uPlot.Series => ({
      label,
      stroke,
      width,
      spanGaps: true,
      points: { show: false },
      value: (_u, value) => formatBytes(value),
      ...extra,
    });

    drawnLastRef.current = buffer.time[buffer.time.length - 1];
    const memory = new uPlot(
      {
        width,
        height: MEMORY_HEIGHT,
        ms: 1,
        cursor: { sync: { key: 'memwatcher' }, drag: { x: true, y: false, setScale: true } },
        scales: { x: { time: true }, y: { range: (_u, min, max) => [0, max > min ? max * 1.08 : min + 1] } },
        axes: [timeAxis, bytesAxis],
        legend: { live: true },
        series: [
          { label: 'time', value: (_u, value) => (value === null ? '–' : formatClock(value)) },
          line('RSS', COLORS.rss, 1.75),
          line('heap used', COLORS.heapUsed, 1.1, { show: jsFigures }),
          line('heap floor (after GC)', COLORS.heapFloor, 2.5, {
            show: jsFigures,
            paths: uPlot.paths.stepped!({ align: 1 }),
          }),
          line('external', COLORS.external, 1.5, { show: jsFigures }),
          line('ArrayBuffers', COLORS.external, 1.2, { show: jsFigures, dash: [4, 3] }),
        ],
        hooks: {
          setScale: [(self, key) => onUserScale(self, key)],
          draw: [(self) => drawMarkers(self, markersRef.current)],
          // Off the chart, the legend shows the latest values rather than dashes.
          setCursor: [
            (self) => {
              if (self.cursor.idx == null && buffer.time.length > 0)
                self.setLegend({ idx: buffer.time.length - 1 });
            },
          ],
        },
        plugins: [wheelZoomAndPan()],
      },
      data(),
      memoryTarget,
    );
    const gc =
      gcTarget === null
        ? undefined
        : new uPlot(
            {
              width,
              height: GC_HEIGHT,
              ms: 1,
              cursor: { sync: { key: 'memwatcher' }, drag: { x: true, y: false, setScale: true } },
              scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
              axes: [
                { ...timeAxis, show: false },
                { ...bytesAxis, values: (_u, splits) => splits.map((value) => `${value} ms`) },
              ],
              legend: { show: false },
              series: [
                {},
                {
                  label: 'GC pause',
                  stroke: COLORS.gc,
                  fill: 'rgba(138, 107, 209, 0.35)',
                  width: 1,
                  points: { show: false },
                  paths: gcPausePaths(),
                  value: (_u, value) => formatMs(value),
                },
              ],
              hooks: { setScale: [(self, key) => onUserScale(self, key)] },
              plugins: [wheelZoomAndPan()],
            },
            gcData(),
            gcTarget,
          );
    const charts = { memory, gc };
    chartsRef.current = charts;

    let frame = 0;
    const redraw = () => {
      frame = 0;
      const started = performance.now();
      const current = viewRef.current;
      const last = buffer.time[buffer.time.length - 1];
      drawnLastRef.current = last;
      quietly(() => {
        if (current.mode === 'all') {
          memory.setData(data(), true);
          gc?.setData(gcData(), true);
        } else {
          const { min, max } = memory.scales.x!;
          memory.setData(data(), false);
          gc?.setData(gcData(), false);
          if (current.mode === 'window' && last !== undefined) {
            memory.setScale('x', { min: last - current.ms, max: last });
            gc?.setScale('x', { min: last - current.ms, max: last });
          } else if (min !== undefined && max !== undefined) {
            memory.setScale('x', { min, max });
            gc?.setScale('x', { min, max });
          }
        }
      });
      memoryTarget.setAttribute('data-points', String(buffer.time.length));
      // How long the last redraw took (both charts): what `scripts/measure-dashboard.ts` reads.
      memoryTarget.setAttribute('data-redraw-ms', (performance.now() - started).toFixed(2));
      // Off the chart, the legend shows the latest values.
      if ((memory.cursor.left ?? -1) < 0 && buffer.time.length > 0)
        memory.setLegend({ idx: buffer.time.length - 1 });
    };
    const unsubscribe = buffer.subscribe(() => {
      if (frame === 0) frame = requestAnimationFrame(redraw);
    });
    const resize = new ResizeObserver(() => {
      const next = Math.max(320, memoryTarget.clientWidth);
      if (next !== memory.width) {
        memory.setSize({ width: next, height: MEMORY_HEIGHT });
        gc?.setSize({ width: next, height: GC_HEIGHT });
      }
    });
    resize.observe(memoryTarget);
    return () => {
      unsubscribe();
      resize.disconnect();
      cancelAnimationFrame(frame);
      memory.destroy();
      gc?.destroy();
      chartsRef.current = null;
    };
  }, [buffer, jsFigures]);

  // New markers (an alert, a snapshot) show without waiting for the next sample.
  useEffect(() => chartsRef.current?.memory.redraw(false, false), [props.markers]);

  const choose = (next: View) => {
    setView(next);
    const charts = chartsRef.current;
    const last = buffer.time[buffer.time.length - 1];
    const first = buffer.time[0];
    if (charts === null || last === undefined || first === undefined) return;
    // A window is that long even while the run is shorter: new points then move in from the right.
    const min = next.mode === 'window' ? last - next.ms : first;
    quietly(() => {
      charts.memory.setScale('x', { min, max: last });
      charts.gc?.setScale('x', { min, max: last });
    });
  };

  /**
   * Scale changes the page makes itself, applied at once (uPlot otherwise commits them in a
   * microtask, after which its hooks could not tell them from the user's zoom).
   */
  function quietly(change: () => void): void {
    const charts = chartsRef.current;
    programmaticRef.current++;
    try {
      if (charts === null) change();
      else charts.memory.batch(() => (charts.gc === undefined ? change() : charts.gc.batch(change)));
    } finally {
      programmaticRef.current--;
    }
  }

  return (
    <div class="time-charts">
      <div class="chart-toolbar" role="toolbar" aria-label="Time range">
        {WINDOWS.map((window) => (
          <button
            type="button"
            class={view.mode === 'window' && view.ms === window.ms ? 'active' : ''}
            onClick={() => choose({ mode: 'window', ms: window.ms })}
          >
            {window.label}
          </button>
        ))}
        <button
          type="button"
          class={view.mode === 'all' ? 'active' : ''}
          onClick={() => choose({ mode: 'all' })}
        >
          All
        </button>
        <span class="hint">
          {view.mode === 'zoomed' ? 'Zoomed: live points are added off-screen. ' : 'Following live samples. '}
          Drag or scroll to zoom, shift + drag to pan, double-click for everything.
        </span>
      </div>
      <div ref={memoryRef} class="memory-chart" data-testid="memory-chart" />
      <h3 class="gc-title">GC pause per sample</h3>
      <div ref={gcRef} class="gc-chart" />
    </div>
  );
}

/**
 * Bars while there are fewer points than pixels; an area beyond. uPlot draws every bar, one by one
 * (a day of samples: 86,400 rectangles, ~40 ms a frame), while its lines keep a point per pixel.
 */
function gcPausePaths(): uPlot.Series.PathBuilder {
  const bars = uPlot.paths.bars!({ size: [0.9, 16], align: 1 });
  const area = uPlot.paths.linear!();
  return (u, seriesIdx, idx0, idx1) =>
    (idx1 - idx0 > u.bbox.width / devicePixelRatio ? area : bars)(u, seriesIdx, idx0, idx1);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Clock time at the precision the tick spacing needs; the date where a day starts. */
function timeLabel(time: number, incrementMs: number): string {
  const date = new Date(time);
  const clock =
    incrementMs < 60_000
      ? `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
      : `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  if (
    incrementMs >= 86_400_000 ||
    (date.getHours() === 0 && date.getMinutes() === 0 && incrementMs >= 3_600_000)
  )
    return date.toLocaleDateString('en-US', { month: 'short', day: 'numeric' });
  return clock;
}

function drawMarkers(u: uPlot, markers: readonly ChartMarker[]): void {
  const { ctx, bbox } = u;
  const ratio = devicePixelRatio;
  ctx.save();
  ctx.beginPath();
  ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
  ctx.clip();
  for (const marker of markers) {
    const x = Math.round(u.valToPos(marker.time, 'x', true));
    if (x < bbox.left || x > bbox.left + bbox.width) continue;
    const color = COLORS[marker.kind];
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = (marker.kind === 'leak' ? 1.5 : 1) * ratio;
    ctx.setLineDash(marker.kind === 'snapshot' ? [] : [5 * ratio, 3 * ratio]);
    ctx.beginPath();
    ctx.moveTo(x, bbox.top);
    ctx.lineTo(x, bbox.top + bbox.height);
    ctx.stroke();
    const size = 5 * ratio;
    ctx.beginPath();
    if (marker.kind === 'snapshot') {
      ctx.moveTo(x, bbox.top);
      ctx.lineTo(x + size, bbox.top + size);
      ctx.lineTo(x, bbox.top + 2 * size);
      ctx.lineTo(x - size, bbox.top + size);
    } else {
      ctx.moveTo(x - size, bbox.top);
      ctx.lineTo(x + size, bbox.top);
      ctx.lineTo(x, bbox.top + 1.6 * size);
    }
    ctx.closePath();
    ctx.fill();
  }
  ctx.restore();
}

/** Mouse wheel zooms around the pointer; shift + drag pans. Both stay within the data. */
function wheelZoomAndPan(): uPlot.Plugin {
  return {
    hooks: {
      ready: (u) => {
        const over = u.over;
        const bounds = () => {
          const data = u.data[0];
          return { first: data[0] ?? 0, last: data[data.length - 1] ?? 0 };
        };
        const clampRange = (min: number, max: number) => {
          const { first, last } = bounds();
          const span = Math.min(max - min, last - first);
          let from = Math.max(first, min);
          let to = from + span;
          if (to > last) {
            to = last;
            from = last - span;
          }
          return { min: from, max: to };
        };
        over.addEventListener(
          'wheel',
          (event) => {
            event.preventDefault();
            const { min, max } = u.scales.x!;
            if (min === undefined || max === undefined) return;
            const at = u.posToVal(event.offsetX, 'x');
            const factor = event.deltaY < 0 ? 0.75 : 1 / 0.75;
            // Not narrower than a few samples' worth.
            const span = Math.max(1000, (max - min) * factor);
            const share = (at - min) / (max - min);
            u.setScale('x', clampRange(at - share * span, at - share * span + span));
          },
          { passive: false },
        );
        u.root.addEventListener(
          'mousedown',
          (event) => {
            if (!event.shiftKey || event.button !== 0) return;
            // Ahead of uPlot's own drag-to-zoom.
            event.stopPropagation();
            event.preventDefault();
            const startX = event.clientX;
            const { min, max } = u.scales.x!;
            if (min === undefined || max === undefined) return;
            const perPixel = ((max - min) / u.bbox.width) * devicePixelRatio;
            const move = (moveEvent: MouseEvent) => {
              const shift = (startX - moveEvent.clientX) * perPixel;
              u.setScale('x', clampRange(min + shift, max + shift));
            };
            const up = () => {
              removeEventListener('mousemove', move);
              removeEventListener('mouseup', up);
            };
            addEventListener('mousemove', move);
            addEventListener('mouseup', up);
          },
          { capture: true },
        );
      },
    },
  };
}
