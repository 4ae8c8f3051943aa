import { analyzeCommand } from './analyze.ts';
import { attachCommand } from './attach.ts';
import { chartCommand } from './chart.ts';
import type { Command } from './command.ts';
import { dashboardCommand } from './dashboard.ts';
import { demoCommand } from './demo.ts';
import { reportCommand } from './report.ts';
import { runCommand } from './run.ts';
import { snapshotCommand } from './snapshot.ts';
import { watchCommand } from './watch.ts';

/** Every command, in the order `memwatcher --help` lists them. A new command: one file, one line here. */
export const commands: readonly Command[] = [
  analyzeCommand,
  demoCommand,
  runCommand,
  attachCommand,
  watchCommand,
  snapshotCommand,
  reportCommand,
  chartCommand,
  dashboardCommand,
];
