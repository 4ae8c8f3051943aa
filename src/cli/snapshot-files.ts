import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { FileAccessError } from '../errors.ts';

/**
 * Checks that every path is a readable regular file before any long analysis starts, so a typo in the
 * third of three paths fails at once with a message that names it.
 *
 * @example
 * await checkSnapshotFiles(['a.heapsnapshot', 'b.heapsnapshot']); // throws FileAccessError for a missing one
 */
export async function checkSnapshotFiles(paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    let isFile: boolean;
    let isDirectory: boolean;
    try {
      const stats = await stat(path);
      isFile = stats.isFile();
      isDirectory = stats.isDirectory();
      await access(path, constants.R_OK);
    } catch (error) {
      throw new FileAccessError(path, describeAccessError(path, error), { cause: error });
    }
    if (isDirectory) {
      throw new FileAccessError(
        path,
        `${path} is a directory, not a heap snapshot file: pass the .heapsnapshot files in it.`,
      );
    }
    if (!isFile) {
      throw new FileAccessError(path, `${path} is not a regular file: pass a .heapsnapshot file.`);
    }
  }
}

function describeAccessError(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT')
    return `${path}: no such file. Check the path (heap snapshots usually end in .heapsnapshot).`;
  if (code === 'EACCES' || code === 'EPERM')
    return `${path}: permission denied. Make the file readable for this user.`;
  if (code === 'ENOTDIR') return `${path}: a part of this path is not a directory. Check the path.`;
  const reason = error instanceof Error ? error.message : String(error);
  return `${path}: cannot read it (${reason}).`;
}
