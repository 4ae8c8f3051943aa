import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** One font list for every chart: the browser picks the first it has, resvg the first it finds. */
const CHART_FONT =
  "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', 'Liberation Sans', sans-serif";
export const MONO_FONT =
  "ui-monospace, 'SF Mono', Menlo, Consolas, 'DejaVu Sans Mono', 'Liberation Mono', monospace";

/** The house style: quiet axes, no frame, legends on top. Charts add to it, never fight it. */
export const CHART_CONFIG = {
  font: CHART_FONT,
  background: 'white',
  padding: 8,
  view: { stroke: null },
  axis: {
    labelColor: '#4a5260',
    titleColor: '#4a5260',
    titleFontWeight: 'normal',
    labelFontSize: 11,
    titleFontSize: 11,
    gridColor: '#eceef2',
    domainColor: '#b8bec9',
    tickColor: '#b8bec9',
  },
  legend: { labelColor: '#303641', titleColor: '#4a5260', labelFontSize: 11, titleFontSize: 11 },
  title: { fontSize: 13, fontWeight: 600, color: '#20242c', anchor: 'start', offset: 10 },
} as const;

export interface RenderOptions {
  /** Vega-Lite's and Vega's warnings about the spec (silent by default: they would reach the user's terminal). */
  readonly onWarning?: (message: string) => void;
  /**
   * Prefix for the SVG's element ids (clip paths), so several charts can share one HTML page
   * without one chart's `url(#clip1)` finding another chart's clip path.
   */
  readonly idPrefix?: string;
  /**
   * Named layers whose marks get their description (Vega writes it as `aria-label`) as an SVG
   * `<title>` too: browsers show it on hover, in the HTML report and in a saved SVG alike.
   */
  readonly titledLayers?: readonly string[];
}

type Logger = NonNullable<NonNullable<Parameters<typeof compile>[1]>['logger']>;

/**
 * A Vega-Lite spec drawn as a standalone SVG document, without a browser. Text is measured by
 * estimate (no canvas in Node), so labels get generous room rather than exact room.
 *
 * @example
 * const svg = await renderVegaLiteSvg({ mark: 'bar', data: { values }, encoding: { … } });
 */
export async function renderVegaLiteSvg(spec: TopLevelSpec, options: RenderOptions = {}): Promise<string> {
  const logger = warningLogger(options.onWarning);
  const { spec: vegaSpec } = compile(spec, { logger });
  const view = new View(parse(vegaSpec), { renderer: 'none', logger });
  try {
    let svg = await view.toSVG();
    for (const layer of options.titledLayers ?? []) svg = addTitles(svg, layer);
    return options.idPrefix === undefined ? svg : prefixIds(svg, options.idPrefix);
  } finally {
    view.finalize();
  }
}

function warningLogger(onWarning: ((message: string) => void) | undefined): Logger {
  const logger: Logger = {
    level: () => 2,
    error: (...args: unknown[]) => {
      onWarning?.(args.map(String).join(' '));
      return logger;
    },
    warn: (...args: unknown[]) => {
      onWarning?.(args.map(String).join(' '));
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  };
  return logger;
}

function addTitles(svg: string, layer: string): string {
  return svg.replace(
    new RegExp(`(<g class="mark-[a-z]+ role-mark ${layer}_marks"[^>]*>)(.*?)(</g>)`, 'gs'),
    (_, open: string, marks: string, close: string) =>
      open +
      // Vega escapes the label for an attribute; the same text is valid element content.
      marks.replace(/<(path|rect)( aria-label="([^"]*)"[^>]*?)\/>/g, '<$1$2><title>$3</title></$1>') +
      close,
  );
}

function prefixIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}-${id})`)
    .replace(/href="#([^"]+)"/g, (_, id: string) => `href="#${prefix}-${id}"`);
}
