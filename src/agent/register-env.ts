import { basename, extname } from 'node:path';
import { InvalidOptionError } from '../errors.ts';
import { IPC_ENV } from './ipc-protocol.ts';
import type { MemoryWatcherOptions } from './options.ts';
import type { StderrLogLevel } from './stderr-reporter.ts';

/**
 * The environment variables `memwatcher/register` reads. Sizes accept a unit (`512KB`, `1.5GB`;
 * powers of 1024); durations are milliseconds; flags are `1`/`true`/`yes` or `0`/`false`/`no`.
 */
export const REGISTER_ENV = {
  MEMWATCHER_DISABLE: 'flag: load but do nothing',
  MEMWATCHER_INTERVAL_MS: 'sampling interval (1000)',
  MEMWATCHER_WINDOW_MS: 'leak verdict window (600000)',
  MEMWATCHER_WARMUP_MS: 'startup time not judged (60000)',
  MEMWATCHER_MIN_POINTS: 'fewest points for a verdict (6)',
  MEMWATCHER_CONFIDENCE: 'confidence the trend test must reach (0.99)',
  MEMWATCHER_MIN_GROWTH: 'growth per minute below which nothing is a leak (512KB)',
  MEMWATCHER_ALERT_HEAP_USED: 'alert when JS heap in use is above this size',
  MEMWATCHER_ALERT_RSS: 'alert when RSS is above this size',
  MEMWATCHER_ALERT_EXTERNAL: 'alert when external memory is above this size',
  MEMWATCHER_ALERT_HEAP_SHARE: 'alert when JS heap in use is above this share of the heap limit (0–1)',
  MEMWATCHER_ALERT_GROWTH: 'alert on significant growth above this size per minute',
  MEMWATCHER_ALERT_TIME_TO_LIMIT_MS: 'alert when the heap limit is projected sooner than this',
  MEMWATCHER_ALERT_LEAK: 'flag: alert on a leak verdict (1)',
  MEMWATCHER_ALERT_INTERVAL_MS: 'at most one alert per rule per interval (900000)',
  MEMWATCHER_WEBHOOK_URL: 'POST alerts as JSON to this URL',
  MEMWATCHER_SMTP_URL: 'email alerts through this smtp:// or smtps:// server (needs nodemailer)',
  MEMWATCHER_EMAIL_FROM: 'sender of alert emails',
  MEMWATCHER_EMAIL_TO: 'recipients of alert emails, comma-separated',
  MEMWATCHER_SNAPSHOT_DIR: 'directory for automatic heap snapshots (enables them)',
  MEMWATCHER_SNAPSHOT_ON_LEAK: 'flag: take a heap snapshot on a leak verdict',
  MEMWATCHER_SNAPSHOT_NEAR_LIMIT: 'take a heap snapshot when the heap passes this share of its limit',
  MEMWATCHER_LOG: 'stderr lines when no parent listens: off, leaks, verdicts (verdicts)',
  MEMWATCHER_WATCH: 'only watch the process whose command line contains this (or matches /regex/)',
  MEMWATCHER_INHERIT: 'flag: child processes of the watched process load the agent too',
  [IPC_ENV]: 'set by a parent memwatcher process: report to it over IPC',
  MEMWATCHER_WATCHED_PID: 'set by the agent for its descendants: which process is watched',
} as const;

/** Set in the watched process' environment so that descendants that load the agent stay passive. */
export const WATCHED_PID_ENV = 'MEMWATCHER_WATCHED_PID';

export type RegisterPlan =
  | {
      readonly action: 'watch';
      readonly options: MemoryWatcherOptions;
      readonly log: StderrLogLevel;
      readonly ipc: boolean;
      readonly inherit: boolean;
      /** MEMWATCHER_* variables nobody reads: probably typos. */
      readonly unknownVariables: readonly string[];
    }
  | {
      /** Not this process: leave the environment alone so the real app (a child) loads the agent. */
      readonly action: 'pass-through' | 'disabled';
      readonly reason: string;
    };

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Decides what the preload does in this process. Pure: the caller applies it.
 * @throws {InvalidOptionError} naming the variable when a value is invalid.
 */
export function planFromEnvironment(
  env: Env,
  process: {
    readonly argv: readonly string[];
    readonly pid: number;
    readonly ppid: number;
    readonly isMainThread: boolean;
    readonly hasIpcChannel: boolean;
  },
): RegisterPlan {
  if (!process.isMainThread) return { action: 'disabled', reason: 'worker thread' };
  if (flag(env, 'MEMWATCHER_DISABLE') === true)
    return { action: 'disabled', reason: 'MEMWATCHER_DISABLE is set' };
  const inherit = flag(env, 'MEMWATCHER_INHERIT') === true;
  const watchedPid = env[WATCHED_PID_ENV];
  if (watchedPid !== undefined && watchedPid !== String(process.pid) && !inherit) {
    return { action: 'pass-through', reason: `a descendant of the watched process ${watchedPid}` };
  }
  const commandLine = process.argv.slice(1).join(' ');
  const pattern = env.MEMWATCHER_WATCH;
  if (pattern !== undefined && pattern !== '') {
    if (!matchesWatchPattern(pattern, commandLine)) {
      return { action: 'pass-through', reason: `command line does not match MEMWATCHER_WATCH (${pattern})` };
    }
  } else if (isPackageManager(process.argv[1])) {
    return {
      action: 'pass-through',
      reason: `${basename(process.argv[1] ?? '')} is a package manager; the app it starts is watched`,
    };
  }
  const ipcValue = env[IPC_ENV];
  const ipcWanted = ipcValue !== undefined && ipcValue !== '' && ipcValue !== '0';
  const ipcParentMatches = ipcValue === '1' || ipcValue === 'true' || ipcValue === String(process.ppid);
  const log = env.MEMWATCHER_LOG ?? 'verdicts';
  if (log !== 'off' && log !== 'leaks' && log !== 'verdicts') {
    throw new InvalidOptionError('MEMWATCHER_LOG', `must be off, leaks or verdicts, got "${log}".`);
  }
  return {
    action: 'watch',
    options: optionsFromEnvironment(env),
    log,
    ipc: ipcWanted && ipcParentMatches && process.hasIpcChannel,
    inherit,
    unknownVariables: Object.keys(env).filter(
      (name) => name.startsWith('MEMWATCHER_') && !(name in REGISTER_ENV),
    ),
  };
}

/** Watcher options from MEMWATCHER_* variables; the watcher then validates ranges. */
export function optionsFromEnvironment(env: Env): MemoryWatcherOptions {
  const number = (name: string) => parseNumber(name, env[name]);
  const bytes = (name: string) => parseBytes(name, env[name]);
  const leak = defined({
    windowMs: number('MEMWATCHER_WINDOW_MS'),
    warmupMs: number('MEMWATCHER_WARMUP_MS'),
    minPoints: number('MEMWATCHER_MIN_POINTS'),
    confidence: number('MEMWATCHER_CONFIDENCE'),
    minGrowthBytesPerMinute: bytes('MEMWATCHER_MIN_GROWTH'),
  });
  const rules = defined({
    heapUsedAbove: bytes('MEMWATCHER_ALERT_HEAP_USED'),
    rssAbove: bytes('MEMWATCHER_ALERT_RSS'),
    externalAbove: bytes('MEMWATCHER_ALERT_EXTERNAL'),
    heapLimitShareAbove: number('MEMWATCHER_ALERT_HEAP_SHARE'),
    growthAbove: bytes('MEMWATCHER_ALERT_GROWTH'),
    timeToHeapLimitBelow: number('MEMWATCHER_ALERT_TIME_TO_LIMIT_MS'),
    leak: flag(env, 'MEMWATCHER_ALERT_LEAK'),
  });
  const smtp = env.MEMWATCHER_SMTP_URL;
  const email =
    smtp === undefined
      ? undefined
      : {
          smtp,
          from: required(
            env,
            'MEMWATCHER_EMAIL_FROM',
            'the sender of alert emails (MEMWATCHER_SMTP_URL is set)',
          ),
          to: required(
            env,
            'MEMWATCHER_EMAIL_TO',
            'the recipients of alert emails (MEMWATCHER_SMTP_URL is set)',
          )
            .split(',')
            .map((address) => address.trim())
            .filter((address) => address !== ''),
        };
  const alerts = defined({
    rules: Object.keys(rules).length === 0 ? undefined : rules,
    minIntervalMs: number('MEMWATCHER_ALERT_INTERVAL_MS'),
    webhook: env.MEMWATCHER_WEBHOOK_URL,
    email,
  });
  const snapshotDir = env.MEMWATCHER_SNAPSHOT_DIR;
  const snapshots =
    snapshotDir === undefined
      ? undefined
      : defined({
          dir: snapshotDir,
          onLeak: flag(env, 'MEMWATCHER_SNAPSHOT_ON_LEAK'),
          nearHeapLimit: number('MEMWATCHER_SNAPSHOT_NEAR_LIMIT'),
        });
  return defined({
    intervalMs: number('MEMWATCHER_INTERVAL_MS'),
    leak: Object.keys(leak).length === 0 ? undefined : leak,
    alerts: Object.keys(alerts).length === 0 ? undefined : alerts,
    snapshots,
  }) as MemoryWatcherOptions;
}

/**
 * NODE_OPTIONS without our preload (`--import memwatcher/register`, `--import=…`, `-r`/`--require`,
 * or the path of this package's register file), so that the watched program's child processes do
 * not load the agent by accident. Other options are kept as they were.
 * @example
 * stripPreload('--max-old-space-size=512 --import memwatcher/register'); // '--max-old-space-size=512'
 */
export function stripPreload(nodeOptions: string): string {
  const tokens = tokenize(nodeOptions);
  const kept: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const flagged = /^(--import|--require|-r)=(.*)$/.exec(token);
    if (flagged !== null && isRegisterSpecifier(flagged[2]!)) continue;
    if (
      (token === '--import' || token === '--require' || token === '-r') &&
      isRegisterSpecifier(tokens[i + 1] ?? '')
    ) {
      i++;
      continue;
    }
    kept.push(token);
  }
  return kept
    .map((token) => (/[\s"\\]/.test(token) ? `"${token.replace(/(["\\])/g, '\\$1')}"` : token))
    .join(' ');
}

function isRegisterSpecifier(specifier: string): boolean {
  return (
    /(^|[\\/])memwatcher[\\/]register$/.test(specifier) ||
    /[\\/]agent[\\/]register\.(ts|js)$/.test(specifier) ||
    /memwatcher.*[\\/]register\.(ts|js|mjs)$/.test(specifier)
  );
}

/** NODE_OPTIONS splitting as Node does it: whitespace separates, double quotes group, backslash escapes inside quotes. */
function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let quoted = false;
  let hasToken = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '\\' && i + 1 < text.length) {
      current += text[++i];
    } else if (c === '"') {
      quoted = !quoted;
      hasToken = true;
    } else if (!quoted && /\s/.test(c)) {
      if (hasToken) tokens.push(current);
      current = '';
      hasToken = false;
    } else {
      current += c;
      hasToken = true;
    }
  }
  if (hasToken) tokens.push(current);
  return tokens;
}

/** Substring of the command line, or a regular expression written `/…/flags`. */
export function matchesWatchPattern(pattern: string, commandLine: string): boolean {
  const regex = /^\/(.+)\/([a-z]*)$/.exec(pattern);
  if (regex === null) return commandLine.includes(pattern);
  try {
    return new RegExp(regex[1]!, regex[2]).test(commandLine);
  } catch (cause) {
    throw new InvalidOptionError('MEMWATCHER_WATCH', `is not a valid regular expression: ${pattern}.`, {
      cause,
    });
  }
}

const PACKAGE_MANAGERS = new Set([
  'npm',
  'npm-cli',
  'npx',
  'npx-cli',
  'pnpm',
  'pnpx',
  'yarn',
  'yarnpkg',
  'corepack',
]);

/** `memwatcher run -- npm start`: npm is a Node process too; without MEMWATCHER_WATCH it is skipped. */
function isPackageManager(script: string | undefined): boolean {
  if (script === undefined) return false;
  const name = basename(script, extname(script));
  return PACKAGE_MANAGERS.has(name);
}

export function parseBytes(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m|gb|g|tb|t)?\s*$/i.exec(text);
  if (match === null) {
    throw new InvalidOptionError(name, `must be a size such as 524288, 512KB or 1.5GB, got "${text}".`);
  }
  const unit = (match[2] ?? 'b').toLowerCase()[0]!;
  const scale = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[unit] ?? 1;
  return Math.round(Number(match[1]) * scale);
}

function parseNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new InvalidOptionError(name, `must be a number, got "${text}".`);
  return value;
}

function flag(env: Env, name: string): boolean | undefined {
  const text = env[name]?.trim().toLowerCase();
  if (text === undefined || text === '') return undefined;
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  if (['0', 'false', 'no', 'off'].includes(text)) return false;
  throw new InvalidOptionError(name, `must be 1/true/yes or 0/false/no, got "${env[name]}".`);
}

function required(env: Env, name: string, what: string): string {
  const text = env[name];
  if (text === undefined || text.trim() === '') throw new InvalidOptionError(name, `is required: ${what}.`);
  return text;
}

function defined<T extends Record<string, unknown>>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** The variable behind each watcher option, so errors name what the user actually set. */
const VARIABLE_FOR_OPTION: Readonly<Record<string, string>> = {
  intervalMs: 'MEMWATCHER_INTERVAL_MS',
  'leak.windowMs': 'MEMWATCHER_WINDOW_MS',
  'leak.warmupMs': 'MEMWATCHER_WARMUP_MS',
  'leak.minPoints': 'MEMWATCHER_MIN_POINTS',
  'leak.confidence': 'MEMWATCHER_CONFIDENCE',
  'leak.minGrowthBytesPerMinute': 'MEMWATCHER_MIN_GROWTH',
  'alerts.rules.heapUsedAbove': 'MEMWATCHER_ALERT_HEAP_USED',
  'alerts.rules.rssAbove': 'MEMWATCHER_ALERT_RSS',
  'alerts.rules.externalAbove': 'MEMWATCHER_ALERT_EXTERNAL',
  'alerts.rules.heapLimitShareAbove': 'MEMWATCHER_ALERT_HEAP_SHARE',
  'alerts.rules.growthAbove': 'MEMWATCHER_ALERT_GROWTH',
  'alerts.rules.timeToHeapLimitBelow': 'MEMWATCHER_ALERT_TIME_TO_LIMIT_MS',
  'alerts.minIntervalMs': 'MEMWATCHER_ALERT_INTERVAL_MS',
  'alerts.webhook.url': 'MEMWATCHER_WEBHOOK_URL',
  'alerts.email': 'MEMWATCHER_SMTP_URL (needs nodemailer)',
  'alerts.email.smtp': 'MEMWATCHER_SMTP_URL',
  'alerts.email.from': 'MEMWATCHER_EMAIL_FROM',
  'alerts.email.to': 'MEMWATCHER_EMAIL_TO',
  'snapshots.dir': 'MEMWATCHER_SNAPSHOT_DIR',
  'snapshots.nearHeapLimit': 'MEMWATCHER_SNAPSHOT_NEAR_LIMIT',
};

/** `leak.windowMs` → `MEMWATCHER_WINDOW_MS`; unknown paths are returned as they are. */
export function variableForOption(option: string): string {
  return VARIABLE_FOR_OPTION[option] ?? option;
}
