import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Builds the agent as users get it from npm, from this checkout's sources into `outDir` (never into
 * `dist/`): tsc as `npm run build` runs it, then the agent's bundles of `scripts/bundle-agent.ts`,
 * unless `bundle` is false (one file per module, as tsc emits them).
 */
export function buildAgent(outDir: string, { bundle = true }: { bundle?: boolean } = {}): void {
  try {
    execFileSync(
      join(root, 'node_modules/.bin/tsc'),
      ['-p', join(root, 'tsconfig.build.json'), '--outDir', outDir],
      {
        stdio: 'ignore',
      },
    );
  } catch {
    // tsc emits even when another file of the project has a type error; the agent's files are what count.
  }
  if (bundle) {
    execFileSync(process.execPath, [join(root, 'scripts/bundle-agent.ts'), '--dist', outDir], {
      stdio: 'ignore',
    });
  }
}
