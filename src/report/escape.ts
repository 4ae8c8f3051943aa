/**
 * Text from a heap (class names, property names) is attacker-influenced: it is escaped wherever it
 * lands in markup, and in a `<script>` block nothing may close the block.
 */

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Text for HTML or SVG content and attribute values.
 *
 * @example
 * escapeXml('Map<string, Session>'); // 'Map&lt;string, Session&gt;'
 */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => XML_ESCAPES[char]!);
}

/**
 * JSON that can sit inside `<script type="application/json">`: `<` is written as `\u003c`, so no
 * value can end the script block, plus the two line separators JavaScript once rejected in strings.
 *
 * @example
 * `<script type="application/json">${jsonForScript(report)}</script>`
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}
