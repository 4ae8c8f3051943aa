import { formatBytes } from '../human-format.ts';
import type { MemoryAlert } from './alert.ts';
import { DeliveryFailure, type DeliveryFault, DeliveryQueue } from './delivery-queue.ts';

/** SMTP server settings, as nodemailer's SMTP transport takes them. */
export interface SmtpOptions {
  readonly host: string;
  /** Default 587, or 465 when `secure`. */
  readonly port?: number;
  /** TLS from the start (port 465). Otherwise STARTTLS is used when the server offers it. */
  readonly secure?: boolean;
  readonly auth?: { readonly user: string; readonly pass: string };
  /** Refuse to send without STARTTLS. */
  readonly requireTLS?: boolean;
}

/**
 * Send each alert as an email through SMTP with `nodemailer`, an optional peer dependency loaded
 * with `import()` the first time an email goes out (install it: `npm install nodemailer`).
 * @example
 * { from: 'memwatcher@example.com', to: ['oncall@example.com'], smtp: 'smtps://user:pass@smtp.example.com' }
 */
export interface EmailOptions {
  readonly from: string;
  readonly to: string | readonly string[];
  /** An `smtp://` / `smtps://` URL, or the server settings. */
  readonly smtp: string | SmtpOptions;
  /** Default "[memwatcher]". */
  readonly subjectPrefix?: string;
  /** Connection, greeting and socket timeout per attempt. Default 10000. */
  readonly timeoutMs?: number;
  /** Extra attempts after a failure. Default 2. */
  readonly retries?: number;
  /** First backoff, doubled per attempt. Default 5000. */
  readonly backoffMs?: number;
  /** Alerts waiting while one is sent. Default 10. */
  readonly queueSize?: number;
}

export type ResolvedEmailOptions = Required<EmailOptions>;

export const EMAIL_DEFAULTS = {
  subjectPrefix: '[memwatcher]',
  timeoutMs: 10_000,
  retries: 2,
  backoffMs: 5000,
  queueSize: 10,
} as const;

/** The part of nodemailer we use; typed here so nodemailer's types are not needed to build. */
interface Mailer {
  sendMail(message: {
    from: string;
    to: string | readonly string[];
    subject: string;
    text: string;
  }): Promise<unknown>;
  close(): void;
}
interface NodemailerModule {
  createTransport(options: unknown): Mailer;
}

/** Whether nodemailer can be loaded from here; checked at construction so a missing peer fails early. */
export function nodemailerInstalled(): boolean {
  try {
    import.meta.resolve(NODEMAILER);
    return true;
  } catch {
    return false;
  }
}

// A variable, not a literal: bundlers must not pull the optional peer into the agent.
const NODEMAILER = 'nodemailer';

export function createEmailSink(
  options: ResolvedEmailOptions,
  onFault: (fault: DeliveryFault) => void,
): { readonly queue: DeliveryQueue<MemoryAlert>; close(): void } {
  let mailer: Promise<Mailer> | undefined;
  let closed = false;
  const load = async (): Promise<Mailer> => {
    let nodemailer: NodemailerModule;
    try {
      const loaded = (await import(NODEMAILER)) as NodemailerModule & { default?: NodemailerModule };
      nodemailer = typeof loaded.createTransport === 'function' ? loaded : loaded.default!;
    } catch (cause) {
      throw new DeliveryFailure(
        'nodemailer could not be loaded; install it with `npm install nodemailer`',
        false,
        {
          cause,
        },
      );
    }
    const timeouts = {
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
      dnsTimeout: options.timeoutMs,
    };
    const transport =
      typeof options.smtp === 'string'
        ? { url: options.smtp, ...timeouts }
        : { ...options.smtp, ...timeouts };
    return nodemailer.createTransport(transport);
  };
  const send = async (alert: MemoryAlert): Promise<void> => {
    mailer ??= load();
    let transport: Mailer;
    try {
      transport = await mailer;
    } catch (error) {
      mailer = undefined;
      throw error;
    }
    if (closed) return;
    try {
      await transport.sendMail({
        from: options.from,
        to: options.to,
        subject: `${options.subjectPrefix} ${alert.severity}: ${alert.message}`.slice(0, 200),
        text: emailBody(alert),
      });
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      const permanent =
        typeof (cause as { responseCode?: unknown }).responseCode === 'number' &&
        (cause as { responseCode: number }).responseCode >= 500;
      throw new DeliveryFailure(`SMTP: ${reason}`, !permanent, { cause });
    }
  };
  const queue = new DeliveryQueue(
    send,
    {
      name: 'email',
      retries: options.retries,
      backoffMs: options.backoffMs,
      maxBackoffMs: 5 * 60_000,
      queueSize: options.queueSize,
    },
    onFault,
  );
  return {
    queue,
    close() {
      closed = true;
      queue.close();
      mailer?.then((m) => m.close()).catch(() => undefined);
    },
  };
}

function emailBody(alert: MemoryAlert): string {
  const m = alert.memory;
  const lines = [
    alert.message,
    '',
    `process ${alert.pid} on ${alert.hostname}, ${new Date(alert.time).toISOString()}`,
    `rule ${alert.rule}${alert.subject === undefined ? '' : ` (${alert.subject})`}, severity ${alert.severity}`,
    '',
    `rss          ${formatBytes(m.rss)}`,
    `heap used    ${formatBytes(m.heapUsed)} of ${formatBytes(m.heapTotal)} (limit ${formatBytes(m.heapLimit)})`,
    `heap floor   ${m.heapFloor === undefined ? 'unknown (no major GC yet)' : formatBytes(m.heapFloor)}`,
    `external     ${formatBytes(m.external)} (ArrayBuffers ${formatBytes(m.arrayBuffers)})`,
  ];
  if (alert.verdict !== undefined) lines.push('', `verdict: ${alert.verdict.summary}`);
  if (alert.topGrowingClasses !== undefined && alert.topGrowingClasses.length > 0) {
    lines.push('', 'top growing classes:');
    for (const c of alert.topGrowingClasses) {
      const bytes = c.bytesDelta === undefined ? '' : `, +${formatBytes(c.bytesDelta)}`;
      lines.push(`  ${c.name}: ${c.count} live (+${c.countDelta}${bytes})`);
    }
  }
  return `${lines.join('\n')}\n`;
}
