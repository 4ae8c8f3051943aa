import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Resvg } from '@resvg/resvg-js';
import { ChartRenderError } from '../errors.ts';
import { svgToPng } from './svg-to-png.ts';
import { MONO_FONT } from './vega-render.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from the PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Dark pixels of a PNG (decoded again by resvg, as an image inside an SVG) and their horizontal extent. */
function ink(png: Buffer, width: number, height: number): { dark: number; left: number; right: number } {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><image width="${width}" height="${height}" href="data:image/png;base64,${png.toString('base64')}"/></svg>`;
  const pixels = new Resvg(svg).render().pixels;
  let dark = 0;
  let left = width;
  let right = -1;
  for (let i = 0; i < pixels.length; i += 4) {
    if (pixels[i]! >= 100 || pixels[i + 3] === 0) continue;
    dark++;
    const x = (i / 4) % width;
    left = Math.min(left, x);
    right = Math.max(right, x);
  }
  return { dark, left, right };
}

const text = (family: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="30"><rect width="120" height="30" fill="white"/><text x="4" y="21" font-family="${family}" font-size="16" fill="black">Session 4,500</text></svg>`;

describe('svgToPng', () => {
  it('draws a PNG at twice the SVG size by default, and at the scale asked', () => {
    const png = svgToPng(text('sans-serif'));
    assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE);
    assert.deepEqual(pngSize(png), { width: 240, height: 60 });
    assert.deepEqual(pngSize(svgToPng(text('sans-serif'), { scale: 1 })), { width: 120, height: 30 });
  });

  it('draws the text of font-family lists a browser would resolve', () => {
    const png = svgToPng(text("system-ui, 'Segoe UI', sans-serif"), { scale: 1 });
    assert.ok(ink(png, 120, 30).dark > 40);
  });

  it('draws monospace lists in a monospace font (retainer graph boxes are sized for one)', () => {
    const run = (letters: string) => {
      const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="30"><rect width="200" height="30" fill="white"/><text x="4" y="21" font-family="${MONO_FONT.replaceAll("'", '&#39;')}" font-size="16">${letters}</text></svg>`;
      const { left, right } = ink(svgToPng(svg, { scale: 1 }), 200, 30);
      return right - left;
    };
    // In a proportional font a run of i is a third as wide as a run of W; in a monospace font nearly as wide.
    assert.ok(run('iiiiiiii') / run('WWWWWWWW') > 0.8, `${run('iiiiiiii')} vs ${run('WWWWWWWW')} px`);
  });

  it('refuses to make a PNG whose labels would be missing (no usable font)', () => {
    assert.throws(
      () => svgToPng(text('sans-serif'), { fontFiles: ['/nonexistent/font.ttf'] }),
      (error: unknown) =>
        error instanceof ChartRenderError &&
        error.code === 'ERR_NO_FONTS' &&
        /fonts-dejavu-core/.test(error.message),
    );
  });

  it('says when the SVG itself is broken', () => {
    assert.throws(
      () => svgToPng('<svg'),
      (error: unknown) => error instanceof ChartRenderError && error.code === 'ERR_PNG_RENDER',
    );
  });
});
