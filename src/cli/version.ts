import { readFileSync } from 'node:fs';

/**
 * memwatcher's version, read from package.json at run time so it can never disagree with the package.
 * Both `src/cli/` and the compiled `dist/cli/` sit two levels below the package root.
 *
 * @example
 * readVersion(); // '0.1.0'
 */
export function readVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  const version = (JSON.parse(text) as { version?: unknown }).version;
  return typeof version === 'string' ? version : 'unknown';
}
