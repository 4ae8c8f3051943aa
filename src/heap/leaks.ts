import { nodeLabel, nodeTypeName, retainerPath, type ScriptUrls, sourceLocation } from './describe.ts';
import { NO_DISTANCE } from './distances.ts';
import type { HeapGraph } from './graph.ts';
import { ROOT_ORDINAL } from './retention.ts';
import { locationIndexOf } from './snapshot.ts';
import type { LeakSuspect } from './types.ts';

/**
 * Leak suspects from N ≥ 2 snapshots of one process, in chronological order.
 *
 * V8 object ids only grow, so "allocated after snapshot i" is simply "id > the largest id in snapshot i".
 * In the last snapshot, every object allocated after the first one hangs, in the dominator tree, below
 * some object that already existed then: its *owner*, the collection or holder that accumulates (the
 * Map, the array, the listener list, the closure scope — MAT's accumulation point). New objects are
 * grouped by (owner, class); a group is a suspect when its count grows from every snapshot to the next
 * and objects born in every interval are still alive in the last one. That separates leaks from the
 * healthy patterns that also allocate: a bounded cache (count flat), a one-time fill (grows once), a
 * queue that drains (shrinks), garbage (gone after the snapshot's GC).
 *
 * Runtime noise — compiled code, shapes, feedback vectors, internal arrays — never forms a group:
 * only objects a program creates are counted (objects, closures, strings, regexps, bigints, natives
 * that are not V8 internals); internal nodes below them count toward their retained size.
 */

export interface SuspectGroup {
  /** Object id of the accumulation point (exists in every snapshot). */
  ownerId: number;
  /** Class key comparable across snapshots (name, type and definition site). */
  classKey: string;
  name: string;
  type: string;
  /** Count and retained size in each snapshot, filled in as the snapshots are measured. */
  counts: number[];
  retained: number[];
  /** Members of the last snapshot born in each interval after the first snapshot. */
  bornPerInterval: number[];
  /** Last snapshot: representative member (node ordinal) and where the class was defined. */
  representative: number;
  location: LeakSuspect['location'];
  accumulatesIn: NonNullable<LeakSuspect['accumulatesIn']>;
  retainerPath: LeakSuspect['retainerPath'];
}

const NONE = 0xffffffff;
const STRING_KEY = 'string';
const MIN_TOTAL_GROWTH = 4;
const MIN_RELATIVE_GROWTH = 0.001;
// Groups considered per analysis: enough for any real report, bounded for pathological heaps.
const MAX_CANDIDATE_GROUPS = 200;

/**
 * Finds candidate groups in the last snapshot. `boundaries[i]` is the largest object id of snapshot i
 * (for every snapshot but the last).
 */
export function findCandidateGroups(
  graph: HeapGraph,
  boundaries: number[],
  scripts: ScriptUrls,
): SuspectGroup[] {
  const { snapshot, dominators } = graph;
  const { nodeCount, nodeId } = snapshot;
  const { idom, order, retainedSize } = dominators;
  const firstBoundary = boundaries[0]!;
  const classKeys = new SuspectClassKeys(graph);

  // Top-down over the dominator tree (order puts every node after its dominator).
  const ownerOf = new Uint32Array(nodeCount);
  const topOf = new Uint32Array(nodeCount);
  ownerOf[ROOT_ORDINAL] = ROOT_ORDINAL;
  topOf[ROOT_ORDINAL] = NONE;
  const groupIndex = new Map<string, number>();
  const groups: {
    owner: number;
    classKey: string;
    count: number;
    retained: number;
    born: number[];
    bestTop: number;
    bestNested: number;
  }[] = [];
  for (let i = 1; i < nodeCount; i++) {
    const node = order[i]!;
    const dominator = idom[node]!;
    if (nodeId[node]! <= firstBoundary) {
      ownerOf[node] = node;
      topOf[node] = NONE;
      continue;
    }
    const owner = ownerOf[dominator]!;
    ownerOf[node] = owner;
    const aboveTop = topOf[dominator]!;
    const classKey = classKeys.keyOf(node);
    if (classKey === undefined) {
      topOf[node] = aboveTop;
      continue;
    }
    const isTop = aboveTop === NONE;
    if (!isTop && (classKey === STRING_KEY || classKeys.keyOf(aboveTop) !== classKey)) {
      // Part of another member (a Session's own objects, the halves of a concatenated string):
      // counts in that member's retained size, not as a member of its own.
      topOf[node] = aboveTop;
      continue;
    }
    topOf[node] = isTop ? node : aboveTop;
    const key = `${owner}\u0000${classKey}`;
    let index = groupIndex.get(key);
    if (index === undefined) {
      index = groups.length;
      groupIndex.set(key, index);
      groups.push({
        owner,
        classKey,
        count: 0,
        retained: 0,
        born: new Array<number>(boundaries.length).fill(0),
        bestTop: NONE,
        bestNested: NONE,
      });
    }
    const group = groups[index]!;
    group.count++;
    group.born[intervalOf(nodeId[node]!, boundaries)]!++;
    if (isTop) {
      group.retained += retainedSize[node]!;
      if (group.bestTop === NONE || retainedSize[node]! > retainedSize[group.bestTop]!) group.bestTop = node;
    } else if (group.bestNested === NONE || closer(graph, node, group.bestNested)) {
      group.bestNested = node;
    }
  }

  // Only groups with survivors from every interval can be leaks; keep the biggest ones.
  const candidates = groups
    .filter((group) => group.born.every((born) => born > 0))
    .sort((a, b) => b.retained - a.retained)
    .slice(0, MAX_CANDIDATE_GROUPS);
  return candidates.map((group) => {
    // A nested member (the second link of a chain) shows how members hold each other; otherwise the
    // member that retains the most.
    const representative = group.bestNested !== NONE ? group.bestNested : group.bestTop;
    const path = retainerPath(graph, representative);
    const ownerStep = path.find((step) => step.nodeId === nodeId[group.owner]!);
    const location = sourceLocation(graph, representative, scripts);
    return {
      ownerId: nodeId[group.owner]!,
      classKey: group.classKey,
      name: classKeys.labelOf(representative),
      type: nodeTypeName(graph, representative),
      counts: [],
      retained: [],
      bornPerInterval: group.born,
      representative,
      ...(location === undefined ? { location: undefined } : { location }),
      accumulatesIn: {
        name: nodeLabel(graph, group.owner),
        type: nodeTypeName(graph, group.owner),
        nodeId: nodeId[group.owner]!,
        edge: ownerStep?.edge ?? '',
      },
      retainerPath: path,
    };
  });
}

/**
 * Counts each group's members in one snapshot: objects of the group's class whose nearest owner
 * (among all groups' owners) is the group's owner; the retained size counts members not below another
 * member of the same group once.
 */
export function measureGroups(
  graph: HeapGraph,
  groups: SuspectGroup[],
): { counts: number[]; retained: number[] } {
  const { snapshot, dominators } = graph;
  const { nodeCount, nodeId } = snapshot;
  const { idom, order, retainedSize } = dominators;
  const owners = new Map<number, number>(); // owner id → owner ordinal in this snapshot
  for (const group of groups) owners.set(group.ownerId, NONE);
  for (let node = 0; node < nodeCount; node++) {
    if (owners.has(nodeId[node]!)) owners.set(nodeId[node]!, node);
  }
  const groupByOwnerAndClass = new Map<string, number>();
  groups.forEach((group, index) => {
    const owner = owners.get(group.ownerId)!;
    if (owner !== NONE) groupByOwnerAndClass.set(`${owner}\u0000${group.classKey}`, index);
  });
  const isOwner = new Uint8Array(nodeCount);
  for (const ordinal of owners.values()) if (ordinal !== NONE) isOwner[ordinal] = 1;

  const counts = new Array<number>(groups.length).fill(0);
  const retained = new Array<number>(groups.length).fill(0);
  const classKeys = new SuspectClassKeys(graph, new Set(groups.map((group) => group.classKey)));
  const ownerOf = new Uint32Array(nodeCount).fill(NONE);
  const memberOf = new Uint32Array(nodeCount).fill(NONE); // nearest group member above (group index)
  for (let i = 1; i < nodeCount; i++) {
    const node = order[i]!;
    const dominator = idom[node]!;
    ownerOf[node] = isOwner[dominator] === 1 ? dominator : ownerOf[dominator]!;
    memberOf[node] = isOwner[dominator] === 1 ? NONE : memberOf[dominator]!;
    const owner = ownerOf[node]!;
    if (owner === NONE) continue;
    const classKey = classKeys.keyOf(node);
    if (classKey === undefined) continue;
    const group = groupByOwnerAndClass.get(`${owner}\u0000${classKey}`);
    if (group === undefined) continue;
    if (classKey === STRING_KEY && memberOf[node] === group) continue;
    counts[group]!++;
    if (memberOf[node] !== group) retained[group]! += retainedSize[node]!;
    memberOf[node] = group;
  }
  return { counts, retained };
}

/**
 * A group is a suspect when its count grew at every step, by enough in total not to be the runtime's
 * own churn: at least MIN_TOTAL_GROWTH objects and MIN_RELATIVE_GROWTH of what was there at first (a
 * population of 12,000 strings that gained 2 is not a leak; a cache of 100,000 gaining 100 may be).
 */
export function isGrowing(group: SuspectGroup): boolean {
  const counts = group.counts;
  if (counts.length < 2) return false;
  for (let i = 1; i < counts.length; i++) if (counts[i]! <= counts[i - 1]!) return false;
  const growth = counts[counts.length - 1]! - counts[0]!;
  return growth >= MIN_TOTAL_GROWTH && growth >= MIN_RELATIVE_GROWTH * counts[0]!;
}

/**
 * Growing groups → suspects, "grouped by where they accumulate": groups with the same owner become
 * one suspect (a Map's keys and values are one leak), named after the class that retains the most;
 * then suspects whose representative paths have the same shape (same edges and classes, indexes
 * aside) merge across owners — a thousand connections each growing its own listener list are one
 * leak, not a thousand (memlab's clustering by retainer trace).
 */
export function combineSuspects(groups: SuspectGroup[]): LeakSuspect[] {
  const byOwner = new Map<number, SuspectGroup[]>();
  for (const group of groups) {
    const list = byOwner.get(group.ownerId);
    if (list) list.push(group);
    else byOwner.set(group.ownerId, [group]);
  }
  const byShape = new Map<string, LeakSuspect>();
  for (const members of byOwner.values()) {
    const last = members[0]!.retained.length - 1;
    members.sort((a, b) => b.retained[last]! - a.retained[last]!);
    const primary = members[0]!;
    const suspect: LeakSuspect = {
      name: primary.name,
      type: primary.type,
      count: primary.counts[last]!,
      retainedSize: sum(members.map((group) => group.retained[last]!)),
      growth: [...primary.counts],
      retainerPath: primary.retainerPath,
      accumulatesIn: primary.accumulatesIn,
      retainedGrowth: primary.retained.map((_, i) => sum(members.map((group) => group.retained[i]!))),
    };
    if (primary.location !== undefined) suspect.location = primary.location;
    if (members.length > 1) {
      suspect.classes = members.map((group) => ({
        name: group.name,
        type: group.type,
        count: group.counts[last]!,
        retainedSize: group.retained[last]!,
        growth: [...group.counts],
      }));
    }
    const shape = `${primary.classKey}|${pathShape(primary.retainerPath)}`;
    const similar = byShape.get(shape);
    if (similar === undefined) {
      byShape.set(shape, suspect);
      continue;
    }
    similar.count += suspect.count;
    similar.retainedSize += suspect.retainedSize;
    similar.growth = similar.growth.map((count, i) => count + suspect.growth[i]!);
    similar.retainedGrowth = (similar.retainedGrowth ?? []).map(
      (size, i) => size + (suspect.retainedGrowth?.[i] ?? 0),
    );
    similar.owners = (similar.owners ?? 1) + 1;
  }
  return [...byShape.values()].sort((a, b) => b.retainedSize - a.retainedSize);
}

/** A path with element indexes and ids left out: equal for siblings in parallel structures. */
function pathShape(path: LeakSuspect['retainerPath']): string {
  return path
    .map(
      (step) =>
        `${step.edgeType === 'element' || step.edgeType === 'hidden' ? '[]' : step.edge}>${step.node}`,
    )
    .join('/');
}

function sum(values: number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

function intervalOf(id: number, boundaries: number[]): number {
  for (let i = 1; i < boundaries.length; i++) if (id <= boundaries[i]!) return i - 1;
  return boundaries.length - 1;
}

function closer(graph: HeapGraph, a: number, b: number): boolean {
  const distance = graph.distances.distance;
  const da = distance[a]! === NO_DISTANCE ? Number.MAX_SAFE_INTEGER : distance[a]!;
  const db = distance[b]! === NO_DISTANCE ? Number.MAX_SAFE_INTEGER : distance[b]!;
  return da < db;
}

/**
 * Which objects can be leak members, and their class as a key that is the same in every snapshot of a
 * process: class name and type, plus the definition site (script ids are stable within a process).
 * Closures are told apart by function name and site — "Function" alone would lump every listener
 * and callback together. All string representations count as one class.
 */
class SuspectClassKeys {
  private readonly graph: HeapGraph;
  private readonly byAggregate = new Map<number, string | null>();
  private readonly wanted: Set<string> | undefined;

  constructor(graph: HeapGraph, wanted?: Set<string>) {
    this.graph = graph;
    this.wanted = wanted;
  }

  keyOf(node: number): string | undefined {
    const { snapshot, types, aggregates } = this.graph;
    const type = snapshot.nodeType[node];
    if (type === types.node.closure) {
      const key = `closure:${snapshot.strings.get(snapshot.nodeName[node]!)}@${this.site(node)}`;
      return this.wanted === undefined || this.wanted.has(key) ? key : undefined;
    }
    const aggregate = aggregates.aggregateOf[node]!;
    let key = this.byAggregate.get(aggregate);
    if (key === undefined) {
      key = this.aggregateKey(node, aggregate);
      if (key !== null && this.wanted !== undefined && !this.wanted.has(key)) key = null;
      this.byAggregate.set(aggregate, key);
    }
    return key ?? undefined;
  }

  labelOf(node: number): string {
    const { snapshot, types } = this.graph;
    const type = snapshot.nodeType[node];
    if (type === types.node.string || type === types.node.consString || type === types.node.slicedString) {
      return '(string)';
    }
    return nodeLabel(this.graph, node);
  }

  private aggregateKey(node: number, aggregate: number): string | null {
    const { snapshot, types, aggregates } = this.graph;
    const type = snapshot.nodeType[node];
    const t = types.node;
    if (type === t.string || type === t.consString || type === t.slicedString) return STRING_KEY;
    const name = snapshot.strings.get(aggregates.classIndex[aggregate]!);
    if (type === t.native) {
      // V8's and Node's internal natives (backing stores, external strings) belong to their owners.
      return name.startsWith('system / ') ? null : `native:${name}`;
    }
    if (type !== t.object && type !== t.regexp && type !== t.bigint) return null;
    return `${snapshot.nodeTypeNames[type]}:${name}@${this.site(aggregates.firstNode[aggregate]!)}`;
  }

  private site(node: number): string {
    const snapshot = this.graph.snapshot;
    const index = locationIndexOf(snapshot, node);
    if (index < 0) return '';
    return `${snapshot.locationScript[index]}:${snapshot.locationLine[index]}:${snapshot.locationColumn[index]}`;
  }
}
