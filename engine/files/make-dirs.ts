import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../api/errors.js';
import { describeFsError } from './describe.js';

/**
 * `mkdir -p`: creates `path` and its missing parents; returns the first folder it created (undefined
 * when `path` already was a folder), as `mkdirSync(path, { recursive: true })` does. Written out
 * because Node 20's recursive mkdir never returns when a parent refuses with ENOENT although it exists
 * (`/proc/x`): here each missing level is created once, top down, and the first refusal is thrown.
 */
export function makeDirs(path: string): string | undefined {
  const missing: string[] = [];
  for (let p = resolve(path); ; p = dirname(p)) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      missing.push(p);
      if (dirname(p) === p) break; // the root itself is missing: mkdir below reports why
      continue;
    }
    if (!isDir)
      throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${p}'`), {
        code: missing.length === 0 ? 'EEXIST' : 'ENOTDIR',
        path: p,
      });
    break;
  }
  for (let i = missing.length - 1; i >= 0; i--) {
    try {
      mkdirSync(missing[i]!);
    } catch (err) {
      // Made meanwhile by another process (parallel cells share parents): as good as made here.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(missing[i]!).isDirectory()) throw err;
    }
  }
  return missing[missing.length - 1];
}

/**
 * {@link makeDirs} for an output folder: a refusal is one InputError naming the folder,
 * `<dir>: cannot <what>: <why in words>`.
 */
export function makeOutputDirs(dir: string, what: string): void {
  try {
    makeDirs(dir);
  } catch (err) {
    throw new InputError(dir, undefined, undefined, `cannot ${what}: ${describeFsError(err)}`, 'UNWRITABLE');
  }
}
