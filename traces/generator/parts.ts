/**
 * Streaming writers of a table split into gzip parts, the layout of the Google traces: a folder per
 * table holding `part-NNNNN-of-MMMMM.csv.gz` (or `.json.gz`). Writes respect back-pressure, so memory
 * stays flat however many rows go through.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { createGzip, type Gzip } from 'node:zlib';
import { makeDirs } from '../../engine/files/make-dirs.js';

/** Rows per part file of the generated Google tables. */
export const ROWS_PER_PART = 1_000_000;

const FLUSH_CHARS = 1 << 16;

/** Writes one table as numbered gzip parts; `close()` renames them to `part-i-of-n`. */
export class PartWriter {
  readonly #dir: string;
  readonly #ext: string;
  readonly #rowsPerPart: number;
  #gzip: Gzip | undefined;
  #file: WriteStream | undefined;
  #buf = '';
  #rows = 0;
  #parts = 0;
  /** Rows written so far. */
  total = 0;

  constructor(dir: string, ext: 'csv' | 'json', rowsPerPart = ROWS_PER_PART) {
    this.#dir = dir;
    this.#ext = ext;
    this.#rowsPerPart = rowsPerPart;
  }

  #tmpName(i: number): string {
    return join(this.#dir, `part-${String(i).padStart(5, '0')}.tmp.gz`);
  }

  async #open(): Promise<void> {
    if (this.#parts === 0) makeDirs(this.#dir);
    this.#gzip = createGzip({ level: 1 });
    this.#file = createWriteStream(this.#tmpName(this.#parts));
    this.#gzip.pipe(this.#file);
    this.#parts++;
    this.#rows = 0;
  }

  async #drain(): Promise<void> {
    if (!this.#gzip || this.#buf.length === 0) return;
    const ok = this.#gzip.write(this.#buf);
    this.#buf = '';
    if (!ok) await once(this.#gzip, 'drain');
  }

  async #finishPart(): Promise<void> {
    await this.#drain();
    const file = this.#file!;
    this.#gzip!.end();
    await once(file, 'close');
    this.#gzip = undefined;
    this.#file = undefined;
  }

  /** Appends one line (without its newline). */
  async write(line: string): Promise<void> {
    if (!this.#gzip || this.#rows >= this.#rowsPerPart) {
      if (this.#gzip) await this.#finishPart();
      await this.#open();
    }
    this.#buf += line + '\n';
    this.#rows++;
    this.total++;
    if (this.#buf.length >= FLUSH_CHARS) await this.#drain();
  }

  /** Finishes the last part and names every part `part-<i>-of-<n>.<ext>.gz`; returns the files. */
  async close(): Promise<string[]> {
    if (this.#gzip) await this.#finishPart();
    if (this.#parts === 0) {
      // An empty table is one empty part, as the published traces have.
      await this.#open();
      await this.#finishPart();
    }
    const n = this.#parts;
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const name = join(
        this.#dir,
        `part-${String(i).padStart(5, '0')}-of-${String(n).padStart(5, '0')}.${this.#ext}.gz`,
      );
      await rename(this.#tmpName(i), name);
      out.push(name);
    }
    return out;
  }

  /** Removes what was written (after a failure). */
  async abort(): Promise<void> {
    this.#gzip?.destroy();
    this.#file?.destroy();
    await rm(this.#dir, { recursive: true, force: true });
  }
}
