import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { InvalidOptionError, MetricsError } from '../errors.ts';
import { PROMETHEUS_CONTENT_TYPE } from '../metrics/exposition.ts';
import { bearerToken, tokenMatcher } from './access-token.ts';
import { checkListenAddress, closeServer, listen, replyText } from './http-server.ts';

/** What the endpoint serves: `WatcherMetrics`, `FleetMetrics`, or anything that renders the text format. */
export interface RendersMetrics {
  render(): Promise<string>;
}

export interface MetricsHandlerOptions {
  /** Required as `Authorization: Bearer <token>` when set. Compared in constant time. */
  readonly token?: string;
  /** Default `/metrics`. */
  readonly path?: string;
}

export interface MetricsServerOptions extends MetricsHandlerOptions {
  /** 0 picks a free port (read it back from `port` or `url`). */
  readonly port: number;
  /** Default `127.0.0.1`: other machines cannot scrape unless told otherwise (then set a `token`). */
  readonly host?: string;
}

export interface MetricsServer {
  /** `http://127.0.0.1:9464/metrics` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/**
 * A request handler for `/metrics`, to mount on a server of one's own (the dashboard mounts it):
 * returns `false`, having done nothing, when the path is not its own. GET and HEAD only; with a
 * `token`, requests without the right `Authorization: Bearer` header get 401 and nothing else.
 * @throws {InvalidOptionError} when an option is invalid.
 * @example
 * const handle = metricsRequestHandler(metrics, { token: process.env.METRICS_TOKEN });
 * createServer((req, res) => { if (!handle(req, res)) serveDashboard(req, res); });
 */
export function metricsRequestHandler(
  metrics: RendersMetrics,
  options: MetricsHandlerOptions = {},
): (request: IncomingMessage, response: ServerResponse) => boolean {
  if (typeof metrics?.render !== 'function') {
    throw new InvalidOptionError('metrics', 'must have a render() method (WatcherMetrics, FleetMetrics).');
  }
  const path = options.path ?? '/metrics';
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new InvalidOptionError('path', `must start with "/" (got ${JSON.stringify(path)}).`);
  }
  const matches = options.token === undefined ? undefined : tokenMatcher(checkToken(options.token));
  return (request, response) => {
    if (pathOf(request.url) !== path) return false;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      replyText(response, 405, 'Only GET and HEAD are served here.\n', { Allow: 'GET, HEAD' });
      return true;
    }
    if (matches !== undefined && !matches(bearerToken(request.headers.authorization))) {
      replyText(response, 401, 'A bearer token is required.\n', {
        'WWW-Authenticate': 'Bearer realm="memwatcher"',
      });
      return true;
    }
    metrics.render().then(
      (text) => {
        const body = Buffer.from(text, 'utf8');
        response.writeHead(200, {
          'Content-Type': PROMETHEUS_CONTENT_TYPE,
          'Content-Length': body.length,
          'Cache-Control': 'no-store',
        });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        replyText(response, 500, `memwatcher: reading the metrics failed: ${reason}\n`);
      },
    );
    return true;
  };
}

/**
 * Serves `/metrics` on its own small HTTP server, on 127.0.0.1 unless `host` says otherwise. The server
 * and its connections are `unref()`ed: a program that would exit without it still exits.
 * @throws {InvalidOptionError} when an option is invalid.
 * @throws {MetricsError} `ERR_METRICS_LISTEN` when the port cannot be listened on.
 * @example
 * import { MemoryWatcher } from 'memwatcher';
 * import { serveMetrics, WatcherMetrics } from 'memwatcher/metrics';
 *
 * const watcher = new MemoryWatcher().start();
 * const server = await serveMetrics(new WatcherMetrics(watcher), { port: 9464 });
 * console.log(`Prometheus can scrape ${server.url}`);
 */
export async function serveMetrics(
  metrics: RendersMetrics,
  options: MetricsServerOptions,
): Promise<MetricsServer> {
  const host = options.host ?? '127.0.0.1';
  checkListenAddress(host, options.port);
  const handle = metricsRequestHandler(metrics, options);
  const server = createServer((request, response) => {
    if (!handle(request, response))
      replyText(response, 404, `Not found: metrics are at ${options.path ?? '/metrics'}\n`);
  });
  server.on('connection', (socket) => socket.unref());
  const listening = await listen(
    server,
    options.port,
    host,
    (why, cause) =>
      new MetricsError('ERR_METRICS_LISTEN', `cannot serve metrics on ${host}:${options.port}: ${why}.`, {
        cause,
      }),
  );
  server.unref();
  return {
    url: `${listening.origin}${options.path ?? '/metrics'}`,
    host: listening.host,
    port: listening.port,
    close: () => closeServer(server),
  };
}

function checkToken(token: string): string {
  // Header values are visible ASCII: a token with anything else could never match.
  if (typeof token !== 'string' || !/^[\x21-\x7e]{1,4096}$/.test(token)) {
    throw new InvalidOptionError('token', 'must be 1 to 4096 visible ASCII characters, without spaces.');
  }
  return token;
}

function pathOf(url: string | undefined): string {
  const end = url?.search(/[?#]/) ?? -1;
  return end === -1 ? (url ?? '') : url!.slice(0, end);
}
