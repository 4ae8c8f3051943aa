import { request } from 'node:http';
import { AttachError } from '../errors.ts';
import { isLoopbackHost, urlHost } from './inspector-address.ts';

/** One debuggable target of `/json/list` (a Node process lists its main thread). */
export interface InspectorTarget {
  readonly id: string;
  readonly title: string;
  readonly url: string;
  readonly webSocketDebuggerUrl: string;
}

/** `null`: nothing listens on the port. */
export type InspectorListing = readonly InspectorTarget[] | null;

/**
 * Reads `http://<host>:<port>/json/list`, the inspector's list of targets. Resolves `null` when
 * nothing listens there; throws `ERR_INSPECTOR_PORT_BUSY` when something that is not an inspector
 * answers (or never answers), and `ERR_INSPECTOR_NOT_LOOPBACK` for a non-loopback host. Plain
 * `node:http` with no agent: a proxy from the environment must never see this request.
 *
 * @example
 * const targets = await readInspectorList('127.0.0.1', 9229, pid);
 * if (targets !== null) console.log(targets[0]?.webSocketDebuggerUrl);
 */
export function readInspectorList(
  host: string,
  port: number,
  pid: number,
  timeoutMs = 2000,
): Promise<InspectorListing> {
  if (!isLoopbackHost(host)) {
    return Promise.reject(
      new AttachError(
        'ERR_INSPECTOR_NOT_LOOPBACK',
        pid,
        `Refusing to reach an inspector on ${host}: memwatcher only talks to inspectors on loopback (127.0.0.1, ::1).`,
      ),
    );
  }
  const where = `${urlHost(host)}:${port}`;
  const busy = (why: string, cause?: unknown) =>
    new AttachError(
      'ERR_INSPECTOR_PORT_BUSY',
      pid,
      `Port ${where} is taken by something that is not a Node inspector (${why}), so process ${pid} cannot open ` +
        'its inspector there. Free the port, or pass --port with the port the process was started with.',
      cause === undefined ? undefined : { cause },
    );
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: urlHost(host).replace(/^\[|\]$/g, ''),
        port,
        path: '/json/list',
        method: 'GET',
        agent: false,
        timeout: timeoutMs,
        headers: { host: where },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          // An inspector lists a handful of targets; megabytes mean something else answers.
          if (size > 1_000_000) req.destroy(busy('its answer is too long'));
          else chunks.push(chunk);
        });
        response.on('end', () => {
          if (response.statusCode !== 200) {
            reject(busy(`HTTP ${response.statusCode} for /json/list`));
            return;
          }
          try {
            resolve(parseTargets(Buffer.concat(chunks).toString('utf8')));
          } catch (error) {
            reject(busy('its /json/list answer is not an inspector target list', error));
          }
        });
        response.on('error', (error) => reject(busy(error.message, error)));
      },
    );
    req.on('timeout', () => req.destroy(busy(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error instanceof AttachError) reject(error);
      else if (error.code === 'ECONNREFUSED') resolve(null);
      else reject(busy(error.message, error));
    });
    req.end();
  });
}

function parseTargets(text: string): InspectorTarget[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new Error('not a JSON array');
  return parsed.map((entry: Record<string, unknown>) => {
    if (typeof entry?.webSocketDebuggerUrl !== 'string')
      throw new Error('a target has no webSocketDebuggerUrl');
    return {
      id: String(entry.id ?? ''),
      title: String(entry.title ?? ''),
      url: String(entry.url ?? ''),
      webSocketDebuggerUrl: entry.webSocketDebuggerUrl,
    };
  });
}

/**
 * The WebSocket URL of a listed target, checked: `ws:` on a loopback host and the port that was
 * asked (an inspector started with a public host would list a URL to it; refuse that).
 */
export function checkedWebSocketUrl(target: InspectorTarget, port: number, pid: number): string {
  let url: URL;
  try {
    url = new URL(target.webSocketDebuggerUrl);
  } catch (cause) {
    throw new AttachError(
      'ERR_INSPECTOR_UNREACHABLE',
      pid,
      `The inspector listed a malformed WebSocket URL: ${target.webSocketDebuggerUrl}.`,
      { cause },
    );
  }
  if (url.protocol !== 'ws:' || !isLoopbackHost(url.hostname) || Number(url.port || 80) !== port) {
    throw new AttachError(
      'ERR_INSPECTOR_NOT_LOOPBACK',
      pid,
      `Refusing the inspector WebSocket ${target.webSocketDebuggerUrl}: memwatcher only connects to ws:// on loopback, port ${port}.`,
    );
  }
  return url.href;
}
