import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../../engine/api/errors.js';
import type { SkipCounter } from '../input.js';
import type { BorgEvent } from './borg.js';

/** Borg trace times start 600 s before the trace window: time 0 of kreplay is that offset. */
export const GOOGLE_TIME_OFFSET_US = 600_000_000;

/** The files of one table inside `dir` (a file `<table>.csv[.gz]`, `<table>-*.csv[.gz]`, or a folder of parts). */
export async function tableFiles(dir: string, table: string): Promise<string[]> {
  const re = new RegExp(`^${table}($|[-_.])`);
  const out: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    if (!re.test(name)) continue;
    const p = join(dir, name);
    if ((await stat(p)).isDirectory()) {
      for (const sub of (await readdir(p)).sort()) if (!sub.startsWith('.')) out.push(join(p, sub));
    } else out.push(p);
  }
  return out;
}

/** How one Borg table format reads: batches of rows per file, and a row's parse and line number. */
export interface TableFormat<R> {
  batches(file: string): AsyncIterable<R[]>;
  /** The event of a row; undefined for a row "after the trace" (time 2^63 − 1). */
  parse(file: string, row: R): BorgEvent | undefined;
  line(row: R): number;
}

/**
 * Streams the parsed events of one table (all its parts, in name order) as batches, checking that
 * time never goes backwards (the published tables are sorted by time). Bad rows go to `skips`.
 */
export async function* tableEvents<R>(
  table: string,
  files: readonly string[],
  format: TableFormat<R>,
  skips: SkipCounter,
  counts: { afterTrace: number },
): AsyncGenerator<BorgEvent[]> {
  let last = 0;
  for (const file of files) {
    for await (const rows of format.batches(file)) {
      const out: BorgEvent[] = [];
      for (const row of rows) {
        try {
          const ev = format.parse(file, row);
          if (ev === undefined) {
            counts.afterTrace++;
            continue;
          }
          if (ev.timeUs < last) {
            throw new InputError(
              file,
              format.line(row),
              'time',
              `goes backwards (${ev.timeUs + GOOGLE_TIME_OFFSET_US} after ${last + GOOGLE_TIME_OFFSET_US}); ${table} must be sorted by time`,
            );
          }
          last = ev.timeUs;
          out.push(ev);
        } catch (err) {
          skips.handle(err);
        }
      }
      if (out.length > 0) yield out;
    }
  }
}
