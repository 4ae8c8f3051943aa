import type { MemoryAlert } from './alert.ts';
import { DeliveryFailure, type DeliveryFault, DeliveryQueue } from './delivery-queue.ts';

/**
 * POST each alert as JSON to a URL with the built-in `fetch`. The body is the alert itself plus a
 * `text` field holding its message, which chat webhooks (Slack, Mattermost, Teams connectors) show.
 * @example
 * { url: 'https://hooks.example.com/T000/B000/XXXX', headers: { authorization: 'Bearer …' } }
 */
export interface WebhookOptions {
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Per attempt. Default 5000. An attempt in flight can delay a natural exit by at most this. */
  readonly timeoutMs?: number;
  /** Extra attempts after a network error, a timeout, HTTP 408, 429 or 5xx. Default 3. */
  readonly retries?: number;
  /** First backoff, doubled per attempt (jittered, capped at 60 s). Default 1000. */
  readonly backoffMs?: number;
  /** Alerts waiting while one is sent; beyond it the oldest is dropped. Default 20. */
  readonly queueSize?: number;
}

export type ResolvedWebhookOptions = Required<WebhookOptions>;

export const WEBHOOK_DEFAULTS = { timeoutMs: 5000, retries: 3, backoffMs: 1000, queueSize: 20 } as const;

export function createWebhookSink(
  options: ResolvedWebhookOptions,
  onFault: (fault: DeliveryFault) => void,
): DeliveryQueue<MemoryAlert> {
  const send = async (alert: MemoryAlert, signal: AbortSignal): Promise<void> => {
    let response: Response;
    try {
      response = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'memwatcher', ...options.headers },
        body: JSON.stringify({ text: `[memwatcher] ${alert.message}`, ...alert }),
        signal: AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs)]),
        redirect: 'error',
      });
    } catch (cause) {
      throw new DeliveryFailure(`POST ${redactedUrl(options.url)} failed: ${reasonOf(cause)}`, true, {
        cause,
      });
    }
    // Read the body so the connection goes back to the pool (or closes) instead of lingering.
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) {
      const retryable = response.status >= 500 || response.status === 429 || response.status === 408;
      throw new DeliveryFailure(
        `POST ${redactedUrl(options.url)} answered HTTP ${response.status}`,
        retryable,
      );
    }
  };
  return new DeliveryQueue(
    send,
    {
      name: 'webhook',
      retries: options.retries,
      backoffMs: options.backoffMs,
      maxBackoffMs: 60_000,
      queueSize: options.queueSize,
    },
    onFault,
  );
}

/** Webhook URLs often carry their secret in the path or query: keep it out of messages and logs. */
function redactedUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}/…`;
}

function reasonOf(cause: unknown): string {
  if (cause instanceof Error) {
    if (cause.name === 'TimeoutError') return 'timed out';
    const inner = (cause as Error & { cause?: unknown }).cause;
    return inner instanceof Error ? `${cause.message} (${inner.message})` : cause.message;
  }
  return String(cause);
}
