import { InvalidOptionError } from '../errors.ts';

/**
 * Checks for user-supplied options. Each throws `InvalidOptionError` naming the option by its full
 * path (`alerts.webhook.url`) and saying what is expected, so a typo fails at construction, not at
 * 3 a.m. when the first alert is due.
 */

type Plain = Record<string, unknown>;

/** `value` must be undefined or a plain object with only the `allowed` keys. */
export function checkObject(name: string, value: unknown, allowed: readonly string[]): Plain | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidOptionError(name, `must be an object, got ${describe(value)}.`);
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new InvalidOptionError(
        `${name}.${key}`,
        `unknown option; the known ones are ${allowed.map((k) => `\`${k}\``).join(', ')}.`,
      );
    }
  }
  return value as Plain;
}

export function checkNumber(
  name: string,
  value: unknown,
  range: { readonly min: number; readonly max?: number; readonly integer?: boolean; readonly unit?: string },
): number | undefined {
  if (value === undefined) return undefined;
  const unit = range.unit === undefined ? '' : ` ${range.unit}`;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidOptionError(name, `must be a finite number${unit}, got ${describe(value)}.`);
  }
  if (range.integer === true && !Number.isInteger(value)) {
    throw new InvalidOptionError(name, `must be a whole number${unit}, got ${value}.`);
  }
  if (value < range.min || value > max) {
    const bounds =
      range.max === undefined ? `at least ${range.min}` : `between ${range.min} and ${range.max}`;
    throw new InvalidOptionError(name, `must be ${bounds}${unit}, got ${value}.`);
  }
  return value;
}

export function checkBoolean(name: string, value: unknown): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw new InvalidOptionError(name, `must be true or false, got ${describe(value)}.`);
}

export function checkString(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidOptionError(name, `must be a non-empty string, got ${describe(value)}.`);
  }
  return value;
}

export function checkFunction<T extends (...args: never[]) => unknown>(
  name: string,
  value: unknown,
): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function')
    throw new InvalidOptionError(name, `must be a function, got ${describe(value)}.`);
  return value as T;
}

/** An absolute URL with one of `protocols` (e.g. `['http:', 'https:']`). */
export function checkUrl(name: string, value: unknown, protocols: readonly string[]): URL | undefined {
  const text = checkString(name, value);
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidOptionError(
      name,
      `must be an absolute URL such as ${protocols[0]}//host:port/path, got "${text}".`,
    );
  }
  if (!protocols.includes(url.protocol)) {
    throw new InvalidOptionError(name, `must use ${protocols.join(' or ')}, got "${url.protocol}".`);
  }
  return url;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return `the string "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
