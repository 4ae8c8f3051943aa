/**
 * Reports end up in tickets, chats and CI artifacts; a heap holds tokens, passwords and personal
 * data. Every report form passes its model through here, whatever produced the model: string values
 * are replaced by their length, and property names that look like data rather than code (keys of a
 * dictionary filled from input: e-mail addresses, tokens, URLs) by their length too. Names that look
 * like code are kept — without them a retainer path says nothing.
 */
import type { LeakSuspect, ReportModel, RetainerPathStep } from './report-model.ts';

const stringNodeTypes = new Set(['string', 'concatenated string', 'sliced string']);
const stringClassNames = new Set(['(string)', '(concatenated string)', '(sliced string)']);
const engineStringLabel = /^\(string, \d+ chars\)$/;
/** An identifier a programmer would write; long ones are more likely generated data (ids, hashes). */
const codeLikeName = /^[A-Za-z_$][\w$]{0,39}$/;
/** `<symbol name>` as V8 names symbol-keyed properties; the description comes from code. */
const symbolName = /^<symbol [\w$.:/@-]{1,60}>$/;
/** What this module writes in place of a data-like key: redacting twice must not change it. */
const redactedKey = /^‹key, \d+ chars›$/;
/** Edge types whose names V8 makes up (internal fields, indexes) or the compiler does (variables). */
const engineNamedEdgeTypes = new Set(['element', 'hidden', 'internal', 'context', 'shortcut']);

/**
 * A property name as it may be shown: kept when it looks like code, else `‹key, N chars›`.
 *
 * @example
 * safeEdgeName('sessions', 'property'); // 'sessions'
 * safeEdgeName('alice@example.com', 'property'); // '‹key, 17 chars›'
 */
export function safeEdgeName(name: string, edgeType: string): string {
  if (name === '' || engineNamedEdgeTypes.has(edgeType)) return name;
  if (/^\d+$/.test(name) || codeLikeName.test(name) || symbolName.test(name) || redactedKey.test(name))
    return name;
  return `‹key, ${name.length} chars›`;
}

/**
 * A retainer path step without string values: a string node is described by its length (the heap
 * engine already does so; a model from elsewhere may not have).
 */
export function safeStep(step: RetainerPathStep): RetainerPathStep {
  const edge = safeEdgeName(step.edge, step.edgeType);
  const node =
    stringNodeTypes.has(step.nodeType) && !engineStringLabel.test(step.node)
      ? `(string, ${step.node.length} chars)`
      : step.node;
  return edge === step.edge && node === step.node ? step : { ...step, edge, node };
}

/**
 * A class name as it may be shown: string nodes are named by their type (their "class name" is the
 * value), and a plain object's shape `{a, b}` lists its property names, which may be data (keys filled
 * from input) and go through `safeEdgeName`. Constructor names are code.
 *
 * @example
 * safeClassName('{alice@example.com, id}', 'object'); // '{‹key, 17 chars›, id}'
 */
export function safeClassName(name: string, type: string | null): string {
  if (type !== null && stringNodeTypes.has(type) && !stringClassNames.has(name)) return `(${type})`;
  if (name.startsWith('{') && name.endsWith('}')) {
    // Split on ", " but not inside a key redacted before (`‹key, 17 chars›`): redacting twice is a no-op.
    const keys = name.slice(1, -1).match(/‹key, \d+ chars›|[^,\s][^,]*/g) ?? [];
    return `{${keys.map((key) => (key === '…' || key === '...' ? key : safeEdgeName(key, 'property'))).join(', ')}}`;
  }
  return name;
}

/**
 * A leak suspect whose names are safe to publish.
 *
 * @example
 * const graph = retainerGraph(suspects.map(redactSuspect));
 */
export function redactSuspect(suspect: LeakSuspect): LeakSuspect {
  const safe: LeakSuspect = {
    ...suspect,
    name: safeClassName(suspect.name, suspect.type),
    retainerPath: suspect.retainerPath.map(safeStep),
  };
  if (suspect.accumulatesIn !== undefined) {
    safe.accumulatesIn = {
      ...suspect.accumulatesIn,
      name: safeClassName(suspect.accumulatesIn.name, suspect.accumulatesIn.type),
      edge: safeEdgeName(suspect.accumulatesIn.edge, 'property'),
    };
  }
  if (suspect.classes !== undefined) {
    safe.classes = suspect.classes.map((entry) => ({
      ...entry,
      name: safeClassName(entry.name, entry.type),
    }));
  }
  return safe;
}

/**
 * The model with every heap-derived name made safe to publish.
 *
 * @example
 * const safe = redactModel(model); // then render `safe`
 */
export function redactModel(model: ReportModel): ReportModel {
  return {
    ...model,
    classes: model.classes.map((entry) => ({ ...entry, name: safeClassName(entry.name, entry.type) })),
    suspects: model.suspects.map(redactSuspect),
  };
}
