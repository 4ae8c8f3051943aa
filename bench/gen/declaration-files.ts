import { readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface DeclarationFile {
  path: string;
  bytes: number;
}

/**
 * Every `.d.ts` under the given folders, sorted by path so that two runs type-check the same
 * files in the same order (the heaps they leave are then alike). Symlinked folders are skipped
 * and files are deduplicated by real path: npm links `.bin` entries and workspaces, and a file
 * seen twice would only add duplicate-declaration noise.
 *
 * @example
 * const files = findDeclarationFiles(['bench/node_modules', 'node_modules']);
 */
export function findDeclarationFiles(roots: readonly string[]): DeclarationFile[] {
  const seen = new Set<string>();
  const found: DeclarationFile[] = [];
  const pending = [...roots];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        pending.push(path);
      } else if (entry.isFile() && entry.name.endsWith('.d.ts')) {
        const real = realpathSync(path);
        if (seen.has(real)) continue;
        seen.add(real);
        found.push({ path: real, bytes: statSync(real).size });
      }
    }
  }
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Splits the files into `count` contiguous groups of about the same byte size. Contiguous in
 * path order keeps a package's declarations together, so a group's imports mostly resolve
 * inside it.
 */
export function splitBySize(files: readonly DeclarationFile[], count: number): DeclarationFile[][] {
  const total = files.reduce((sum, file) => sum + file.bytes, 0);
  const groups: DeclarationFile[][] = [];
  let current: DeclarationFile[] = [];
  let currentBytes = 0;
  for (const file of files) {
    current.push(file);
    currentBytes += file.bytes;
    if (currentBytes >= total / count && groups.length < count - 1) {
      groups.push(current);
      current = [];
      currentBytes = 0;
    }
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
