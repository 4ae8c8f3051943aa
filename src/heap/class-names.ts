import type { HeapSnapshot, TypeIndices } from './snapshot.ts';

/**
 * Class of every node, named as DevTools names it (`calculateObjectNames`, `inferInterfaceDefinitions`,
 * `applyInterfaceDefinitions` in HeapSnapshot.ts), so that our class summary lines up with the one users
 * know: constructor name for objects; `(system)`, `(compiled code)`, `Function`, `RegExp`; `(string)`,
 * `(array)`… for the rest; and plain `Object`s named after their properties (`{id, user, expires}`) when
 * that shape is common enough to be worth a name.
 */

// After this many properties an interface name may stop growing when it gets long (DevTools' values).
const MIN_INTERFACE_PROPERTY_COUNT = 1;
const MAX_INTERFACE_NAME_LENGTH = 120;
const MIN_OBJECT_COUNT_PER_INTERFACE = 2;
// An interface must match at least 1 in this many plain objects.
const MIN_OBJECT_PROPORTION_PER_INTERFACE = 1000;

export function computeClassNames(snapshot: HeapSnapshot, types: TypeIndices): Uint32Array {
  const { nodeCount, nodeType, nodeName, strings } = snapshot;
  const classIndex = new Uint32Array(nodeCount);
  const added = new Map<string, number>();
  const indexFor = (name: string) => {
    let index = added.get(name);
    if (index === undefined) {
      index = strings.add(name);
      added.set(name, index);
    }
    return index;
  };
  const byType = snapshot.nodeTypeNames.map((typeName, type) => {
    if (type === types.node.hidden) return indexFor('(system)');
    if (type === types.node.code) return indexFor('(compiled code)');
    if (type === types.node.closure) return indexFor('Function');
    if (type === types.node.regexp) return indexFor('RegExp');
    if (type === types.node.object || type === types.node.native) return -1;
    return indexFor(`(${typeName})`);
  });
  // DOM-style names ('<div id="a">' → '<div>'): only natives/objects whose name starts with '<' or 'D'.
  const trimmedByName = new Map<number, number>();
  for (let i = 0; i < nodeCount; i++) {
    const fixed = byType[nodeType[i]!]!;
    if (fixed >= 0) {
      classIndex[i] = fixed;
      continue;
    }
    const name = nodeName[i]!;
    const first = strings.firstByte(name);
    if (first !== 0x3c && first !== 0x44) {
      classIndex[i] = name;
      continue;
    }
    let trimmed = trimmedByName.get(name);
    if (trimmed === undefined) {
      trimmed = trimDomName(strings.get(name), name, indexFor);
      trimmedByName.set(name, trimmed);
    }
    classIndex[i] = trimmed;
  }
  nameInterfaces(snapshot, types, classIndex, indexFor);
  return classIndex;
}

function trimDomName(name: string, index: number, indexFor: (name: string) => number): number {
  if (name.startsWith('<')) {
    const space = name.indexOf(' ');
    return indexFor(space === -1 ? name : `${name.substring(0, space)}>`);
  }
  if (name.startsWith('Detached <')) {
    const space = name.indexOf(' ', 10);
    return indexFor(space === -1 ? name : `${name.substring(0, space)}>`);
  }
  return index;
}

interface InterfaceDefinition {
  name: string;
  properties: string[];
  count: number;
}

interface PropertyTreeNode {
  next: Map<string, PropertyTreeNode>;
  match: { name: string; propertyCount: number; index: number } | null;
  greatestNext: string | null;
}

function nameInterfaces(
  snapshot: HeapSnapshot,
  types: TypeIndices,
  classIndex: Uint32Array,
  indexFor: (name: string) => number,
): void {
  const { nodeCount, nodeType, nodeName, firstEdge, edgeType, edgeNameOrIndex, strings } = snapshot;
  const objectIndex = strings.indexOf('Object');
  if (objectIndex < 0) return;
  const objectType = types.node.object;
  const propertyType = types.edge.property;
  const formatted = new Map<number, string>();
  const format = (name: number) => {
    let text = formatted.get(name);
    if (text === undefined) {
      text = formatPropertyName(strings.get(name));
      formatted.set(name, text);
    }
    return text;
  };

  // Pass 1: candidate interfaces from each plain object's leading properties (DevTools' rules).
  const candidates = new Map<string, InterfaceDefinition>();
  let plainObjects = 0;
  for (let i = 0; i < nodeCount; i++) {
    if (nodeType[i] !== objectType || nodeName[i] !== objectIndex) continue;
    plainObjects++;
    let name = '{';
    const properties: string[] = [];
    for (let e = firstEdge[i]!, end = firstEdge[i + 1]!; e < end; e++) {
      if (edgeType[e] !== propertyType) continue;
      const raw = strings.get(edgeNameOrIndex[e]!);
      if (raw === '__proto__') continue;
      const text = format(edgeNameOrIndex[e]!);
      if (name.length > MIN_INTERFACE_PROPERTY_COUNT && name.length + text.length > MAX_INTERFACE_NAME_LENGTH)
        break;
      if (name.length !== 1) name += ', ';
      name += text;
      properties.push(raw);
    }
    if (properties.length === 0) continue;
    name += '}';
    const candidate = candidates.get(name);
    if (candidate) candidate.count++;
    else candidates.set(name, { name, properties, count: 1 });
  }
  const minCount = Math.max(
    MIN_OBJECT_COUNT_PER_INTERFACE,
    plainObjects / MIN_OBJECT_PROPORTION_PER_INTERFACE,
  );
  const definitions = [...candidates.values()]
    .sort((a, b) => b.count - a.count)
    .filter((candidate) => candidate.count >= minCount);
  if (definitions.length === 0) return;

  // Pass 2: a tree over sorted property names; each object takes the definition with the most
  // properties that are all among its own (earlier = more popular on ties).
  const tree: PropertyTreeNode = { next: new Map(), match: null, greatestNext: null };
  definitions.forEach((definition, index) => {
    let node = tree;
    for (const property of [...definition.properties].sort()) {
      let child = node.next.get(property);
      if (!child) {
        child = { next: new Map(), match: null, greatestNext: null };
        node.next.set(property, child);
        if (node.greatestNext === null || node.greatestNext < property) node.greatestNext = property;
      }
      node = child;
    }
    node.match ??= { name: definition.name, propertyCount: definition.properties.length, index };
  });
  type Match = NonNullable<PropertyTreeNode['match']>;
  const better = (a: Match, b: Match | null): Match => {
    if (!b || a.propertyCount > b.propertyCount) return a;
    if (b.propertyCount > a.propertyCount) return b;
    return a.index <= b.index ? a : b;
  };
  const fallback: Match = { name: 'Object', propertyCount: 0, index: Number.POSITIVE_INFINITY };
  // Objects of one shape have the same property list: decide once per distinct list.
  const decided = new Map<string, number>();
  for (let i = 0; i < nodeCount; i++) {
    if (nodeType[i] !== objectType || nodeName[i] !== objectIndex) continue;
    let signature = '';
    for (let e = firstEdge[i]!, end = firstEdge[i + 1]!; e < end; e++) {
      if (edgeType[e] === propertyType) signature += `${edgeNameOrIndex[e]},`;
    }
    let result = decided.get(signature);
    if (result === undefined) {
      const properties: string[] = [];
      for (let e = firstEdge[i]!, end = firstEdge[i + 1]!; e < end; e++) {
        if (edgeType[e] === propertyType) properties.push(strings.get(edgeNameOrIndex[e]!));
      }
      properties.sort();
      const states = new Set<PropertyTreeNode>([tree]);
      let match = better(fallback, tree.match);
      for (const property of properties) {
        for (const state of [...states]) {
          if (state.greatestNext === null || property >= state.greatestNext) states.delete(state);
          const next = state.next.get(property);
          if (next) {
            states.add(next);
            match = better(match, next.match);
          }
        }
      }
      result = match === fallback ? objectIndex : indexFor(match.name);
      decided.set(signature, result);
    }
    classIndex[i] = result;
  }
}

/** DevTools escapes names that would make `{a, b}` ambiguous (commas, quotes, braces). */
function formatPropertyName(name: string): string {
  if (/[,'"{}]/.test(name)) {
    const json = JSON.stringify({ [name]: 0 });
    return json.substring(1, json.length - 3);
  }
  return name;
}
