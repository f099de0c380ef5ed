import { lstatSync, mkdtempSync, readdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { KreplayError } from '../../engine/api/errors.js';
import { makeDirs } from '../../engine/files/make-dirs.js';
import { removeOnInterrupt } from '../../engine/files/interrupt-cleanup.js';
import { describeFsError } from '../../engine/files/describe.js';

/**
 * A run's output folder, written all-or-nothing: files go to a hidden staging folder inside `dir`
 * and are moved into place by `commit()`; `abort()` (or a crash) leaves no report under its real name.
 */
export class StagedOutput {
  readonly dir: string;
  readonly staging: string;
  /** Stops the interrupt cleanup from removing the staging folder (once commit or abort did). */
  #release: () => void = () => {};
  /** The first folder `mkdir -p` created, removed again on abort. */
  readonly #created: string | undefined;
  #done = false;

  constructor(dir: string) {
    this.dir = resolve(dir);
    try {
      this.#created = makeDirs(this.dir);
      this.staging = mkdtempSync(join(this.dir, '.kreplay-tmp-'));
      this.#release = removeOnInterrupt(this.staging);
    } catch (err) {
      throw new KreplayError('BAD_OUTPUT', `${dir}: cannot write reports there (${describeFsError(err)})`);
    }
  }

  /** Path of a file in the staging folder. */
  path(name: string): string {
    return join(this.staging, name);
  }

  /**
   * Moves every staged entry into `dir`, replacing older ones of the same name — all or none: a
   * folder in the way of a file fails before anything moves, and a rename that fails puts back what
   * was already moved (the older entries included). A staged folder replaces the folder of its name
   * whole (a comparison's `runs/`). Errors name the report's real path.
   */
  commit(): void {
    if (this.#done) return;
    const names = readdirSync(this.staging).sort();
    for (const name of names) {
      const target = join(this.dir, name);
      let isDir = false;
      try {
        isDir = lstatSync(target).isDirectory();
      } catch {
        // Nothing there yet.
      }
      if (isDir && !lstatSync(this.path(name)).isDirectory())
        throw new KreplayError(
          'BAD_OUTPUT',
          `${target}: cannot write the report there (a folder is in the way)`,
        );
    }
    const old = mkdtempSync(join(this.dir, '.kreplay-old-'));
    const placed: string[] = [];
    const kept: string[] = [];
    try {
      for (const name of names) {
        const target = join(this.dir, name);
        try {
          renameSync(target, join(old, name));
          kept.push(name);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
        renameSync(join(this.staging, name), target);
        placed.push(name);
      }
    } catch (err) {
      for (const name of placed) rmSync(join(this.dir, name), { recursive: true, force: true });
      for (const name of kept) renameSync(join(old, name), join(this.dir, name));
      rmSync(old, { recursive: true, force: true });
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new KreplayError(
        'BAD_OUTPUT',
        `${this.dir}: cannot write reports there (${code}); nothing was changed`,
      );
    }
    rmSync(old, { recursive: true, force: true });
    rmSync(this.staging, { recursive: true, force: true });
    this.#release();
    this.#done = true;
  }

  abort(): void {
    if (this.#done) return;
    rmSync(this.staging, { recursive: true, force: true });
    this.#release();
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
