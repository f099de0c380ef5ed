/**
 * Writes a set of report files as a unit: every file goes to a temp name in the target folder first,
 * and only when all of them are complete are they renamed into place. On any error the temp files
 * are removed, so a failed write never leaves a half-written report behind.
 */
import { renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, KreplayError } from '../engine/api/errors.js';
import { makeOutputDirs } from '../engine/files/make-dirs.js';
import { describeFsError } from '../engine/files/describe.js';

/** One file of a set: its name in the folder and how to write its content to a given path. */
export interface OutputFile {
  name: string;
  write(path: string): Promise<void>;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Writes `files` into `dir` (created if missing) all-or-nothing. Errors of the file system become an
 * {@link InputError} naming the folder or file (`<dir>: cannot write reports: permission denied`).
 */
export async function writeFileSet(dir: string, files: readonly OutputFile[]): Promise<void> {
  makeOutputDirs(dir, 'create the output folder');
  const temps: string[] = [];
  try {
    for (const f of files) {
      const final = join(dir, f.name);
      if (isDirectory(final))
        throw Object.assign(new Error('is a directory'), { code: 'EISDIR', path: final });
      const tmp = join(dir, `.${f.name}.tmp`);
      temps.push(tmp);
      await f.write(tmp);
    }
  } catch (err) {
    for (const t of temps) {
      try {
        rmSync(t, { force: true });
      } catch {
        // Not ours to remove (e.g. a folder in the way); the error below names the cause.
      }
    }
    if (err instanceof KreplayError) throw err;
    const path = (err as NodeJS.ErrnoException).path ?? dir;
    throw new InputError(
      String(path),
      undefined,
      undefined,
      `cannot write reports: ${describeFsError(err)}`,
      'UNWRITABLE',
    );
  }
  files.forEach((f, i) => renameSync(temps[i]!, join(dir, f.name)));
}
