/**
 * Holds a leak fixture to what test/fixtures/leaks/cases.ts claims about it, judged by Chrome
 * DevTools' heap worker rather than by memwatcher's own engine (which these fixtures exist to test).
 */
import { readFileSync } from 'node:fs';
import type { LeakCase } from '../fixtures/leaks/cases.ts';
import { type DevToolsView, openWithDevTools } from './devtools-classes.ts';

export interface LeakEvidence {
  devToolsClass: string;
  /** DevTools' count of the class per snapshot; `undefined` for snapshots not parsed with DevTools. */
  counts: (number | undefined)[];
  /**
   * The class's objects alive in the last snapshot by when they were allocated: before snapshot 1,
   * between 1 and 2, between 2 and 3. V8 numbers objects in order of first sight, so an id above
   * every id of snapshot N means "allocated after snapshot N".
   */
  aliveByPhase: [number, number, number];
  /** DevTools' retained size of the class in the last snapshot. */
  retainedSize: number;
  /** Edge names from a root to the oldest object allocated after snapshot 1 (empty if none). */
  retainerPath: string[];
  /** Claims of cases.ts that the snapshots contradict. */
  problems: string[];
}

export interface EvidenceOptions {
  /** Parse every snapshot with DevTools (exact counts per snapshot), not only the last. Slower. */
  everySnapshot?: boolean;
}

/**
 * Checks a case's claims on its three snapshots.
 *
 * @example
 * const evidence = await leakEvidence(leakCase('module-map-cache'), await snapshotsFor('module-map-cache'));
 * assert.deepEqual(evidence?.problems, []);
 */
export async function leakEvidence(
  leakCase: LeakCase,
  paths: string[],
  options: EvidenceOptions = {},
): Promise<LeakEvidence | undefined> {
  const devToolsClass = leakCase.expect?.devToolsClass ?? leakCase.census?.devToolsClass;
  if (devToolsClass === undefined) return undefined;
  const [maxId1, maxId2] = [snapshotStats(paths[0]!).maxId, snapshotStats(paths[1]!).maxId];
  const views: (DevToolsView | undefined)[] = [];
  // One at a time: a parsed snapshot holds ~100 MB in DevTools' worker.
  for (const [index, path] of paths.entries()) {
    views.push(
      options.everySnapshot || index === paths.length - 1 ? await openWithDevTools(path) : undefined,
    );
  }
  const last = views.at(-1)!;
  const leaked = last.classes.get(devToolsClass);
  const ids = leaked?.ids ?? [];
  const evidence: LeakEvidence = {
    devToolsClass,
    counts: views.map((view) =>
      view === undefined ? undefined : (view.classes.get(devToolsClass)?.count ?? 0),
    ),
    aliveByPhase: [
      ids.filter((id) => id <= maxId1).length,
      ids.filter((id) => id > maxId1 && id <= maxId2).length,
      ids.filter((id) => id > maxId2).length,
    ],
    retainedSize: leaked?.retainedSize ?? 0,
    retainerPath: [],
    problems: [],
  };
  const { problems } = evidence;

  if (leakCase.census !== undefined) {
    leakCase.census.counts.forEach((expected, index) => {
      const counted = evidence.counts[index];
      if (counted !== undefined && counted !== expected) {
        problems.push(`${devToolsClass}: ${counted} in snapshot ${index + 1}, cases.ts says ${expected}`);
      }
    });
  }

  const expectation = leakCase.expect;
  if (expectation === undefined) return evidence;
  const { className, minGrowthPerPhase, minRetainedBytes, pathIncludes } = expectation;
  if (typeof className === 'string' ? className !== devToolsClass : !className.test(devToolsClass)) {
    problems.push(`className ${className} does not match DevTools' ${devToolsClass}`);
  }
  const [, phase2, phase3] = evidence.aliveByPhase;
  if (phase2 < minGrowthPerPhase || phase3 < minGrowthPerPhase) {
    problems.push(
      `${devToolsClass}: ${phase2} and ${phase3} survivors of phases 2 and 3, expected ${minGrowthPerPhase} each`,
    );
  }
  const [count1, count2, count3] = evidence.counts;
  if (count1 !== undefined && count2 !== undefined && count3 !== undefined) {
    if (count2 - count1 < minGrowthPerPhase || count3 - count2 < minGrowthPerPhase) {
      problems.push(
        `${devToolsClass}: counts ${count1}/${count2}/${count3} grow by less than ${minGrowthPerPhase}`,
      );
    }
  }
  if (minRetainedBytes !== undefined && evidence.retainedSize < minRetainedBytes) {
    problems.push(
      `${devToolsClass} retains ${evidence.retainedSize} bytes, expected at least ${minRetainedBytes}`,
    );
  }
  const addedAfterFirst = ids.filter((id) => id > maxId1);
  if (addedAfterFirst.length > 0) {
    // The oldest one: deepest in chains and linked lists, yet part of the growth.
    const representative = addedAfterFirst.reduce((a, b) => Math.min(a, b));
    evidence.retainerPath = last.retainerPath(representative).map((step) => step.edge);
    for (const name of pathIncludes) {
      if (!evidence.retainerPath.includes(name)) {
        problems.push(
          `retainer path of @${representative} lacks ${name}: ${evidence.retainerPath.join(' → ')}`,
        );
      }
    }
  }
  return evidence;
}

export interface SnapshotStats {
  nodeCount: number;
  /** Sum of self sizes, external backing stores included (V8 gives them their own nodes). */
  totalSize: number;
  /** The highest object id: anything allocated later gets a higher one. */
  maxId: number;
}

const statsByPath = new Map<string, SnapshotStats>();

/** Counts from a snapshot read with JSON.parse (fixture snapshots are small), checked for consistency. */
export function snapshotStats(path: string): SnapshotStats {
  const known = statsByPath.get(path);
  if (known !== undefined) return known;
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as {
    snapshot: { meta: { node_fields: string[] }; node_count: number };
    nodes: number[];
  };
  const fields = parsed.snapshot.meta.node_fields;
  if (parsed.nodes.length !== parsed.snapshot.node_count * fields.length) {
    throw new Error(`${path}: node_count ${parsed.snapshot.node_count} disagrees with the nodes array`);
  }
  const [idOffset, selfSizeOffset] = [fields.indexOf('id'), fields.indexOf('self_size')];
  const stats: SnapshotStats = { nodeCount: parsed.snapshot.node_count, totalSize: 0, maxId: 0 };
  for (let i = 0; i < parsed.nodes.length; i += fields.length) {
    stats.totalSize += parsed.nodes[i + selfSizeOffset]!;
    stats.maxId = Math.max(stats.maxId, parsed.nodes[i + idOffset]!);
  }
  statsByPath.set(path, stats);
  return stats;
}
