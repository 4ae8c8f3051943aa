import { writeFileSync } from 'node:fs';

/** One class of a contender's class summary, in the contender's own class naming. */
export interface SummaryClass {
  name: string;
  type: string;
  count: number;
  selfSize: number;
  retainedSize: number;
  /** DevTools' class key (`,Name` or `script,line,column,Name`), when the contender has one. */
  key?: string;
  /** Where the class was defined, when the contender knows (memwatcher). */
  location?: { scriptId: number; line: number; column: number };
}

/** What a contender's child process reports to the runner, as JSON in the file it is given. */
export interface ContenderResult {
  contender: string;
  status: 'ok' | 'unavailable';
  /** Why the contender could not run (status `unavailable`). */
  message?: string;
  /** The full analysis, timed inside the child after its modules are loaded. */
  analysisMs: number;
  /** Time per phase, in the order they ran. */
  phases: Record<string, number>;
  /** `process.resourceUsage().maxRSS` at the end, in bytes. */
  maxRssBytes: number;
  /**
   * User + system CPU time of the whole process (all threads) from the start of the analysis: on
   * a shared 2-core machine it moves less with the neighbours' load than wall time does, and it
   * shows who uses a second core.
   */
  cpuMs: number;
  summary: SummaryClass[];
  /** Anything else worth keeping (checksums, node counts…). */
  details: Record<string, unknown>;
}

/**
 * Reads the runner's arguments (`<snapshot> <result.json>`) and writes the result file.
 *
 * @example
 * const { file, report } = contenderArgs('devtools');
 * report({ analysisMs, phases, summary, details: {} });
 */
export function contenderArgs(contender: string): {
  file: string;
  report: (result: Omit<ContenderResult, 'contender' | 'status' | 'maxRssBytes' | 'cpuMs'>) => void;
  reportUnavailable: (message: string) => void;
} {
  const [file, resultFile] = process.argv.slice(2);
  if (file === undefined || resultFile === undefined) {
    console.error(`usage: node bench/runners/${contender}.ts <file.heapsnapshot> <result.json>`);
    process.exit(2);
  }
  const write = (result: ContenderResult): void => writeFileSync(resultFile, JSON.stringify(result));
  // Called by each runner after its imports, right before the timed analysis.
  const cpuAtStart = process.cpuUsage();
  const cpuMs = (): number => {
    const { user, system } = process.cpuUsage(cpuAtStart);
    return (user + system) / 1000;
  };
  return {
    file,
    report: (result) =>
      write({
        contender,
        status: 'ok',
        ...result,
        maxRssBytes: process.resourceUsage().maxRSS * 1024,
        cpuMs: cpuMs(),
      }),
    reportUnavailable: (message) =>
      write({
        contender,
        status: 'unavailable',
        message,
        analysisMs: 0,
        phases: {},
        maxRssBytes: process.resourceUsage().maxRSS * 1024,
        cpuMs: cpuMs(),
        summary: [],
        details: {},
      }),
  };
}

/**
 * DevTools' class name for a node of a given V8 type (HeapSnapshot.ts `calculateObjectNames`),
 * for contenders that only give raw node names: objects and natives keep their name, the rest
 * are grouped by type. DevTools' `{a, b}` names for plain objects are not reproduced.
 */
export function devToolsClassName(type: string, rawName: string): string {
  switch (type) {
    case 'object':
    case 'native':
      return rawName;
    case 'hidden':
      return '(system)';
    case 'code':
      return '(compiled code)';
    case 'closure':
      return 'Function';
    case 'regexp':
      return 'RegExp';
    default:
      return `(${type})`;
  }
}
