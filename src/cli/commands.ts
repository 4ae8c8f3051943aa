import { analyzeCommand } from './analyze.ts';
import type { Command } from './command.ts';
import { demoCommand } from './demo.ts';
import { snapshotCommand } from './snapshot.ts';

/** Every command, in the order `memwatcher --help` lists them. A new command: one file, one line here. */
export const commands: readonly Command[] = [analyzeCommand, demoCommand, snapshotCommand];
