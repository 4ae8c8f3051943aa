/**
 * Text from a heap (class names, property names) is attacker-influenced: it is escaped wherever it
 * lands in markup.
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
