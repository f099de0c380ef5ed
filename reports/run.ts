/**
 * Glue between a run's log and its report files: folding a saved `events.ndjson.gz`, and writing
 * every report of a run (CSVs and report.html) into a folder as one all-or-nothing set.
 */
import { constants } from 'node:fs';
import { access, writeFile } from 'node:fs/promises';
import { verifyLogFile } from '../engine/sim/log-file.js';
import { InputError } from '../engine/api/errors.js';
import type { RunReport, RunTrailer } from './types.js';
import type { ReportFoldOptions } from './fold.js';
import { ReportFold } from './fold.js';
import { runCsvFiles } from './csv.js';
import { renderRunHtml } from './html.js';
import { writeFileSet } from './files.js';

/** Reads a trailer written by the replay; undefined when the fields are missing or mistyped. */
export function trailerOf(t: Record<string, unknown> | undefined): RunTrailer | undefined {
  if (!t || typeof t.wallSeconds !== 'number' || typeof t.eventLogSha256 !== 'string') return undefined;
  return typeof t.events === 'number'
    ? { wallSeconds: t.wallSeconds, eventLogSha256: t.eventLogSha256, events: t.events }
    : { wallSeconds: t.wallSeconds, eventLogSha256: t.eventLogSha256 };
}

/**
 * Folds a saved event log into its reports in one pass that also verifies the chain: the hash and
 * entry count are the chain's, the wall time the trailer's (0 without a usable trailer, so
 * decisionsPerSecond 0). A log whose chain or trailer does not verify is refused; unreadable or
 * malformed files raise an {@link InputError} naming the file (and the line, once lines were read).
 */
export async function foldLogFile(path: string, opts: ReportFoldOptions = {}): Promise<RunReport> {
  try {
    await access(path, constants.R_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file or directory'
        : code === 'EACCES'
          ? 'permission denied'
          : String(code);
    throw new InputError(path, undefined, undefined, why, 'BAD_LOG');
  }
  const fold = new ReportFold(opts);
  let raw: Record<string, unknown> | undefined;
  // A replay always ends its log with a trailer: without one the log was cut short, and reports of
  // part of a run would pass for the whole.
  const v = await verifyLogFile(path, {
    requireTrailer: true,
    onEntry: (e) => fold.consume(e),
    onTrailer: (t) => (raw = t),
  });
  if (!v.ok) throw new InputError(path, v.line, undefined, v.reason, 'BAD_LOG');
  const trailer = trailerOf(raw);
  return fold.finish({ wallSeconds: trailer?.wallSeconds ?? 0, eventLogSha256: v.hash, events: v.entries });
}

/** The names of the files {@link writeRunOutputs} writes. */
export const RUN_REPORT_FILES = [
  'summary.csv',
  'pods.csv',
  'nodes.csv',
  'timeseries.csv',
  'attempts.csv',
  'controlplane.csv',
  'report.html',
] as const;

/**
 * Writes every report of a run into `dir`: summary.csv, pods.csv, nodes.csv, timeseries.csv,
 * attempts.csv, controlplane.csv and report.html, all or none. The replay and `kreplay report` both call this, so a
 * report rebuilt from a saved log is byte-identical to the one the replay wrote.
 */
export async function writeRunOutputs(dir: string, report: RunReport): Promise<void> {
  const html = await renderRunHtml(report);
  await writeFileSet(dir, [
    ...runCsvFiles(report),
    { name: 'report.html', write: (p) => writeFile(p, html, 'utf8') },
  ]);
}
