import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { DashboardError } from '../errors.ts';

export interface WebAsset {
  readonly body: Buffer;
  /** Smaller than `body` when it was worth compressing. */
  readonly gzip: Buffer | undefined;
  readonly contentType: string;
  readonly etag: string;
}

const gzipAsync = promisify(gzipCallback);

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/**
 * Where `npm run build:web` puts the page: `dist/web/` beside the compiled server (`dist/server/`);
 * from the sources (`src/server/*.ts`), the same `dist/web/` at the repository's root.
 */
function defaultWebDir(): string {
  const relative = import.meta.url.endsWith('.ts') ? '../../dist/web/' : '../web/';
  return fileURLToPath(new URL(relative, import.meta.url));
}

/**
 * Reads the built page into memory once (a few hundred KB), compressed once: serving it costs no
 * disk reads and no compression per request.
 * @throws {DashboardError} `ERR_DASHBOARD_ASSETS` when the page was not built.
 */
export async function loadWebAssets(dir = defaultWebDir()): Promise<Map<string, WebAsset>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (cause) {
    throw missing(dir, cause);
  }
  if (!names.includes('index.html')) throw missing(dir);
  const assets = new Map<string, WebAsset>();
  for (const name of names) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType === undefined) continue;
    const body = await readFile(join(dir, name));
    // Off the main thread (libuv's pool): `watcher.serve()` runs this inside the user's process.
    const gzip = body.length > 1024 ? await gzipAsync(body, { level: 9 }) : undefined;
    assets.set(`/${name}`, {
      body,
      gzip: gzip !== undefined && gzip.length < body.length ? gzip : undefined,
      contentType,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    });
  }
  return assets;
}

function missing(dir: string, cause?: unknown): DashboardError {
  return new DashboardError(
    'ERR_DASHBOARD_ASSETS',
    `the dashboard's page is not built (no index.html in ${dir}); run 'npm run build:web' in the memwatcher package.`,
    cause === undefined ? undefined : { cause },
  );
}
