import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DashboardEvent } from './api-types.ts';
import type { DashboardSource } from './dashboard-source.ts';
import { SECURITY_HEADERS } from './security-headers.ts';

/** A comment line this often keeps proxies and the browser from closing an idle stream. */
const HEARTBEAT_MS = 15_000;
/**
 * A client this far behind is dropped rather than buffered without bound (a stalled tab, a
 * suspended laptop); its browser reconnects and the page fetches what it missed.
 */
const MAX_BUFFERED_BYTES = 1 << 20;

/** Each event is serialized once, however many pages listen. */
const serialized = new WeakMap<DashboardEvent, string>();

function serialize(event: DashboardEvent): string {
  let text = serialized.get(event);
  if (text === undefined) {
    text = `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
    serialized.set(event, text);
  }
  return text;
}

/**
 * Server-Sent Events: every event of the source, as `event: <type>` and `data: <json>`, to one
 * browser. Returns when the stream is set up; it ends when the client goes, falls too far behind,
 * or `close()` is called on the returned handle.
 */
export function openEventStream(
  request: IncomingMessage,
  response: ServerResponse,
  source: DashboardSource,
): { close(): void } {
  response.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    // nginx and friends would otherwise hold events back.
    'X-Accel-Buffering': 'no',
  });
  // Reconnect quickly after a restart of memwatcher; the page refetches on `open`.
  response.write('retry: 2000\n: memwatcher dashboard\n\n');
  request.socket.setNoDelay(true);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    clearInterval(heartbeat);
    response.end();
  };
  const send = (text: string) => {
    if (closed) return;
    if (response.writableLength > MAX_BUFFERED_BYTES) {
      close();
      return;
    }
    response.write(text);
  };
  const unsubscribe = source.subscribe((event: DashboardEvent) => send(serialize(event)));
  const heartbeat = setInterval(() => send(': ping\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  request.on('close', close);
  response.on('error', close);
  return { close };
}
