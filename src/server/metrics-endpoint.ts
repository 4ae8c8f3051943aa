import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidOptionError, MetricsError } from '../errors.ts';
import { listenFailureReason } from './listen-failure.ts';

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

/** Prometheus' text format 0.0.4, the content type Prometheus asks for first. */
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

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
  const expected = options.token === undefined ? undefined : digest(checkToken(options.token));
  return (request, response) => {
    if (pathOf(request.url) !== path) return false;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      reply(response, 405, 'Only GET and HEAD are served here.\n', { Allow: 'GET, HEAD' });
      return true;
    }
    if (expected !== undefined && !authorized(request.headers.authorization, expected)) {
      reply(response, 401, 'A bearer token is required.\n', {
        'WWW-Authenticate': 'Bearer realm="memwatcher"',
      });
      return true;
    }
    metrics.render().then(
      (text) => {
        const body = Buffer.from(text, 'utf8');
        response.writeHead(200, {
          'Content-Type': CONTENT_TYPE,
          'Content-Length': body.length,
          'Cache-Control': 'no-store',
        });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        reply(response, 500, `memwatcher: reading the metrics failed: ${reason}\n`);
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
  if (typeof host !== 'string' || host === '')
    throw new InvalidOptionError('host', 'must be an address or host name.');
  const port = options.port;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidOptionError('port', `must be an integer from 0 to 65535 (got ${String(port)}).`);
  }
  const handle = metricsRequestHandler(metrics, options);
  const server = createServer((request, response) => {
    if (!handle(request, response))
      reply(response, 404, `Not found: metrics are at ${options.path ?? '/metrics'}\n`);
  });
  server.on('connection', (socket) => socket.unref());
  await new Promise<void>((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) => {
      const why = listenFailureReason(error);
      reject(
        new MetricsError('ERR_METRICS_LISTEN', `cannot serve metrics on ${host}:${port}: ${why}.`, {
          cause: error,
        }),
      );
    };
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
  server.unref();
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}${options.path ?? '/metrics'}`,
    host: address.address,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function checkToken(token: string): string {
  // Header values are visible ASCII: a token with anything else could never match.
  if (typeof token !== 'string' || !/^[\x21-\x7e]{1,4096}$/.test(token)) {
    throw new InvalidOptionError('token', 'must be 1 to 4096 visible ASCII characters, without spaces.');
  }
  return token;
}

/** Hashing first gives both sides the same length, which `timingSafeEqual` requires. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function authorized(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  const given = digest(match?.[1] ?? '');
  // Always compare, so a missing header takes as long as a wrong one.
  return timingSafeEqual(given, expected) && match !== null;
}

function pathOf(url: string | undefined): string {
  const end = url?.search(/[?#]/) ?? -1;
  return end === -1 ? (url ?? '') : url!.slice(0, end);
}

function reply(
  response: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    ...headers,
  });
  response.end(text);
}
