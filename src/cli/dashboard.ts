import { UsageError } from '../errors.ts';
import { isLoopbackHost } from '../inspector-client/inspector-address.ts';
import { defineCommand } from './command.ts';
import { parseText } from './flags.ts';
import { parseServeAddress, type ServeFlags, serveFlagDefinitions, tokenFrom } from './serve-options.ts';

interface DashboardFlags extends ServeFlags {
  db: string | undefined;
}

export const dashboardCommand = defineCommand<DashboardFlags>({
  name: 'dashboard',
  summary: 'Serve the dashboard of a history file: every run and process, live while it is written.',
  usage: '--db <history.db> [--serve [host:]port] [--token T] [--show-strings]',
  description: `
Serves the dashboard page for a history file written with --db by 'memwatcher run', 'attach' or
'watch': memory over time (zoom and pan), the leak verdict with its growth rate and confidence,
alerts, GC pauses by kind, snapshots taken, and the class census and leak suspects of every analysis,
with interactive retainer graphs. Runs still being written are followed live.

The server listens on 127.0.0.1 unless --serve names another address, and every request needs the
token: open the URL printed at start (it carries the token, which the page trades for a cookie), or
send 'Authorization: Bearer <token>'. Heap-derived names that look like data are shown by their
length unless the server was started with --show-strings and the page asks.

Runs until interrupted (Ctrl-C).`,
  flags: {
    db: {
      type: 'string',
      valueName: 'file',
      default: undefined,
      parse: parseText,
      description: 'The history file to show (required).',
    },
    ...serveFlagDefinitions,
  },
  positionals: { name: 'none', min: 0, max: 0 },
  examples: [
    'memwatcher dashboard --db memwatcher.db',
    'memwatcher dashboard --db memwatcher.db --serve 8080',
    'MEMWATCHER_DASHBOARD_TOKEN=… memwatcher dashboard --db fleet.db --serve 0.0.0.0:8080',
  ],
  async run({ options, context }) {
    if (options.db === undefined) {
      throw new UsageError(
        'missing --db <history.db>. Usage: memwatcher dashboard --db <history.db> [--serve [host:]port]',
      );
    }
    const address = options.serve ?? parseServeAddress('0', '--serve');
    // Loaded here: the other commands never pay for the store and the server.
    const [{ openHistoryReader }, { StoredSource }, { startDashboardServer }] = await Promise.all([
      import('../store/history-reader.ts'),
      import('../server/stored-source.ts'),
      import('../server/dashboard-server.ts'),
    ]);
    const source = new StoredSource(openHistoryReader(options.db));
    let server: Awaited<ReturnType<typeof startDashboardServer>>;
    try {
      server = await startDashboardServer({
        source,
        host: address.host,
        port: address.port,
        token: tokenFrom(options, context.env),
        showStrings: options.showStrings,
        keepAlive: true,
      });
    } catch (error) {
      source.close();
      throw error;
    }
    context.stderr.write(`memwatcher: dashboard of ${options.db} at ${server.openUrl}\n`);
    if (!isLoopbackHost(address.host)) {
      context.stderr.write(
        `memwatcher: the dashboard listens on ${address.host}: other machines can reach it; only the token keeps them out.\n`,
      );
    }
    await new Promise<void>((resolve) => {
      if (context.signal.aborted) resolve();
      else context.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await server.close();
    source.close();
    return 0;
  },
});
