import { existsSync } from 'node:fs';
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import { ChartRenderError } from '../errors.ts';

export interface PngOptions {
  /** Pixels per SVG unit: 2 (the default) for sharp images on high-density screens and in docs. */
  readonly scale?: number;
  /** Font files to draw text with, instead of looking for DejaVu or Liberation fonts. */
  readonly fontFiles?: readonly string[];
}

/**
 * Fonts searched first, by file: resvg's own defaults are Arial and Times New Roman, which a Linux
 * machine rarely has. Debian: `fonts-dejavu-core` or `fonts-liberation`.
 */
const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationMono-Bold.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSansMono.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSansMono.ttf',
  '/System/Library/Fonts/Helvetica.ttc',
  '/System/Library/Fonts/Menlo.ttc',
  'C:\\Windows\\Fonts\\segoeui.ttf',
  'C:\\Windows\\Fonts\\consola.ttf',
];

let fontCheck: { readonly files: readonly string[]; readonly drawsText: boolean } | undefined;

/**
 * An SVG (a chart or a retainer graph) as a PNG image, with text drawn in the machine's fonts.
 * Throws `ChartRenderError` (`ERR_NO_FONTS`) when no font can draw text: a PNG whose labels are
 * silently missing is worse than no PNG.
 *
 * @example
 * writeFileSync('memory.png', svgToPng(await renderVegaLiteSvg(spec)));
 */
export function svgToPng(svg: string, options: PngOptions = {}): Buffer {
  const files = options.fontFiles ?? FONT_CANDIDATES.filter((file) => existsSync(file));
  const renderOptions = resvgOptions(files, options.scale ?? 2);
  if (fontCheck === undefined || fontCheck.files.join('\0') !== files.join('\0')) {
    fontCheck = { files, drawsText: drawsText(resvgOptions(files, 1)) };
  }
  if (!fontCheck.drawsText) {
    throw new ChartRenderError(
      'ERR_NO_FONTS',
      'No font found to draw the labels of the PNG. Install one (Debian/Ubuntu: apt-get install fonts-dejavu-core) or write SVG instead.',
    );
  }
  try {
    return new Resvg(concreteFonts(svg, renderOptions.font), renderOptions).render().asPng();
  } catch (error) {
    throw new ChartRenderError('ERR_PNG_RENDER', `Could not draw the PNG: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * resvg does not fall back along a font-family list to a family it has, nor map `monospace` to the
 * family it is given: each list becomes the one family we loaded (monospace lists to the mono one).
 */
function concreteFonts(svg: string, font: ResvgRenderOptions['font']): string {
  if (font?.sansSerifFamily === undefined || font.monospaceFamily === undefined) return svg;
  const { sansSerifFamily, monospaceFamily } = font;
  return svg.replace(/font-family="([^"]*)"/g, (_, list: string) =>
    /mono/i.test(list) ? `font-family="${monospaceFamily}"` : `font-family="${sansSerifFamily}"`,
  );
}

function resvgOptions(files: readonly string[], scale: number): ResvgRenderOptions {
  const sans = files.some((file) => /DejaVuSans\.ttf$/.test(file)) ? 'DejaVu Sans' : 'Liberation Sans';
  const mono = files.some((file) => /DejaVuSansMono\.ttf$/.test(file))
    ? 'DejaVu Sans Mono'
    : 'Liberation Mono';
  return {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    logLevel: 'off',
    font:
      files.length > 0
        ? {
            loadSystemFonts: false,
            fontFiles: [...files],
            defaultFontFamily: sans,
            sansSerifFamily: sans,
            monospaceFamily: mono,
          }
        : { loadSystemFonts: true },
  };
}

/** Whether text comes out as pixels with these fonts (resvg skips text it has no font for). */
function drawsText(options: ResvgRenderOptions): boolean {
  const probe =
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><text x="2" y="15" font-family="sans-serif" font-size="14">Mw</text></svg>';
  const pixels = new Resvg(probe, { ...options, background: 'white' }).render().pixels;
  for (let i = 0; i < pixels.length; i += 4) if (pixels[i]! < 128) return true;
  return false;
}
