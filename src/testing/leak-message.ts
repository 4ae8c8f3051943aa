import type { LeakAssertionClass } from '../errors.ts';
import type { LeakSuspect } from '../heap/types.ts';
import { formatBytes, formatCount, formatLocation, formatRetainerPath } from '../report/analysis-text.ts';
import type { GrowthVerdict } from './growth-test.ts';
import type { LeakEvidence } from './leak-evidence.ts';

export interface LeakFacts {
  verdict: GrowthVerdict;
  /** Set when the heap grew past what an assertion allows, ending the measurement early. */
  overBudget: { grownBytes: number; calls: number; budgetBytes: number } | undefined;
  callsPerRound: number;
  calls: number;
  toleranceBytesPerCall: number;
  evidence: LeakEvidence;
}

/** Growing classes for the error's `classes`, with bytes retained per call between the snapshots. */
export function leakingClasses(evidence: LeakEvidence): LeakAssertionClass[] {
  return evidence.suspects.map((suspect) => ({
    name: suspect.name,
    counts: [...suspect.growth],
    bytesPerCall: retainedPerCall(suspect, evidence.callsBetween),
  }));
}

/**
 * The failure message of `assertNoLeak`: how fast memory grows and how sure we are, which classes
 * accumulate and where, the retainer path of one leaked object, and where the snapshots are.
 */
export function leakMessage(facts: LeakFacts): string {
  const { verdict, overBudget, callsPerRound, toleranceBytesPerCall, evidence } = facts;
  const [low, high] = verdict.growthInterval;
  const lines = [
    overBudget === undefined
      ? `assertNoLeak: memory retained grows by about ${bytesPerCall(verdict.growthBytesPerCall)} per call ` +
        `(interval ${bytesPerCall(low)} to ${bytesPerCall(high)}): the heap after a full GC rose by more than ` +
        `${formatBytes(Math.round(verdict.thresholdBytesPerRound))} in ${verdict.roundsAboveThreshold} of ` +
        `${verdict.increments} rounds of ${formatCount(callsPerRound)} calls (sign test p = ${formatP(verdict.pValue)}; ` +
        `tolerance ${toleranceBytesPerCall} B per call; ${formatCount(facts.calls)} calls in all).`
      : `assertNoLeak: memory retained grows by about ${bytesPerCall(verdict.growthBytesPerCall)} per call: the ` +
        `heap after a full GC grew by ${formatBytes(overBudget.grownBytes)} over ${formatCount(overBudget.calls)} ` +
        `calls, more than the ${formatBytes(overBudget.budgetBytes)} an assertion lets a function retain ` +
        `(measurement stopped there; ${formatCount(facts.calls)} calls in all).`,
  ];
  const shown = evidence.suspects.slice(0, 3);
  if (shown.length > 0) {
    lines.push(
      `Growing in 3 heap snapshots ${formatCount(evidence.callsBetween / 2)} calls apart (largest first):`,
    );
    shown.forEach((suspect, index) => {
      lines.push(`  ${index + 1}. ${describeSuspect(suspect, evidence.callsBetween)}`);
    });
    const representative = shown[0]!;
    lines.push(`Retainer path of one leaked ${representative.name} (GC root → object):`);
    lines.push(formatRetainerPath(representative.retainerPath, 110, '  '));
  } else if (evidence.problem !== undefined) {
    lines.push(
      `The heap snapshots that would name the growing classes failed: ${describe(evidence.problem)}`,
    );
  } else {
    lines.push(
      'No class of JavaScript objects accumulated across 3 heap snapshots: the growth is outside them ' +
        '(Buffers and ArrayBuffer data, native addons, V8 internals such as compiled code).',
    );
  }
  lines.push(
    evidence.keptFiles.length > 0
      ? `Heap snapshots kept for inspection (DevTools, or \`memwatcher analyze\`): ${evidence.keptFiles.join(' ')}`
      : 'The heap snapshots were removed; pass keepSnapshots: true to keep them.',
  );
  return lines.join('\n');
}

function describeSuspect(suspect: LeakSuspect, callsBetween: number): string {
  const parts = [
    `${suspect.name} (${suspect.type}): ${suspect.growth.map(formatCount).join(' → ')} alive, ` +
      `${bytesPerCall(retainedPerCall(suspect, callsBetween))} per call`,
  ];
  const owner = suspect.accumulatesIn;
  if (owner !== undefined) {
    parts.push(`accumulating in ${owner.name}${owner.edge === '' ? '' : ` '${owner.edge}'`}`);
  }
  if (suspect.location !== undefined) parts.push(`defined at ${formatLocation(suspect.location)}`);
  return parts.join(', ');
}

function retainedPerCall(suspect: LeakSuspect, callsBetween: number): number {
  const retained = suspect.retainedGrowth;
  if (callsBetween <= 0 || retained === undefined || retained.length < 2) return 0;
  return (retained[retained.length - 1]! - retained[0]!) / callsBetween;
}

function bytesPerCall(bytes: number): string {
  const rounded = Math.abs(bytes) < 10 ? Math.round(bytes * 10) / 10 : Math.round(bytes);
  return formatBytes(rounded);
}

function formatP(p: number): string {
  return p < 0.0001 ? p.toExponential(1) : String(Number(p.toPrecision(2)));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
