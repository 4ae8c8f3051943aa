import { InvalidOptionError } from '../errors.ts';
import type { MemoryAlert } from './alerts/alert.ts';
import {
  EMAIL_DEFAULTS,
  type EmailOptions,
  nodemailerInstalled,
  type ResolvedEmailOptions,
} from './alerts/email-sink.ts';
import type { AlertLogger } from './alerts/log-sink.ts';
import type { AlertRules } from './alerts/rules.ts';
import { type ResolvedWebhookOptions, WEBHOOK_DEFAULTS, type WebhookOptions } from './alerts/webhook-sink.ts';
import type { GrowingClassesSource } from './census-hook.ts';
import { DEFAULT_HISTORY_TIERS, type HistoryTier } from './history.ts';
import {
  checkBoolean,
  checkFunction,
  checkNumber,
  checkObject,
  checkString,
  checkUrl,
  describe,
} from './option-checks.ts';
import type { VerdictSettings } from './verdict.ts';

/** How the leak verdict judges. The defaults suit a long-running service. */
export interface LeakOptions {
  /** Window the trend is judged over. Default 600000 (10 min). */
  readonly windowMs?: number;
  /** Startup time not judged (caches filling, code compiling). Default 60000. */
  readonly warmupMs?: number;
  /** Fewest points (post-GC floors, bucketed) for a judgement. Default 6: with a big or fast-growing heap, major GCs (and floors) are sparse. */
  readonly minPoints?: number;
  /** Confidence the trend test must reach, between 0.5 and 0.9999. Default 0.99. */
  readonly confidence?: number;
  /** Growth below this is never a leak. Default 524288 (0.5 MB/min = 30 MB/h). */
  readonly minGrowthBytesPerMinute?: number;
}

export interface AlertOptions {
  /** Default `{ leak: true }`. */
  readonly rules?: AlertRules;
  /** Per rule: at most one alert per interval. Default 900000 (15 min). */
  readonly minIntervalMs?: number;
  /** Growing classes attached to each alert when a census is attached. Default 5. */
  readonly topClasses?: number;
  /** How long an alert waits for the census. Default 2000. */
  readonly censusTimeoutMs?: number;
  /** POST alerts here (a URL, or options). */
  readonly webhook?: string | WebhookOptions;
  /** Email alerts through SMTP (needs the optional peer `nodemailer`). */
  readonly email?: EmailOptions;
  /** Log alerts through this logger (pino-compatible: `warn`/`error`). */
  readonly logger?: AlertLogger;
}

export interface SnapshotOptions {
  /** Existing directory the heap snapshots go to (files are created 0600). */
  readonly dir: string;
  /** Capture a snapshot when the leak verdict says the process leaks. Default false. */
  readonly onLeak?: boolean;
  /**
   * Capture when JS heap in use passes this share of the heap limit (e.g. 0.85). Off by default:
   * taking a snapshot needs memory outside the JS heap, roughly the heap's size, which a container
   * near its limit may not have.
   */
  readonly nearHeapLimit?: number;
  /** At most one automatic snapshot per interval. Default 600000 (10 min). */
  readonly minIntervalMs?: number;
  /** At most this many automatic snapshots per watcher. Default 5. */
  readonly maxCount?: number;
}

export interface MemoryWatcherOptions {
  /** Sampling interval. Default 1000. */
  readonly intervalMs?: number;
  readonly leak?: LeakOptions;
  readonly alerts?: AlertOptions;
  /** Called with every alert (after rate limiting). May be async; a throw or rejection is reported on `error`. */
  readonly onAlert?: (alert: MemoryAlert) => unknown;
  readonly snapshots?: SnapshotOptions;
  /** Where alerts get their "top growing classes" from (e.g. a LeakDetector). */
  readonly census?: GrowingClassesSource;
  /** History tiers; the default keeps 1 h of samples, 1 day per minute, 30 days per 10 minutes (≈ 0.8 MB). */
  readonly historyTiers?: readonly HistoryTier[];
}

export interface ResolvedWatcherOptions {
  readonly intervalMs: number;
  readonly leak: VerdictSettings;
  readonly alerts: {
    readonly rules: AlertRules;
    readonly minIntervalMs: number;
    readonly topClasses: number;
    readonly censusTimeoutMs: number;
    readonly webhook: ResolvedWebhookOptions | undefined;
    readonly email: ResolvedEmailOptions | undefined;
    readonly logger: AlertLogger | undefined;
  };
  readonly onAlert: ((alert: MemoryAlert) => unknown) | undefined;
  readonly snapshots: Required<Omit<SnapshotOptions, 'nearHeapLimit'>> & {
    readonly nearHeapLimit: number | undefined;
  };
  readonly snapshotsConfigured: boolean;
  readonly census: GrowingClassesSource | undefined;
  readonly historyTiers: readonly HistoryTier[];
}

const MB = 1024 * 1024;
const HOUR = 3_600_000;

/**
 * Validates every option and fills in defaults. Throws `InvalidOptionError` naming the first bad
 * option; this is the only place the watcher throws.
 */
export function resolveWatcherOptions(options: MemoryWatcherOptions | undefined): ResolvedWatcherOptions {
  const top = checkObject('options', options ?? {}, [
    'intervalMs',
    'leak',
    'alerts',
    'onAlert',
    'snapshots',
    'census',
    'historyTiers',
  ])!;
  const intervalMs = checkNumber('intervalMs', top.intervalMs, { min: 10, max: HOUR, unit: 'ms' }) ?? 1000;
  const leak = resolveLeak(top.leak, intervalMs);
  const alerts = resolveAlerts(top.alerts);
  const onAlert = checkFunction<(alert: MemoryAlert) => unknown>('onAlert', top.onAlert);
  const snapshots = resolveSnapshots(top.snapshots);
  const census = resolveCensus(top.census);
  const historyTiers = resolveHistoryTiers(top.historyTiers);
  return {
    intervalMs,
    leak,
    alerts,
    onAlert,
    snapshots: snapshots ?? {
      dir: '',
      onLeak: false,
      nearHeapLimit: undefined,
      minIntervalMs: 600_000,
      maxCount: 5,
    },
    snapshotsConfigured: snapshots !== undefined,
    census,
    historyTiers,
  };
}

function resolveLeak(value: unknown, intervalMs: number): VerdictSettings {
  const leak = checkObject('leak', value, [
    'windowMs',
    'warmupMs',
    'minPoints',
    'confidence',
    'minGrowthBytesPerMinute',
  ]);
  const windowMs =
    checkNumber('leak.windowMs', leak?.windowMs, { min: 1000, max: 7 * 24 * HOUR, unit: 'ms' }) ?? 600_000;
  if (windowMs < intervalMs * 5) {
    throw new InvalidOptionError(
      'leak.windowMs',
      `must hold at least 5 samples (5 × intervalMs = ${intervalMs * 5} ms), got ${windowMs}.`,
    );
  }
  return {
    windowMs,
    warmupMs:
      checkNumber('leak.warmupMs', leak?.warmupMs, { min: 0, max: 7 * 24 * HOUR, unit: 'ms' }) ?? 60_000,
    minPoints: checkNumber('leak.minPoints', leak?.minPoints, { min: 5, max: 128, integer: true }) ?? 6,
    confidence: checkNumber('leak.confidence', leak?.confidence, { min: 0.5, max: 0.9999 }) ?? 0.99,
    minGrowthBytesPerMinute:
      checkNumber('leak.minGrowthBytesPerMinute', leak?.minGrowthBytesPerMinute, {
        min: 1,
        unit: 'bytes/min',
      }) ?? 0.5 * MB,
  };
}

function resolveAlerts(value: unknown): ResolvedWatcherOptions['alerts'] {
  const alerts = checkObject('alerts', value, [
    'rules',
    'minIntervalMs',
    'topClasses',
    'censusTimeoutMs',
    'webhook',
    'email',
    'logger',
  ]);
  return {
    rules: resolveRules(alerts?.rules),
    minIntervalMs:
      checkNumber('alerts.minIntervalMs', alerts?.minIntervalMs, { min: 0, unit: 'ms' }) ?? 15 * 60_000,
    topClasses:
      checkNumber('alerts.topClasses', alerts?.topClasses, { min: 0, max: 100, integer: true }) ?? 5,
    censusTimeoutMs:
      checkNumber('alerts.censusTimeoutMs', alerts?.censusTimeoutMs, { min: 1, max: 60_000, unit: 'ms' }) ??
      2000,
    webhook: resolveWebhook(alerts?.webhook),
    email: resolveEmail(alerts?.email),
    logger: resolveLogger(alerts?.logger),
  };
}

function resolveRules(value: unknown): AlertRules {
  const rules = checkObject('alerts.rules', value, [
    'heapUsedAbove',
    'rssAbove',
    'externalAbove',
    'heapLimitShareAbove',
    'growthAbove',
    'timeToHeapLimitBelow',
    'leak',
  ]);
  if (rules === undefined) return { leak: true };
  const bytes = (name: string) => checkNumber(`alerts.rules.${name}`, rules[name], { min: 0, unit: 'bytes' });
  const resolved: Record<string, number | boolean | undefined> = {
    heapUsedAbove: bytes('heapUsedAbove'),
    rssAbove: bytes('rssAbove'),
    externalAbove: bytes('externalAbove'),
    heapLimitShareAbove: checkNumber('alerts.rules.heapLimitShareAbove', rules.heapLimitShareAbove, {
      min: 0,
      max: 1,
    }),
    growthAbove: checkNumber('alerts.rules.growthAbove', rules.growthAbove, { min: 0, unit: 'bytes/min' }),
    timeToHeapLimitBelow: checkNumber('alerts.rules.timeToHeapLimitBelow', rules.timeToHeapLimitBelow, {
      min: 1,
      unit: 'ms',
    }),
    leak: checkBoolean('alerts.rules.leak', rules.leak) ?? true,
  };
  return Object.fromEntries(Object.entries(resolved).filter(([, v]) => v !== undefined)) as AlertRules;
}

function resolveWebhook(value: unknown): ResolvedWebhookOptions | undefined {
  if (value === undefined) return undefined;
  const webhook =
    typeof value === 'string'
      ? { url: value }
      : checkObject('alerts.webhook', value, [
          'url',
          'headers',
          'timeoutMs',
          'retries',
          'backoffMs',
          'queueSize',
        ])!;
  const url = checkUrl('alerts.webhook.url', webhook.url, ['http:', 'https:']);
  if (url === undefined)
    throw new InvalidOptionError('alerts.webhook.url', 'is required: the URL alerts are POSTed to.');
  const headers =
    checkObject('alerts.webhook.headers', webhook.headers, Object.keys(webhook.headers ?? {})) ?? {};
  for (const [name, header] of Object.entries(headers)) {
    if (typeof header !== 'string') {
      throw new InvalidOptionError(
        `alerts.webhook.headers.${name}`,
        `must be a string, got ${describe(header)}.`,
      );
    }
  }
  return {
    url: url.href,
    headers: headers as Record<string, string>,
    timeoutMs:
      checkNumber('alerts.webhook.timeoutMs', webhook.timeoutMs, { min: 1, max: 120_000, unit: 'ms' }) ??
      WEBHOOK_DEFAULTS.timeoutMs,
    retries:
      checkNumber('alerts.webhook.retries', webhook.retries, { min: 0, max: 20, integer: true }) ??
      WEBHOOK_DEFAULTS.retries,
    backoffMs:
      checkNumber('alerts.webhook.backoffMs', webhook.backoffMs, { min: 1, max: HOUR, unit: 'ms' }) ??
      WEBHOOK_DEFAULTS.backoffMs,
    queueSize:
      checkNumber('alerts.webhook.queueSize', webhook.queueSize, { min: 1, max: 10_000, integer: true }) ??
      WEBHOOK_DEFAULTS.queueSize,
  };
}

function resolveEmail(value: unknown): ResolvedEmailOptions | undefined {
  const email = checkObject('alerts.email', value, [
    'from',
    'to',
    'smtp',
    'subjectPrefix',
    'timeoutMs',
    'retries',
    'backoffMs',
    'queueSize',
  ]);
  if (email === undefined) return undefined;
  const from = checkString('alerts.email.from', email.from);
  if (from === undefined)
    throw new InvalidOptionError('alerts.email.from', 'is required: the sender address.');
  const to = email.to;
  const recipients = typeof to === 'string' ? [to] : Array.isArray(to) ? to : undefined;
  if (
    recipients === undefined ||
    recipients.length === 0 ||
    !recipients.every((r) => typeof r === 'string' && r.includes('@'))
  ) {
    throw new InvalidOptionError(
      'alerts.email.to',
      `must be an address or a non-empty list of addresses, got ${describe(to)}.`,
    );
  }
  const smtp = resolveSmtp(email.smtp);
  if (!nodemailerInstalled()) {
    throw new InvalidOptionError(
      'alerts.email',
      'needs the optional peer dependency nodemailer: run `npm install nodemailer`.',
    );
  }
  return {
    from,
    to: recipients as string[],
    smtp,
    subjectPrefix:
      checkString('alerts.email.subjectPrefix', email.subjectPrefix) ?? EMAIL_DEFAULTS.subjectPrefix,
    timeoutMs:
      checkNumber('alerts.email.timeoutMs', email.timeoutMs, { min: 1, max: 300_000, unit: 'ms' }) ??
      EMAIL_DEFAULTS.timeoutMs,
    retries:
      checkNumber('alerts.email.retries', email.retries, { min: 0, max: 20, integer: true }) ??
      EMAIL_DEFAULTS.retries,
    backoffMs:
      checkNumber('alerts.email.backoffMs', email.backoffMs, { min: 1, max: HOUR, unit: 'ms' }) ??
      EMAIL_DEFAULTS.backoffMs,
    queueSize:
      checkNumber('alerts.email.queueSize', email.queueSize, { min: 1, max: 1000, integer: true }) ??
      EMAIL_DEFAULTS.queueSize,
  };
}

function resolveSmtp(value: unknown): ResolvedEmailOptions['smtp'] {
  if (typeof value === 'string') return checkUrl('alerts.email.smtp', value, ['smtp:', 'smtps:'])!.href;
  const smtp = checkObject('alerts.email.smtp', value, ['host', 'port', 'secure', 'auth', 'requireTLS']);
  if (smtp === undefined) {
    throw new InvalidOptionError(
      'alerts.email.smtp',
      'is required: an smtp:// URL or { host, port, secure, auth }.',
    );
  }
  const host = checkString('alerts.email.smtp.host', smtp.host);
  if (host === undefined) throw new InvalidOptionError('alerts.email.smtp.host', 'is required.');
  const auth = checkObject('alerts.email.smtp.auth', smtp.auth, ['user', 'pass']);
  const port = checkNumber('alerts.email.smtp.port', smtp.port, { min: 1, max: 65_535, integer: true });
  const secure = checkBoolean('alerts.email.smtp.secure', smtp.secure);
  const requireTLS = checkBoolean('alerts.email.smtp.requireTLS', smtp.requireTLS);
  return {
    host,
    ...(port === undefined ? {} : { port }),
    ...(secure === undefined ? {} : { secure }),
    ...(requireTLS === undefined ? {} : { requireTLS }),
    ...(auth === undefined
      ? {}
      : {
          auth: {
            user: checkString('alerts.email.smtp.auth.user', auth.user) ?? '',
            pass: typeof auth.pass === 'string' ? auth.pass : '',
          },
        }),
  };
}

function resolveLogger(value: unknown): AlertLogger | undefined {
  if (value === undefined) return undefined;
  const logger = value as Partial<AlertLogger> | null;
  if (
    typeof logger !== 'object' ||
    logger === null ||
    typeof logger.warn !== 'function' ||
    typeof logger.error !== 'function'
  ) {
    throw new InvalidOptionError(
      'alerts.logger',
      `must have warn() and error() methods (pino, console…), got ${describe(value)}.`,
    );
  }
  return logger as AlertLogger;
}

function resolveSnapshots(value: unknown): ResolvedWatcherOptions['snapshots'] | undefined {
  const snapshots = checkObject('snapshots', value, [
    'dir',
    'onLeak',
    'nearHeapLimit',
    'minIntervalMs',
    'maxCount',
  ]);
  if (snapshots === undefined) return undefined;
  const dir = checkString('snapshots.dir', snapshots.dir);
  if (dir === undefined)
    throw new InvalidOptionError('snapshots.dir', 'is required: the directory heap snapshots go to.');
  return {
    dir,
    onLeak: checkBoolean('snapshots.onLeak', snapshots.onLeak) ?? false,
    nearHeapLimit: checkNumber('snapshots.nearHeapLimit', snapshots.nearHeapLimit, { min: 0.05, max: 0.99 }),
    minIntervalMs:
      checkNumber('snapshots.minIntervalMs', snapshots.minIntervalMs, { min: 0, unit: 'ms' }) ?? 600_000,
    maxCount:
      checkNumber('snapshots.maxCount', snapshots.maxCount, { min: 1, max: 1000, integer: true }) ?? 5,
  };
}

function resolveCensus(value: unknown): GrowingClassesSource | undefined {
  if (value === undefined) return undefined;
  if (typeof (value as Partial<GrowingClassesSource> | null)?.topGrowingClasses !== 'function') {
    throw new InvalidOptionError(
      'census',
      `must have a topGrowingClasses(limit) method, got ${describe(value)}.`,
    );
  }
  return value as GrowingClassesSource;
}

function resolveHistoryTiers(value: unknown): readonly HistoryTier[] {
  if (value === undefined) return DEFAULT_HISTORY_TIERS;
  if (!Array.isArray(value) || value.length === 0 || value.length > 8) {
    throw new InvalidOptionError('historyTiers', `must be a list of 1 to 8 tiers, got ${describe(value)}.`);
  }
  return value.map((tier, i) => {
    const t = checkObject(`historyTiers[${i}]`, tier, ['resolutionMs', 'capacity'])!;
    return {
      resolutionMs:
        checkNumber(`historyTiers[${i}].resolutionMs`, t.resolutionMs, { min: 0, unit: 'ms' }) ?? 0,
      capacity:
        checkNumber(`historyTiers[${i}].capacity`, t.capacity, { min: 1, max: 1_000_000, integer: true }) ??
        1000,
    };
  });
}
