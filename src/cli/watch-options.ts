import { parseBytes } from '../agent/register-env.ts';
import type { CollectorOptions } from '../collector/collector.ts';
import { InvalidOptionError, isMemwatcherError, UsageError } from '../errors.ts';
import { type FlagDefinitions, parsePositiveInteger, parseText } from './flags.ts';

/** The options `run`, `watch` (and `attach`) share: sampling, verdict, outputs, on-leak action, alerts. */
export interface WatchFlags {
  interval: number;
  window: number;
  warmup: number;
  minGrowth: number;
  minPoints: number;
  confidence: number;
  events: string | undefined;
  db: string | undefined;
  report: string | undefined;
  onLeak: 'snapshot' | undefined;
  snapshotDir: string;
  snapshotInterval: number | undefined;
  alertRss: number | undefined;
  alertHeap: number | undefined;
  alertHeapShare: number | undefined;
  alertGrowth: number | undefined;
  alertInterval: number | undefined;
  noLeakAlert: boolean;
  webhook: string | undefined;
  smtp: string | undefined;
  mailFrom: string | undefined;
  mailTo: string | undefined;
  quiet: boolean;
}

/**
 * `1s`, `500ms`, `2m`, `1h`, `1.5s`; a bare number is seconds (as `sleep` takes it).
 *
 * @example
 * parseDuration('2m', '--window'); // 120000
 */
export function parseDuration(raw: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?\s*$/i.exec(raw);
  if (match === null) {
    throw new UsageError(`${flag} must be a duration such as 500ms, 2s, 10m or 1h, got '${raw}'.`);
  }
  const scale = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 }[
    (match[2] ?? 's').toLowerCase() as 'ms' | 's' | 'm' | 'min' | 'h'
  ];
  const ms = Math.round(Number(match[1]) * scale);
  if (ms <= 0) throw new UsageError(`${flag} must be longer than 0, got '${raw}'.`);
  return ms;
}

/**
 * `512KB`, `1.5GB`, `200MB` (powers of 1024, as the agent's variables); a bare number is bytes.
 *
 * @example
 * parseSize('1.5GB', '--alert-rss'); // 1610612736
 */
export function parseSize(raw: string, flag: string): number {
  try {
    const bytes = parseBytes(flag, raw);
    if (bytes === undefined || bytes <= 0) throw new UsageError(`${flag} must be more than 0, got '${raw}'.`);
    return bytes;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${flag} must be a size such as 524288, 512KB or 1.5GB, got '${raw}'.`, {
      cause: error,
    });
  }
}

function parseShare(raw: string, flag: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0 || value >= 1) {
    throw new UsageError(`${flag} must be a number between 0 and 1 (0.85 = 85 %), got '${raw}'.`);
  }
  return value;
}

function parseOnLeak(raw: string, flag: string): 'snapshot' {
  if (raw !== 'snapshot') throw new UsageError(`${flag} takes 'snapshot', got '${raw}'.`);
  return raw;
}

const optionalText = { type: 'string', default: undefined, parse: parseText } as const;

/** Definitions for {@link WatchFlags}, to spread into a command's `flags`. */
export const watchFlagDefinitions: FlagDefinitions<WatchFlags> = {
  interval: {
    type: 'string',
    valueName: 'duration',
    default: 1000,
    parse: parseDuration,
    description: 'How often memory is sampled (1s, 500ms). Default: 1s.',
  },
  window: {
    type: 'string',
    valueName: 'duration',
    default: 600_000,
    parse: parseDuration,
    description: 'The leak verdict judges growth over this window. Default: 10m.',
  },
  warmup: {
    type: 'string',
    valueName: 'duration',
    default: 60_000,
    parse: parseDuration,
    description: 'Startup time not judged (caches filling). Default: 60s.',
  },
  minGrowth: {
    type: 'string',
    valueName: 'size',
    default: 512 * 1024,
    parse: parseSize,
    description: 'Growth per minute below which nothing is a leak. Default: 512KB.',
  },
  minPoints: {
    type: 'string',
    valueName: 'N',
    default: 9,
    parse: parsePositiveInteger,
    description:
      'Fewest points (floors after GC, or lowest RSS per stretch) in the window for a verdict. Default: 9.',
  },
  confidence: {
    type: 'string',
    valueName: 'p',
    default: 0.99,
    parse: parseShare,
    description: 'Confidence the trend test must reach to call growth (0.5–0.9999). Default: 0.99.',
  },
  events: { ...optionalText, valueName: 'file', description: 'Write every event as NDJSON to this file.' },
  db: { ...optionalText, valueName: 'file', description: 'Record the run in this history file (SQLite).' },
  report: {
    ...optionalText,
    valueName: 'file',
    description: 'Write an HTML report here when watching ends.',
  },
  onLeak: {
    type: 'string',
    valueName: 'action',
    default: undefined,
    parse: parseOnLeak,
    description:
      "'snapshot': once the verdict is a leak, take 3 heap snapshots, analyze them and print the suspects (Node processes with the agent).",
  },
  snapshotDir: {
    type: 'string',
    valueName: 'dir',
    default: 'memwatcher-snapshots',
    parse: parseText,
    description: 'Where --on-leak snapshots go (created 0700). Default: ./memwatcher-snapshots.',
  },
  snapshotInterval: {
    type: 'string',
    valueName: 'duration',
    default: undefined,
    parse: parseDuration,
    description: 'Time between the --on-leak snapshots. Default: a tenth of --window, 2s to 60s.',
  },
  alertRss: {
    type: 'string',
    valueName: 'size',
    default: undefined,
    parse: parseSize,
    description: 'Alert when RSS is above this size.',
  },
  alertHeap: {
    type: 'string',
    valueName: 'size',
    default: undefined,
    parse: parseSize,
    description: 'Alert when JS heap in use is above this size (Node).',
  },
  alertHeapShare: {
    type: 'string',
    valueName: 'share',
    default: undefined,
    parse: parseShare,
    description: 'Alert when JS heap in use is above this share of the heap limit (Node), e.g. 0.85.',
  },
  alertGrowth: {
    type: 'string',
    valueName: 'size',
    default: undefined,
    parse: parseSize,
    description: 'Alert on significant growth above this size per minute.',
  },
  alertInterval: {
    type: 'string',
    valueName: 'duration',
    default: undefined,
    parse: parseDuration,
    description: 'At most one alert per rule per interval. Default: 15m.',
  },
  noLeakAlert: { type: 'boolean', description: 'No alert when the verdict is a leak (on by default).' },
  webhook: { ...optionalText, valueName: 'url', description: 'POST each alert as JSON to this URL.' },
  smtp: {
    ...optionalText,
    valueName: 'url',
    description: 'Email alerts through this smtp:// or smtps:// server (needs nodemailer).',
  },
  mailFrom: { ...optionalText, valueName: 'address', description: 'Sender of alert emails.' },
  mailTo: {
    ...optionalText,
    valueName: 'addresses',
    description: 'Recipients of alert emails, comma-separated.',
  },
  quiet: {
    type: 'boolean',
    short: 'q',
    description: 'No status line; only leaks, alerts and errors on stderr.',
  },
};

/**
 * The collector's options from the flags. Alerts go to the webhook and email here, and always to
 * stderr and the events. Flag names replace option names in `InvalidOptionError`s (see {@link withFlagNames}).
 */
export function collectorOptionsFromFlags(flags: WatchFlags): CollectorOptions {
  if (flags.smtp === undefined && (flags.mailFrom !== undefined || flags.mailTo !== undefined)) {
    throw new UsageError(
      '--mail-from and --mail-to need --smtp <url>, the server that sends the alert emails.',
    );
  }
  if (flags.smtp !== undefined && (flags.mailFrom === undefined || flags.mailTo === undefined)) {
    throw new UsageError('--smtp needs --mail-from <address> and --mail-to <addresses>.');
  }
  const rules = {
    ...(flags.alertRss === undefined ? {} : { rssAbove: flags.alertRss }),
    ...(flags.alertHeap === undefined ? {} : { heapUsedAbove: flags.alertHeap }),
    ...(flags.alertHeapShare === undefined ? {} : { heapLimitShareAbove: flags.alertHeapShare }),
    ...(flags.alertGrowth === undefined ? {} : { growthAbove: flags.alertGrowth }),
    leak: !flags.noLeakAlert,
  };
  return {
    intervalMs: flags.interval,
    leak: {
      windowMs: flags.window,
      warmupMs: flags.warmup,
      minPoints: flags.minPoints,
      confidence: flags.confidence,
      minGrowthBytesPerMinute: flags.minGrowth,
    },
    alerts: {
      rules,
      ...(flags.alertInterval === undefined ? {} : { minIntervalMs: flags.alertInterval }),
      ...(flags.webhook === undefined ? {} : { webhook: flags.webhook }),
      ...(flags.smtp === undefined
        ? {}
        : {
            email: {
              smtp: flags.smtp,
              from: flags.mailFrom!,
              to: flags
                .mailTo!.split(',')
                .map((address) => address.trim())
                .filter((address) => address !== ''),
            },
          }),
    },
  };
}

/**
 * `--on-leak snapshot` for a source that can take heap snapshots (`run`, `attach`): where, and how far
 * apart — `--snapshot-interval`, else a tenth of the verdict window, 2 s to 60 s (the series should span
 * growth, not outlast the leak's patience). `undefined` without `--on-leak`.
 */
export function onLeakSnapshotsFromFlags(
  flags: WatchFlags,
): { readonly dir: string; readonly intervalMs: number } | undefined {
  if (flags.onLeak !== 'snapshot') return undefined;
  return {
    dir: flags.snapshotDir,
    intervalMs: flags.snapshotInterval ?? Math.min(60_000, Math.max(2000, Math.round(flags.window / 10))),
  };
}

const FLAG_FOR_OPTION: readonly [RegExp, string][] = [
  [/^intervalMs$/, '--interval'],
  [/^leak\.windowMs$/, '--window'],
  [/^leak\.warmupMs$/, '--warmup'],
  [/^leak\.confidence$/, '--confidence'],
  [/^leak\.minPoints$/, '--min-points'],
  [/^leak\.minGrowthBytesPerMinute$/, '--min-growth'],
  [/^alerts\.rules\.rssAbove$/, '--alert-rss'],
  [/^alerts\.rules\.heapUsedAbove$/, '--alert-heap'],
  [/^alerts\.rules\.heapLimitShareAbove$/, '--alert-heap-share'],
  [/^alerts\.rules\.growthAbove$/, '--alert-growth'],
  [/^alerts\.minIntervalMs$/, '--alert-interval'],
  [/^alerts\.webhook/, '--webhook'],
  [/^alerts\.email\.from$/, '--mail-from'],
  [/^alerts\.email\.to$/, '--mail-to'],
  [/^alerts\.email/, '--smtp'],
];

/**
 * An `InvalidOptionError` from the collector's checks as a `UsageError` naming the flag the user
 * typed (`--window: must hold at least 5 samples …`); anything else as it is.
 */
export function withFlagNames(error: unknown): unknown {
  if (!isMemwatcherError(error) || !(error instanceof InvalidOptionError)) return error;
  const flag = FLAG_FOR_OPTION.find(([pattern]) => pattern.test(error.option))?.[1];
  if (flag === undefined) return error;
  const detail = error.message.slice(error.option.length + 2);
  return new UsageError(`${flag}: ${detail}`, { cause: error });
}
