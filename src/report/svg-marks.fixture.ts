/**
 * Reading a Vega SVG in tests: each named layer's marks sit in one `<g class="mark-… role-mark
 * {name}_marks">` group, one child element per mark item.
 */

/** The elements drawn by the layer named `name` (`memory_series`, `alerts`, …). */
export function marksOf(svg: string, name: string): string[] {
  const groups = [
    ...svg.matchAll(new RegExp(`<g class="mark-[a-z]+ role-mark ${name}_marks"[^>]*>(.*?)</g>`, 'gs')),
  ];
  return groups.flatMap((group) =>
    [...(group[1] ?? '').matchAll(/<(path|rect|line|text)\b[^>]*?(?:\/>|>.*?<\/\1>)/gs)].map((m) => m[0]),
  );
}

/** `d` attributes of the paths among `elements`. */
export function pathData(elements: readonly string[]): string[] {
  return elements.flatMap((element) => {
    const match = /\sd="([^"]*)"/.exec(element);
    return match === null ? [] : [match[1]!];
  });
}

/** Text content of all `<text>` elements of an SVG (Vega writes one text per label). */
export function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>(.*?)<\/text>/gs)].map((m) => (m[1] ?? '').replace(/<[^>]+>/g, ''));
}
