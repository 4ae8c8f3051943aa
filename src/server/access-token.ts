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
  /** Whether `given` is the token, in constant time. */
  readonly matches: (given: string | undefined) => boolean;

  /** @throws {InvalidOptionError} see {@link checkAccessToken}. */
  constructor(token: string, port: number) {
    this.matches = tokenMatcher(checkAccessToken(token));
    this.cookieName = `memwatcher-${port}`;
  }

  /** Whether the request carries the token (cookie or bearer header). */
  allows(request: IncomingMessage): boolean {
    // Both compared every time: the time taken does not say which one was present.
    const bearerMatches = this.matches(bearerToken(request.headers.authorization));
    const cookieMatches = this.matches(cookieValue(request.headers.cookie, this.cookieName));
    return bearerMatches || cookieMatches;
  }

  /** The `Set-Cookie` value that lets a browser in: not readable by scripts, never sent cross-site. */
  cookie(token: string): string {
    return `${this.cookieName}=${token}; Path=/; HttpOnly; SameSite=Strict`;
  }
}

/**
 * Whether a given token is `token`. Both sides are hashed first, which gives `timingSafeEqual` the
 * equal lengths it requires; a missing token is compared too, so it takes as long as a wrong one.
 *
 * @example
 * const matches = tokenMatcher(token);
 * if (!matches(bearerToken(request.headers.authorization))) return reply401(response);
 */
export function tokenMatcher(token: string): (given: string | undefined) => boolean {
  const expected = digest(token);
  return (given) => timingSafeEqual(digest(given ?? ''), expected) && given !== undefined;
}

/** The token of an `Authorization: Bearer <token>` header (the scheme in any case), if that is what it holds. */
export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '')?.[1];
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
