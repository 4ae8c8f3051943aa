import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FileAccessError } from '../errors.ts';

/**
 * Writes a report or chart: created 0600 under a temporary name beside the target, then renamed, so
 * a browser or a script never reads half a file and a failure leaves the old file as it was.
 *
 * @example
 * await writeOutputFile('report.html', html);
 */
export async function writeOutputFile(file: string, contents: string | Uint8Array): Promise<void> {
  const temporary = join(dirname(file), `.${basename(file)}.${randomBytes(4).toString('hex')}.partial`);
  try {
    await writeFile(temporary, contents, { mode: 0o600, flag: 'wx' });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? `the directory ${dirname(file)} does not exist`
        : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
          ? `${dirname(file)} is not writable`
          : code === 'EISDIR'
            ? `${file} is a directory`
            : code === 'ENOSPC'
              ? 'the disk is full'
              : (error as Error).message;
    throw new FileAccessError(file, `Cannot write ${file}: ${why}.`, { cause: error });
  }
}
