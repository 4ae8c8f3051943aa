import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { isMemwatcherError } from '../errors.ts';
import type { ActionKind, DashboardInfo } from './api-types.ts';
import type { DashboardSource } from './dashboard-source.ts';
import { openEventStream } from './event-stream.ts';
import { acceptsGzip } from './http-server.ts';
import { SECURITY_HEADERS } from './security-headers.ts';
import type { SnapshotActions } from './snapshot-actions.ts';

const gzipAsync = promisify(gzipCallback);

/** Bodies above this are compressed for clients that accept gzip (a day of samples: MBs of JSON). */
const COMPRESS_ABOVE = 16 * 1024;
const DEFAULT_MAX_POINTS = 2000;
/** A day and a half of 1 s samples: uPlot draws that many smoothly. */
const MAX_MAX_POINTS = 200_000;
const MAX_BODY_BYTES = 4096;

export interface ApiContext {
  readonly source: DashboardSource;
  readonly actions: SnapshotActions | undefined;
  readonly showStrings: boolean;
  readonly metrics: boolean;
  /** `http://127.0.0.1:8080`: POSTs must come from the page itself. */
  readonly origin: () => string;
  readonly streams: Set<{ close(): void }>;
}

class BadRequest extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * The page's JSON API (see `api-types.ts`):
 *
 * - `GET /api/info` — mode, title, what the server can do;
 * - `GET /api/runs` — runs and their processes;
 * - `GET /api/samples?run&pid&from&to&maxPoints` — samples as columns, downsampled to `maxPoints`;
 * - `GET /api/state?run&pid` — verdicts, alerts, GC pauses, snapshots, analyses, actions;
 * - `GET /api/analyses/<id>[?strings=1]` — census and leak suspects of one analysis;
 * - `POST /api/actions` `{ pid, kind: 'snapshot' | 'series' }` — take a snapshot or analyze a series;
 * - `GET /api/events` — Server-Sent Events.
 */
export async function handleApi(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  context: ApiContext,
): Promise<void> {
  try {
    const path = url.pathname;
    if (path === '/api/actions') {
      if (request.method !== 'POST') throw new BadRequest(405, 'POST a JSON body { pid, kind }.');
      await postAction(request, response, context);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD')
      throw new BadRequest(405, 'Only GET and HEAD are served here.');
    const { source } = context;
    const params = url.searchParams;
    if (path === '/api/events') {
      const stream = openEventStream(request, response, source);
      context.streams.add(stream);
      request.on('close', () => context.streams.delete(stream));
      return;
    }
    if (path === '/api/info') {
      const info: DashboardInfo = {
        mode: source.mode,
        title: source.title(),
        snapshots: context.actions !== undefined,
        stringsAllowed: context.showStrings,
        metrics: context.metrics,
      };
      return await sendJson(request, response, 200, info);
    }
    if (path === '/api/runs') return await sendJson(request, response, 200, source.runs());
    if (path === '/api/samples') {
      const run = integer(params, 'run', true)!;
      const maxPoints = integer(params, 'maxPoints', false) ?? DEFAULT_MAX_POINTS;
      if (maxPoints < 1 || maxPoints > MAX_MAX_POINTS)
        throw new BadRequest(400, `maxPoints must be from 1 to ${MAX_MAX_POINTS}.`);
      const series = source.samples(run, integer(params, 'pid', false), {
        from: integer(params, 'from', false),
        to: integer(params, 'to', false),
        maxPoints,
      });
      if (series === undefined) throw new BadRequest(404, 'No such run or process.');
      return await sendJson(request, response, 200, series);
    }
    if (path === '/api/state') {
      const state = source.state(integer(params, 'run', true)!, integer(params, 'pid', false));
      if (state === undefined) throw new BadRequest(404, 'No such run or process.');
      return await sendJson(request, response, 200, state);
    }
    const analysisPath = /^\/api\/analyses\/(\d{1,9})$/.exec(path);
    if (analysisPath !== null) {
      const wantsStrings = params.get('strings') === '1';
      if (wantsStrings && !context.showStrings) {
        throw new BadRequest(
          403,
          'Heap strings are hidden: start memwatcher with --show-strings to allow showing them.',
        );
      }
      const analysis = source.analysis(Number(analysisPath[1]), wantsStrings);
      if (analysis === undefined) throw new BadRequest(404, 'No such analysis (only the latest are kept).');
      return await sendJson(request, response, 200, analysis);
    }
    throw new BadRequest(404, `No such API: ${path}`);
  } catch (error) {
    if (response.headersSent) {
      response.destroy();
      return;
    }
    if (error instanceof BadRequest) {
      await sendJson(request, response, error.status, { error: error.message });
    } else if (isMemwatcherError(error)) {
      const status =
        error.code === 'ERR_DASHBOARD_BUSY' || error.code === 'ERR_DASHBOARD_NO_SNAPSHOTS' ? 409 : 500;
      await sendJson(request, response, status, { error: error.message, code: error.code });
    } else {
      const reason = error instanceof Error ? error.message : String(error);
      await sendJson(request, response, 500, { error: `memwatcher: ${reason}` });
    }
  }
}

async function postAction(request: IncomingMessage, response: ServerResponse, context: ApiContext) {
  // Cross-site requests cannot carry the SameSite=Strict cookie; a page of another origin that has the
  // token (a bearer header) still must not act for the user.
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== context.origin())
    throw new BadRequest(403, 'Actions are accepted from the dashboard page only.');
  if (!/^application\/json\b/i.test(request.headers['content-type'] ?? ''))
    throw new BadRequest(415, 'Send the action as application/json.');
  const body = await readBody(request);
  let parsed: { pid?: unknown; kind?: unknown };
  try {
    parsed = JSON.parse(body) as { pid?: unknown; kind?: unknown };
  } catch {
    throw new BadRequest(400, 'The body is not JSON.');
  }
  const pid = parsed?.pid;
  const kind = parsed?.kind;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0)
    throw new BadRequest(400, 'pid must be a process id.');
  if (kind !== 'snapshot' && kind !== 'series')
    throw new BadRequest(400, "kind must be 'snapshot' or 'series'.");
  if (context.actions === undefined)
    throw new BadRequest(409, 'This dashboard shows history: it cannot take heap snapshots.');
  const action = context.actions.start(pid, kind as ActionKind);
  await sendJson(request, response, 202, action);
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BadRequest(413, 'The body is too large.'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function integer(params: URLSearchParams, name: string, required: boolean): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw === '') {
    if (required) throw new BadRequest(400, `${name} is required.`);
    return undefined;
  }
  if (!/^-?\d{1,16}$/.test(raw)) throw new BadRequest(400, `${name} must be an integer.`);
  return Number(raw);
}

/** JSON with the security headers; compressed when large and the client accepts gzip. */
async function sendJson(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  value: unknown,
): Promise<void> {
  let body = Buffer.from(JSON.stringify(value), 'utf8');
  const headers: Record<string, string | number> = {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  };
  if (body.length > COMPRESS_ABOVE && acceptsGzip(request)) {
    body = await gzipAsync(body, { level: 4 });
    headers['Content-Encoding'] = 'gzip';
    headers.Vary = 'Accept-Encoding';
  }
  headers['Content-Length'] = body.length;
  response.writeHead(status, headers);
  response.end(request.method === 'HEAD' ? undefined : body);
}
