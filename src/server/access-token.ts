import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { InvalidOptionError } from '../errors.ts';

/**
 * A fresh token for a dashboard started without `--token`: 192 random bits, URL-safe.
 *
 * @example
 * const token = newAccessToken(); // 'q8S0…' (32 characters)
 */
export function newAccessToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Who may use the dashboard: requests that carry the token, as the cookie the page got when it was
 * opened with `?token=…`, or as `Authorization: Bearer …` (scripts, Prometheus). Every comparison
 * hashes both sides and compares the digests with `timingSafeEqual`, so neither a token's length
 * nor its first differing byte shows in the time taken, and a missing token takes as long as a
 * wrong one.
 *
 * @example
 * const access = new AccessCheck(token, 8080);
 * if (!access.allows(request)) return reply401(response);
 */
export class AccessCheck {
  /** Per port: two dashboards on one host must not overwrite each other's cookie. */
  readonly cookieName: string;
  private readonly expected: Buffer;

  /** @throws {InvalidOptionError} see {@link checkAccessToken}. */
  constructor(token: string, port: number) {
    this.expected = digest(checkAccessToken(token));
    this.cookieName = `memwatcher-${port}`;
  }

  /** Whether the request carries the token (cookie or bearer header). */
  allows(request: IncomingMessage): boolean {
    const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(request.headers.authorization ?? '')?.[1];
    const cookie = cookieValue(request.headers.cookie, this.cookieName);
    // Both compared every time: the time taken does not say which one was present.
    const bearerMatches = this.matches(bearer);
    const cookieMatches = this.matches(cookie);
    return bearerMatches || cookieMatches;
  }

  /** Whether `given` is the token, in constant time. */
  matches(given: string | undefined): boolean {
    return timingSafeEqual(digest(given ?? ''), this.expected) && given !== undefined;
  }

  /** The `Set-Cookie` value that lets a browser in: not readable by scripts, never sent cross-site. */
  cookie(token: string): string {
    return `${this.cookieName}=${token}; Path=/; HttpOnly; SameSite=Strict`;
  }
}

/**
 * A token must fit in a cookie and a header unchanged, and be long enough not to be guessed.
 * @throws {InvalidOptionError} when it is not 16 to 4096 visible ASCII characters, or holds `;`, `,`, `"`, `\`.
 */
export function checkAccessToken(token: string): string {
  if (typeof token !== 'string' || !/^[\x21-\x7e]{16,4096}$/.test(token) || /[;,"\\]/.test(token)) {
    throw new InvalidOptionError(
      'token',
      'must be 16 to 4096 visible ASCII characters without spaces, quotes, commas, semicolons or backslashes.',
    );
  }
  return token;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const equals = part.indexOf('=');
    if (equals !== -1 && part.slice(0, equals).trim() === name) return part.slice(equals + 1).trim();
  }
  return undefined;
}
