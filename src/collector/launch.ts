import { constants } from 'node:fs';
import { access, open, stat } from 'node:fs/promises';
import { basename, delimiter, isAbsolute, join } from 'node:path';
import { IPC_ENV } from '../agent/ipc-protocol.ts';
import type { VerdictSettings } from '../agent/verdict.ts';

// Sources run through type stripping (`src/…/*.ts`); the published package is compiled (`dist/…/*.js`).
const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/** The agent's `memwatcher/register` entry next to this file, as a file URL. */
export const REGISTER_URL = new URL(`../agent/register${extension}`, import.meta.url);

/**
 * The `--import` module `run` puts in `NODE_OPTIONS`: a one-line `data:` module that imports the agent
 * and, when this Node cannot load it (older than memwatcher needs; a `.ts` entry without type
 * stripping), says so on stderr and lets the program run unwatched, where a plain `--import` of the
 * agent would stop the program before its first line. It ends with a comment naming
 * `memwatcher/register.js` so the agent's `stripPreload` recognizes and removes it from the watched
 * process' `NODE_OPTIONS` (its children are not watched).
 *
 * @example
 * preloadOption(); // '--import "data:text/javascript,try{await import(\'file:///…/register.js\')}catch(e){…}//memwatcher/register.js"'
 */
export function preloadOption(registerUrl: URL = REGISTER_URL): string {
  // Characters that would end the quoted NODE_OPTIONS token or the JS string are percent-encoded.
  const href = registerUrl.href.replace(
    /['"\\\s]/g,
    (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  const module =
    `try{await import('${href}')}` +
    // No backslash anywhere: inside a quoted NODE_OPTIONS token it would escape the next character.
    "catch(e){console.error('[memwatcher] pid '+process.pid+': not watching this process: '+e.message)}" +
    '//memwatcher/register.js';
  return `--import "data:text/javascript,${module}"`;
}

export interface AgentEnvironmentSettings {
  readonly intervalMs: number;
  readonly leak: VerdictSettings;
}

/**
 * The environment of a command `run` starts: the agent preloaded in every Node process it starts
 * (`NODE_OPTIONS`), reporting over IPC to this process (`MEMWATCHER_IPC` is our pid, so only a
 * direct child with the channel uses it), with the verdict settings of the command line. Alerting
 * is memwatcher's (the same for every program), so the agent's own is switched off.
 *
 * @example
 * spawn(command, args, { env: agentEnvironment(process.env, settings), stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
 */
export function agentEnvironment(
  env: NodeJS.ProcessEnv,
  settings: AgentEnvironmentSettings,
  parentPid = process.pid,
): NodeJS.ProcessEnv {
  const nodeOptions = env.NODE_OPTIONS?.trim();
  // memwatcher's own variable, not the agent's (which would call it unknown).
  const { MEMWATCHER_DEBUG: _cliOnly, ...inherited } = env;
  return {
    ...inherited,
    NODE_OPTIONS:
      nodeOptions === undefined || nodeOptions === '' ? preloadOption() : `${nodeOptions} ${preloadOption()}`,
    [IPC_ENV]: String(parentPid),
    MEMWATCHER_INTERVAL_MS: String(settings.intervalMs),
    MEMWATCHER_WINDOW_MS: String(settings.leak.windowMs),
    MEMWATCHER_WARMUP_MS: String(settings.leak.warmupMs),
    MEMWATCHER_MIN_POINTS: String(settings.leak.minPoints),
    MEMWATCHER_CONFIDENCE: String(settings.leak.confidence),
    MEMWATCHER_MIN_GROWTH: String(Math.round(settings.leak.minGrowthBytesPerMinute)),
    MEMWATCHER_ALERT_LEAK: '0',
  };
}

/**
 * Where `command` is: itself when it holds a slash, else the first executable match on `PATH`;
 * `undefined` when there is none.
 */
export async function resolveCommand(command: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (command.includes('/')) return (await isExecutable(command)) ? command : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    if (await isExecutable(candidate))
      return isAbsolute(candidate) ? candidate : join(process.cwd(), candidate);
  }
  return undefined;
}

/**
 * Whether the program is Node.js: a `node` binary (or this very Node), or a script whose `#!` line runs
 * node (`npm`, `npx`, `tsx`, `nodemon`, an app's own bin). Only those get an IPC channel: other programs
 * would pass `NODE_CHANNEL_FD` on to their children, and a Node grandchild would then try to use a
 * descriptor that is not a channel.
 *
 * @example
 * await isNodeProgram('/usr/local/bin/npm'); // true (#!/usr/bin/env node)
 */
export async function isNodeProgram(path: string): Promise<boolean> {
  if (path === process.execPath || /^(node|nodejs)(\d+)?$/.test(basename(path))) return true;
  let head: string;
  try {
    const file = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(256);
      const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
      head = buffer.subarray(0, bytesRead).toString('latin1');
    } finally {
      await file.close();
    }
  } catch {
    return false;
  }
  if (!head.startsWith('#!')) return false;
  const shebang = head.slice(2).split('\n')[0] ?? '';
  return /(^|[\s/])(node|nodejs)(\s|$)/.test(shebang);
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
