import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { KreplayError } from '../../engine/api/errors.js';

/**
 * A run's output folder, written all-or-nothing: files go to a hidden staging folder inside `dir`
 * and are moved into place by `commit()`; `abort()` (or a crash) leaves no report under its real name.
 */
export class StagedOutput {
  readonly dir: string;
  readonly staging: string;
  /** The first folder `mkdir -p` created, removed again on abort. */
  readonly #created: string | undefined;
  #done = false;

  constructor(dir: string) {
    this.dir = resolve(dir);
    try {
      this.#created = mkdirSync(this.dir, { recursive: true });
      this.staging = mkdtempSync(join(this.dir, '.kreplay-tmp-'));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === 'EACCES' || code === 'EROFS'
          ? 'not writable'
          : code === 'ENOTDIR' || code === 'EEXIST'
            ? 'not a directory'
            : String(code);
      throw new KreplayError('BAD_OUTPUT', `${dir}: cannot write reports there (${why})`);
    }
  }

  /** Path of a file in the staging folder. */
  path(name: string): string {
    return join(this.staging, name);
  }

  /** Moves every staged file into `dir`, replacing older ones of the same name. */
  commit(): void {
    if (this.#done) return;
    for (const name of readdirSync(this.staging).sort())
      renameSync(join(this.staging, name), join(this.dir, name));
    rmSync(this.staging, { recursive: true, force: true });
    this.#done = true;
  }

  abort(): void {
    if (this.#done) return;
    rmSync(this.staging, { recursive: true, force: true });
    // Folders this run created go too, but only while empty: a sibling run may be writing next to us.
    if (this.#created) {
      for (let d = this.dir; d.length >= this.#created.length; d = dirname(d)) {
        try {
          rmdirSync(d);
        } catch {
          break;
        }
      }
    }
    this.#done = true;
  }
}
