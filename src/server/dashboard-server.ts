import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { DashboardError } from '../errors.ts';
import { AccessCheck, checkAccessToken, newAccessToken } from './access-token.ts';
import { handleApi } from './api-routes.ts';
import type { DashboardSource } from './dashboard-source.ts';
import { acceptsGzip, checkListenAddress, closeServer, listen, replyText } from './http-server.ts';
import { metricsRequestHandler, type RendersMetrics } from './metrics-endpoint.ts';
import { SECURITY_HEADERS } from './security-headers.ts';
import type { SnapshotActions } from './snapshot-actions.ts';
import { loadWebAssets, type WebAsset } from './web-assets.ts';

export interface DashboardServerOptions {
  readonly source: DashboardSource;
  /** The page's snapshot buttons; without it the page shows history only. */
  readonly actions?: SnapshotActions | undefined;
  /** Served at `/metrics` (behind the same token). */
  readonly metrics?: RendersMetrics | undefined;
  /** 0 picks a free port. */
  readonly port: number;
  /** Default `127.0.0.1`. Anything else exposes the dashboard (still behind its token) to the network. */
  readonly host?: string | undefined;
  /** Default: a new random token, printed with the URL. */
  readonly token?: string | undefined;
  /** Allow the page to show heap-derived names unredacted when the user asks (`--show-strings`). */
  readonly showStrings?: boolean | undefined;
  /** The built page; default `dist/web/` of this package. */
  readonly webDir?: string | undefined;
  /**
   * Keep the process alive while serving (the `dashboard` command). Default false: the server and
   * its connections are unref()ed, so a watched program (or `memwatcher run`) exits when its work is done.
   */
  readonly keepAlive?: boolean | undefined;
}

export interface DashboardServer {
  /** `http://127.0.0.1:8080/` */
  readonly url: string;
  /** The URL to open: with `?token=…`, which the page trades for a cookie at once. */
  readonly openUrl: string;
  readonly token: string;
  readonly host: string;
  readonly port: number;
  /** Stops listening, ends the event streams, stops snapshot actions in progress. */
  close(): Promise<void>;
}

/**
 * Serves the dashboard: the page, its JSON API and event stream, and `/metrics`. Every request must
 * carry the token (cookie from `?token=`, or `Authorization: Bearer`); responses carry a strict
 * Content-Security-Policy and no CORS headers.
 * @throws {DashboardError} `ERR_DASHBOARD_LISTEN`, `ERR_DASHBOARD_ASSETS`.
 * @throws {InvalidOptionError} a bad port, host or token.
 * @example
 * const server = await startDashboardServer({ source: live, actions, metrics, port: 8080 });
 * console.error(`dashboard: ${server.openUrl}`);
 */
export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port;
  checkListenAddress(host, port);
  const token = checkAccessToken(options.token ?? newAccessToken());
  const assets = await loadWebAssets(options.webDir);
  const metrics = options.metrics === undefined ? undefined : metricsRequestHandler(options.metrics);
  const streams = new Set<{ close(): void }>();
  let access: AccessCheck | undefined;
  let origin = '';

  const server = createServer((request, response) => {
    try {
      route(request, response);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (!response.headersSent) reply(response, 500, `memwatcher: ${reason}\n`);
      else response.destroy();
    }
  });
  const route = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://dashboard.invalid');
    const given = url.searchParams.get('token');
    if (given !== null) {
      if (!access!.matches(given)) {
        reply(response, 401, 'memwatcher: wrong token. Open the URL memwatcher printed when it started.\n');
        return;
      }
      // The token leaves the address bar (history, screenshots, Referer) and lives in an HttpOnly cookie.
      url.searchParams.delete('token');
      response.writeHead(303, {
        ...SECURITY_HEADERS,
        Location: `${url.pathname}${url.search}`,
        'Set-Cookie': access!.cookie(given),
        'Cache-Control': 'no-store',
      });
      response.end();
      return;
    }
    if (!access!.allows(request)) {
      reply(
        response,
        401,
        'memwatcher: this dashboard needs its token. Open the URL memwatcher printed when it started (…/?token=…), or send Authorization: Bearer <token>.\n',
        { 'WWW-Authenticate': 'Bearer realm="memwatcher"' },
      );
      return;
    }
    const path = url.pathname;
    if (path.startsWith('/api/')) {
      void handleApi(request, response, url, {
        source: options.source,
        actions: options.actions,
        showStrings: options.showStrings === true,
        metrics: metrics !== undefined,
        origin: () => origin,
        streams,
      });
      return;
    }
    if (metrics?.(request, response)) return;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      reply(response, 405, 'Only GET and HEAD are served here.\n', { Allow: 'GET, HEAD' });
      return;
    }
    const asset = assets.get(path === '/' ? '/index.html' : path);
    if (asset === undefined) {
      reply(response, 404, `Not found: ${path}\n`);
      return;
    }
    sendAsset(request, response, asset);
  };

  if (options.keepAlive !== true) server.on('connection', (socket) => socket.unref());
  const listening = await listen(
    server,
    port,
    host,
    (why, cause) =>
      new DashboardError('ERR_DASHBOARD_LISTEN', `cannot serve the dashboard on ${host}:${port}: ${why}.`, {
        cause,
      }),
  );
  if (options.keepAlive !== true) server.unref();
  access = new AccessCheck(token, listening.port);
  origin = listening.origin;
  return {
    url: `${origin}/`,
    openUrl: `${origin}/?token=${encodeURIComponent(token)}`,
    token,
    host: listening.host,
    port: listening.port,
    close: async () => {
      options.actions?.close();
      for (const stream of streams) stream.close();
      await closeServer(server);
    },
  };
}

function sendAsset(request: IncomingMessage, response: ServerResponse, asset: WebAsset): void {
  const headers: Record<string, string | number> = {
    ...SECURITY_HEADERS,
    'Content-Type': asset.contentType,
    // Revalidated each time (names carry no hash); a 304 costs a few bytes.
    'Cache-Control': 'no-cache',
    ETag: asset.etag,
    Vary: 'Accept-Encoding',
  };
  if (request.headers['if-none-match'] === asset.etag) {
    response.writeHead(304, headers);
    response.end();
    return;
  }
  const gzip = asset.gzip !== undefined && acceptsGzip(request);
  const body = gzip ? asset.gzip! : asset.body;
  if (gzip) headers['Content-Encoding'] = 'gzip';
  headers['Content-Length'] = body.length;
  response.writeHead(200, headers);
  response.end(request.method === 'HEAD' ? undefined : body);
}

function reply(
  response: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  replyText(response, status, text, { ...SECURITY_HEADERS, ...headers });
}
