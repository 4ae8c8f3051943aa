/**
 * What the dashboard server and the `/metrics` server share: the address checks, listening with a
 * failure said in words, closing, plain-text replies.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidOptionError } from '../errors.ts';

/** @throws {InvalidOptionError} a host that is not a non-empty string, a port outside 0–65535. */
export function checkListenAddress(host: string, port: number): void {
  if (typeof host !== 'string' || host === '')
    throw new InvalidOptionError('host', 'must be an address or host name.');
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new InvalidOptionError('port', `must be an integer from 0 to 65535 (got ${String(port)}).`);
}

export interface Listening {
  readonly host: string;
  readonly port: number;
  /** `http://127.0.0.1:8080`, `http://[::1]:8080` */
  readonly origin: string;
}

/**
 * Listens on `host:port`. When it cannot, rejects with the error `failure` makes of the reason, in
 * words that say what to do.
 */
export async function listen(
  server: Server,
  port: number,
  host: string,
  failure: (reason: string, cause: NodeJS.ErrnoException) => Error,
): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) => reject(failure(listenFailureReason(error), error));
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { host: address.address, port: address.port, origin: `http://${shownHost}:${address.port}` };
}

/** Stops listening and drops open connections. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export function replyText(
  response: ServerResponse,
  status: number,
  text: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  response.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    ...headers,
  });
  response.end(text);
}

export function acceptsGzip(request: IncomingMessage): boolean {
  return /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
}

function listenFailureReason(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'EADDRINUSE':
      return 'the port is taken by another program; choose another port (or 0 for any free one)';
    case 'EADDRNOTAVAIL':
      return 'that address is not one of this machine; use 127.0.0.1 or an address of this machine';
    case 'EACCES':
      return 'no permission (ports below 1024 need privileges); choose a port above 1024';
    default:
      return error.message;
  }
}
