/**
 * Format detection and the single entry point every command uses to open a trace: `openTrace`.
 * Detection looks only at file names and first lines, and only decides when exactly one format fits;
 * otherwise it asks for `--format`.
 */
import { readdirSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { InputError } from '../engine/api/errors.js';
import { flattenBatches, inBatches, readFirstLine, type OnInvalid } from './input.js';
import type { LossReport, TraceMode, TraceRecord, TraceSource } from './types.js';
import { OPENB_NODE_COLUMNS, OPENB_POD_COLUMNS } from './openb/rows.js';
import { readOpenb } from './openb/reader.js';
import { readNative } from './native/index.js';
import { readManifests } from './manifests/index.js';
import { READERS_EXTRA, DLRM_HEADER_PREFIX, PAI_HEADER } from './registry.js';

/** Every format kreplay reads, as named by `--format`. */
export const TRACE_FORMATS = [
  'openb',
  'alibaba2018',
  'google2011',
  'google2019',
  'pai2020',
  'dlrm2025',
  'manifests',
  'native',
] as const;
/** A format name. */
export type TraceFormat = (typeof TRACE_FORMATS)[number];

/** What `openTrace` takes: the shared input flags of CLI.md, already parsed. */
export interface OpenTraceOptions {
  readonly format?: string;
  /** A trace file or folder (google*: a folder of its tables). */
  readonly trace?: string;
  readonly nodes?: string;
  readonly pods?: string;
  /** Manifest files or folders applied at t=0, before the trace. */
  readonly manifests?: string | readonly string[];
  readonly onInvalid?: OnInvalid;
  /** For formats with times: `time-faithful` (default) or `arrival-only`. */
  readonly mode?: TraceMode;
}

/** An opened trace with its format decided. */
export interface OpenedTrace {
  readonly format: TraceFormat;
  readonly records: AsyncIterable<TraceRecord>;
  readonly loss: LossReport;
}

function isFormat(s: string): s is TraceFormat {
  return (TRACE_FORMATS as readonly string[]).includes(s);
}

const OPENB_NODE_HEADER = OPENB_NODE_COLUMNS.join(',');
const OPENB_POD_HEADERS = [OPENB_POD_COLUMNS.join(','), OPENB_POD_COLUMNS.slice(0, 5).join(',')];

async function isDir(path: string): Promise<boolean> {
  return (await stat(path)).isDirectory();
}

/** The format a CSV/JSON file's name or first line tells, if any. */
async function detectFile(path: string): Promise<TraceFormat | undefined> {
  const name = basename(path).toLowerCase();
  if (
    /\.(ndjson|jsonl)(\.gz)?$/.test(name) &&
    !/(instance|collection|machine)_(events|attributes)/.test(name)
  ) {
    const first = await readFirstLine(path);
    if (first === undefined) return 'native';
  }
  if (/\.ya?ml$/.test(name)) return 'manifests';
  if (/^pai_machine_spec/.test(name)) return 'pai2020';
  if (/^(machine_meta|container_meta|batch_task|batch_instance)/.test(name)) return 'alibaba2018';
  const first = (await readFirstLine(path))?.trim();
  if (first === undefined) return undefined;
  if (first === OPENB_NODE_HEADER || OPENB_POD_HEADERS.includes(first)) return 'openb';
  if (first.startsWith(DLRM_HEADER_PREFIX)) return 'dlrm2025';
  if (first === PAI_HEADER) return 'pai2020';
  if (first.startsWith('{')) {
    try {
      const v = JSON.parse(first) as Record<string, unknown>;
      if ('op' in v && 'object' in v && 'time' in v) return 'native';
      if ('apiVersion' in v && 'kind' in v) return 'manifests';
      if ('collection_id' in v || 'machine_id' in v || 'instance_index' in v) return 'google2019';
    } catch {
      // A multi-line JSON document (a manifest written by kubectl) is not one JSON line.
      return /\.json$/.test(name) ? 'manifests' : undefined;
    }
  }
  if (/\.json$/.test(name)) return 'manifests';
  return undefined;
}

/** The format a folder's table names tell, if any. */
async function detectDir(path: string): Promise<TraceFormat | undefined> {
  const names = (await readdir(path)).map((n) => n.toLowerCase());
  const has = (re: RegExp): boolean => names.some((n) => re.test(n));
  const found = new Set<TraceFormat>();
  if (has(/^(machine_meta|container_meta|batch_task|batch_instance)/)) found.add('alibaba2018');
  if (has(/^(instance_events|collection_events)/) || has(/^machine_(events|attributes).*\.json/))
    found.add('google2019');
  if (
    has(/^(task_events|job_events|task_constraints)/) ||
    // machine tables alone are 2011's, unless 2019's collection/instance tables sit beside them
    (has(/^machine_(events|attributes)(\.csv(\.gz)?)?$/) && !found.has('google2019'))
  ) {
    // google2011 tables are folders of part-*.csv.gz files, or single csv files.
    found.add('google2011');
  }
  if (has(/^pai_machine_spec/)) found.add('pai2020');
  if (has(OPENB_NODE_LIST_RE) || has(OPENB_POD_LIST_RE)) found.add('openb');
  if (found.size === 1) return [...found][0];
  return undefined;
}

/**
 * Decides the format of the given inputs: `--format` when given (checked), else from names and first
 * lines when they all agree on one format. Throws an InputError asking for `--format` otherwise.
 */
export async function detectFormat(opts: OpenTraceOptions): Promise<TraceFormat> {
  if (opts.format !== undefined) {
    if (!isFormat(opts.format)) {
      throw new InputError(
        '--format',
        undefined,
        undefined,
        `unknown format ${JSON.stringify(opts.format)}; want one of ${TRACE_FORMATS.join(', ')}`,
        'BAD_FORMAT',
      );
    }
    return opts.format;
  }
  const votes = new Map<TraceFormat, string>();
  const unknown: string[] = [];
  for (const [option, path] of [
    ['--trace', opts.trace],
    ['--nodes', opts.nodes],
    ['--pods', opts.pods],
  ] as const) {
    if (path === undefined) continue;
    const dir = await isDir(path);
    // Only --trace names a folder (google* tables); a list is one file, whatever the format.
    if (dir && option !== '--trace')
      throw new InputError(
        path,
        undefined,
        undefined,
        `is a folder, not a file: ${option} takes one file`,
        'NOT_A_FILE',
      );
    const f = dir ? await detectDir(path) : await detectFile(path);
    if (f) votes.set(f, path);
    else unknown.push(path);
  }
  const manifests = toList(opts.manifests);
  if (votes.size === 0 && unknown.length === 0 && manifests.length > 0) return 'manifests';
  if (votes.size === 1 && unknown.length === 0) return [...votes.keys()][0]!;
  if (votes.size === 0 && unknown.length === 0) {
    throw new InputError(
      'inputs',
      undefined,
      undefined,
      'no input: pass --trace, --nodes/--pods or --manifests',
      'NO_INPUT',
    );
  }
  // An empty file has no name or line to tell by: say it is empty, as a reader given --format would.
  for (const path of unknown)
    if ((await stat(path).catch(() => undefined))?.size === 0)
      throw new InputError(path, 1, undefined, 'empty file: expected a header line', 'BAD_HEADER');
  if (votes.size > 1)
    throw new InputError(
      [...votes.values()][0]!,
      undefined,
      undefined,
      `inputs look like different formats (${[...votes].map(([f, p]) => `${p}: ${f}`).join(', ')}); one replay reads one trace format (nodes from elsewhere can come as --manifests)`,
      'MIXED_FORMATS',
    );
  const what =
    unknown.length === 1
      ? 'cannot tell the format from its name or first line'
      : `cannot tell the format of ${unknown.join(', ')}`;
  throw new InputError(
    unknown[0] ?? [...votes.values()][0]!,
    undefined,
    undefined,
    `${what}; pass --format <${TRACE_FORMATS.join('|')}>`,
    'UNKNOWN_FORMAT',
  );
}

function toList(v: string | readonly string[] | undefined): string[] {
  if (v === undefined) return [];
  return typeof v === 'string' ? [v] : [...v];
}

function need(format: string, what: string, path: string | undefined): string {
  if (path === undefined)
    throw new InputError(
      `--${what}`,
      undefined,
      undefined,
      `format ${format} needs --${what} <path>`,
      'NO_INPUT',
    );
  return path;
}

const OPENB_NODE_LIST_RE = /^openb_node_list.*\.csv(\.gz)?$/;
const OPENB_POD_LIST_RE = /^openb_pod_list.*\.csv(\.gz)?$/;

/** The node list and pod list of an openb folder: at most one of each, named as the trace names them. */
function openbLists(dir: string): { nodes?: string; pods?: string } {
  const names = readdirSync(dir).sort();
  const one = (re: RegExp, what: string, option: string): string | undefined => {
    const found = names.filter((n) => re.test(n));
    if (found.length > 1)
      throw new InputError(
        dir,
        undefined,
        undefined,
        `holds ${found.length} ${what} (${found.join(', ')}): name one with ${option}`,
        'AMBIGUOUS_INPUT',
      );
    return found.length === 1 ? join(dir, found[0]!) : undefined;
  };
  const nodes = one(OPENB_NODE_LIST_RE, 'node lists', '--nodes');
  const pods = one(OPENB_POD_LIST_RE, 'pod lists', '--pods');
  return { ...(nodes ? { nodes } : {}), ...(pods ? { pods } : {}) };
}

/** Opens the inputs of one format (no manifests). */
function openFormat(format: TraceFormat, opts: OpenTraceOptions): TraceSource {
  const onInvalid = opts.onInvalid ?? 'fail';
  switch (format) {
    case 'openb':
      if (!opts.nodes && !opts.pods && opts.trace && statSync(opts.trace).isDirectory()) {
        // A folder of one node list and one pod list (the sample, a `generate --format openb` output).
        const lists = openbLists(opts.trace);
        return readOpenb({ ...lists, onInvalid, ...(opts.mode ? { mode: opts.mode } : {}) });
      }
      if (!opts.nodes && !opts.pods && opts.trace) {
        // A lone openb file given as --trace: its header says nodes or pods.
        return readOpenb({ pods: opts.trace, onInvalid, ...(opts.mode ? { mode: opts.mode } : {}) });
      }
      if (!opts.nodes && !opts.pods) need(format, 'pods', undefined);
      return readOpenb({
        ...(opts.nodes ? { nodes: opts.nodes } : {}),
        ...(opts.pods ? { pods: opts.pods } : {}),
        ...(opts.mode ? { mode: opts.mode } : {}),
        onInvalid,
      });
    case 'native':
      return readNative(need(format, 'trace', opts.trace), { onInvalid });
    case 'manifests':
      return readManifests(toList(opts.manifests ?? opts.trace));
    default:
      return READERS_EXTRA[format](opts, onInvalid);
  }
}

/**
 * Opens a trace from the shared input flags: detects the format (or checks `--format`), opens its
 * reader, and puts `--manifests` objects first at t=0. Records come in non-decreasing `timeUs`; the
 * loss report is complete once they have all been read.
 */
export async function openTrace(opts: OpenTraceOptions): Promise<OpenedTrace> {
  const format = await detectFormat(opts);
  const manifests = toList(opts.manifests);
  if (format === 'manifests' || manifests.length === 0 || (!opts.trace && !opts.nodes && !opts.pods)) {
    const src = openFormat(format, opts);
    return { format, records: src.records, loss: src.loss };
  }
  const pre = readManifests(manifests);
  const main = openFormat(format, opts);
  // A reader's own batches pass through as they are; any other stream goes a record at a time, so that
  // nothing is read ahead of what the consumer takes (a replay stops at --until) and the records before
  // a reader's error still reach it.
  async function* batches(): AsyncGenerator<readonly TraceRecord[]> {
    yield* inBatches(pre.records, 1);
    yield* inBatches(main.records, 1);
  }
  const loss: LossReport = {
    format,
    get notes() {
      return [...pre.loss.notes, ...main.loss.notes];
    },
    skipped: main.loss.skipped,
  };
  return { format, records: flattenBatches(batches()), loss };
}

/** Lists a folder's files matching `re`, sorted by name (table parts are numbered in order). */
export async function listTables(dir: string, re: RegExp): Promise<string[]> {
  const out: string[] = [];
  for (const name of (await readdir(dir)).sort()) {
    if (!re.test(name)) continue;
    const p = join(dir, name);
    if (await isDir(p)) for (const sub of (await readdir(p)).sort()) out.push(join(p, sub));
    else out.push(p);
  }
  return out;
}
