import { isIP } from 'node:net';
import type { WatchSession } from '../collector/session.ts';
import { UsageError } from '../errors.ts';
import { isLoopbackHost } from '../inspector-client/inspector-address.ts';
import type { LiveDashboard } from '../server/live-dashboard.ts';
import { type FlagDefinitions, parseText } from './flags.ts';

/** Between the snapshots of the page's leak search, unless --snapshot-interval says otherwise. */
const DEFAULT_SERIES_INTERVAL_MS = 5000;

/** Where the dashboard listens. */
export interface ServeAddress {
  readonly host: string;
  readonly port: number;
}

/** The flags `run`, `attach`, `watch` and `dashboard` share to serve the dashboard. */
export interface ServeFlags {
  serve: ServeAddress | undefined;
  token: string | undefined;
  showStrings: boolean;
}

/**
 * `8080`, `127.0.0.1:8080`, `localhost:0`, `[::1]:8080`, `0.0.0.0:8080`. A bare port listens on
 * 127.0.0.1; 0 picks a free port.
 *
 * @example
 * parseServeAddress('8080', '--serve'); // { host: '127.0.0.1', port: 8080 }
 */
export function parseServeAddress(raw: string, flag: string): ServeAddress {
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(raw.trim());
  const port = Number(match?.[2]);
  // `80:80` is a mistake, not host "80".
  if (match === null || !Number.isInteger(port) || port > 65_535 || /^\d+$/.test(match[1] ?? '')) {
    throw new UsageError(`${flag} takes [host:]port, such as 8080 or 127.0.0.1:8080, got '${raw}'.`);
  }
  const rawHost = match[1] ?? '127.0.0.1';
  const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
  if (rawHost.startsWith('[') && isIP(host) !== 6)
    throw new UsageError(`${flag}: '${rawHost}' is not an IPv6 address.`);
  return { host, port };
}

/** Definitions for {@link ServeFlags}, to spread into a command's `flags`. */
export const serveFlagDefinitions: FlagDefinitions<ServeFlags> = {
  serve: {
    type: 'string',
    valueName: '[host:]port',
    default: undefined,
    parse: parseServeAddress,
    description:
      'Serve the live dashboard (and /metrics) here; a bare port listens on 127.0.0.1 only, 0 picks a free port.',
  },
  token: {
    type: 'string',
    valueName: 'token',
    default: undefined,
    parse: parseText,
    description:
      'The dashboard token (16+ characters); default: a new random one, printed with the URL. Also read from MEMWATCHER_DASHBOARD_TOKEN.',
  },
  showStrings: {
    type: 'boolean',
    description: 'Let the dashboard show heap-derived names unredacted when asked (off: shown by length).',
  },
};

/** `--token`, else `MEMWATCHER_DASHBOARD_TOKEN` (keeps the token out of `ps` output), else none. */
export function tokenFrom(flags: ServeFlags, env: NodeJS.ProcessEnv): string | undefined {
  return flags.token ?? (env.MEMWATCHER_DASHBOARD_TOKEN || undefined);
}

/**
 * `--serve` for `run`, `attach` and `watch`: starts the dashboard on the session's collector (before its
 * `start` event) and says where to open it. The server code is loaded only when asked for. When the
 * dashboard cannot start, the session (not begun yet) is finished, its files closed, before the throw.
 * @throws {DashboardError} the port cannot be listened on, the page is not built.
 */
export async function serveSession(
  session: WatchSession,
  flags: ServeFlags & { readonly snapshotDir: string; readonly snapshotInterval: number | undefined },
  context: { readonly env: NodeJS.ProcessEnv },
  mode: string,
  command: readonly string[],
): Promise<LiveDashboard | undefined> {
  if (flags.serve === undefined) return undefined;
  let dashboard: LiveDashboard;
  try {
    const { startLiveDashboard } = await import('../server/live-dashboard.ts');
    dashboard = await startLiveDashboard({
      collector: session.collector,
      mode,
      command,
      host: flags.serve.host,
      port: flags.serve.port,
      token: tokenFrom(flags, context.env),
      showStrings: flags.showStrings,
      snapshotDir: flags.snapshotDir,
      seriesIntervalMs: flags.snapshotInterval ?? DEFAULT_SERIES_INTERVAL_MS,
    });
  } catch (error) {
    await session.finish({ exitCode: null, signal: null, reason: 'stopped' });
    throw error;
  }
  session.say(`memwatcher: dashboard at ${dashboard.server.openUrl}`);
  if (!isLoopbackHost(flags.serve.host))
    session.say(
      `memwatcher: the dashboard listens on ${flags.serve.host}: other machines can reach it; only the token keeps them out.`,
    );
  return dashboard;
}
