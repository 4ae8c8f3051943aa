/**
 * How strings end up in a `.heapsnapshot` file. V8's serializer does not use JSON.stringify: it walks
 * the UTF-8 bytes of each string and writes every non-ASCII code point as one `\uXXXX` escape with
 * only the low 16 bits (so U+1F600 becomes `\uF600`), and lone surrogates, which are not valid UTF-8,
 * as one `?` per byte (`???`). Checked against `v8.writeHeapSnapshot` on Node 20.20 and 24.21.
 */

/** `v8`: exactly as V8 writes it. `json`: as JSON.stringify writes it (raw UTF-8, `\udXXX` for lone surrogates). */
export type StringEscapes = 'v8' | 'json';

const hexDigits = '0123456789ABCDEF';

function uEscape(codeUnit: number): string {
  return `\\u${hexDigits[(codeUnit >> 12) & 15]}${hexDigits[(codeUnit >> 8) & 15]}${hexDigits[(codeUnit >> 4) & 15]}${hexDigits[codeUnit & 15]}`;
}

const shortEscapes: Record<number, string> = {
  34: '\\"',
  92: '\\\\',
  8: '\\b',
  12: '\\f',
  10: '\\n',
  13: '\\r',
  9: '\\t',
};

/** The body of a JSON string literal (no surrounding quotes) as V8's heap snapshot serializer writes `text`. */
export function escapeLikeV8(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const short = shortEscapes[unit];
    if (short !== undefined) {
      out += short;
    } else if (unit < 0x20) {
      out += uEscape(unit);
    } else if (unit < 0x80) {
      out += text[i];
    } else if (unit >= 0xd800 && unit <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      const codePoint = ((unit - 0xd800) << 10) + (text.charCodeAt(i + 1) - 0xdc00) + 0x10000;
      out += uEscape(codePoint & 0xffff);
      i++;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      // A lone surrogate is three bytes of invalid UTF-8 to V8's decoder: one '?' each.
      out += '???';
    } else {
      out += uEscape(unit);
    }
  }
  return out;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/** A complete JSON string literal for `text`, escaped the chosen way. */
export function stringLiteral(text: string, escapes: StringEscapes): string {
  return escapes === 'v8' ? `"${escapeLikeV8(text)}"` : JSON.stringify(text);
}

/**
 * What a reader gets back for `name` after V8 wrote it: the same string for anything in the Basic
 * Multilingual Plane, a different one for astral characters and lone surrogates.
 *
 * @example
 * asV8Writes('café');  // 'café'
 * asV8Writes('😀');    // '\uF600'
 * asV8Writes('\uD800'); // '???'
 */
export function asV8Writes(name: string): string {
  return JSON.parse(`"${escapeLikeV8(name)}"`) as string;
}
