/**
 * openb (Alibaba cluster-trace-gpu-v2023) rows, typed and validated, before any mapping to Kubernetes
 * objects. The fill-to-load experiment works on these rows directly.
 */
import { InputError } from '../../engine/api/errors.js';
import {
  expectColumns,
  FieldParser,
  FieldScanner,
  flattenBatches,
  readCsvRowBatches,
  scanCsvLines,
  SeenTexts,
  SkipCounter,
  type CsvLineSink,
  type CsvRow,
  type OnInvalid,
} from '../input.js';

/** One node of an openb node list. */
export interface OpenbNodeRow {
  /** Serial name as written, e.g. `openb-node-0000`. */
  readonly sn: string;
  readonly cpuMilli: number;
  readonly memoryMib: number;
  /** Number of GPU devices (0 for CPU-only nodes). */
  readonly gpu: number;
  /** GPU model, `''` for CPU-only nodes. */
  readonly model: string;
  /** Line in the file, for messages. */
  readonly line: number;
}

/** One pod of an openb pod list. */
export interface OpenbPodRow {
  readonly name: string;
  readonly cpuMilli: number;
  readonly memoryMib: number;
  /** GPU devices wanted; 0 = CPU-only. */
  readonly numGpu: number;
  /** Thousandths of each GPU; < 1000 only with numGpu = 1 (a GPU-sharing pod). */
  readonly gpuMilli: number;
  /** Allowed GPU models, deduplicated in first-seen order; empty = any. */
  readonly gpuSpec: string[];
  /** Alibaba's class (LS, BE, Burstable, Guaranteed), `''` when the list has no qos column. */
  readonly qos: string;
  /** Phase recorded in the trace (for comparison only). */
  readonly phase?: string;
  /** Seconds from the trace's arbitrary origin. */
  readonly creationTime?: number;
  readonly deletionTime?: number;
  /** Absent for pods the trace saw Pending. */
  readonly scheduledTime?: number;
  readonly line: number;
}

/** Columns of the node lists. */
export const OPENB_NODE_COLUMNS = ['sn', 'cpu_milli', 'memory_mib', 'gpu', 'model'] as const;
/** Columns of the full pod lists; the `multigpu*` lists have only the first five. */
export const OPENB_POD_COLUMNS = [
  'name',
  'cpu_milli',
  'memory_mib',
  'num_gpu',
  'gpu_milli',
  'gpu_spec',
  'qos',
  'pod_phase',
  'creation_time',
  'deletion_time',
  'scheduled_time',
] as const;
const OPENB_POD_SHORT = 5;

/** Options of the row readers. */
export interface OpenbRowOptions {
  /** `fail` (default): the first bad row throws its InputError; `skip`: bad rows are counted. */
  readonly onInvalid?: OnInvalid;
  /** Receives the skip counts (pass one to read them after the stream ends). */
  readonly skips?: SkipCounter;
}

const NAME_RE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function checkHeader(file: string, row: CsvRow | undefined, allowed: readonly (readonly string[])[]): number {
  if (!row) throw new InputError(file, 1, undefined, 'empty file: expected a header line', 'BAD_HEADER');
  for (const cols of allowed) {
    if (row.fields.length === cols.length && cols.every((c, i) => row.fields[i] === c)) return cols.length;
  }
  throw new InputError(
    file,
    row.line,
    undefined,
    `unexpected header ${JSON.stringify(row.fields.join(','))}; want ${allowed.map((c) => JSON.stringify(c.join(','))).join(' or ')}`,
    'BAD_HEADER',
  );
}

function parseName(p: FieldParser, field: string, text: string): string {
  if (text.length === 0 || text.length > 253 || !NAME_RE.test(text)) {
    throw p.error(field, `${JSON.stringify(text)} is not a valid Kubernetes object name`);
  }
  return text;
}

/** Parses one node row (the header already checked). Throws InputError naming the column. */
export function parseOpenbNodeRow(file: string, row: CsvRow): OpenbNodeRow {
  expectColumns(file, row, OPENB_NODE_COLUMNS.length);
  const f = row.fields;
  const p = new FieldParser(file, row.line);
  const sn = f[0]!;
  if (sn.length === 0 || !/^[A-Za-z0-9][-A-Za-z0-9._]*$/.test(sn))
    throw p.error('sn', `${JSON.stringify(sn)} is not a node serial`);
  const cpuMilli = p.uint('cpu_milli', f[1]);
  const memoryMib = p.uint('memory_mib', f[2]);
  const gpu = p.uint('gpu', f[3]);
  const model = f[4]!;
  if (model !== '' && !/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(model)) {
    throw p.error('model', `${JSON.stringify(model)} is not a valid label value`);
  }
  if (gpu > 0 && model === '') throw p.error('model', `empty for a node with ${gpu} GPUs`);
  return { sn, cpuMilli, memoryMib, gpu, model, line: row.line };
}

/** Kubernetes' pod phases, the values of the trace's pod_phase column. */
const POD_PHASE_RE = /^(Pending|Running|Succeeded|Failed|Unknown)$/;

/** Parses one pod row of a list with `columns` columns (11 or 5). Throws InputError naming the column. */
export function parseOpenbPodRow(file: string, row: CsvRow, columns: number): OpenbPodRow {
  expectColumns(file, row, columns);
  const f = row.fields;
  const p = new FieldParser(file, row.line);
  const name = parseName(p, 'name', f[0]!);
  const cpuMilli = p.uint('cpu_milli', f[1]);
  const memoryMib = p.uint('memory_mib', f[2]);
  const numGpu = p.uint('num_gpu', f[3]);
  const gpuMilli = p.uint('gpu_milli', f[4]);
  if (numGpu === 0 && gpuMilli !== 0) throw p.error('gpu_milli', `${gpuMilli} with num_gpu 0`);
  if (numGpu > 0 && (gpuMilli === 0 || gpuMilli > 1000))
    throw p.error('gpu_milli', `${gpuMilli} is outside 1..1000`);
  // A pod may share a GPU only when it asks for one: fractions of several GPUs are not a thing.
  if (numGpu > 1 && gpuMilli < 1000) throw p.error('gpu_milli', `${gpuMilli} < 1000 with num_gpu ${numGpu}`);
  if (columns === OPENB_POD_SHORT) {
    return { name, cpuMilli, memoryMib, numGpu, gpuMilli, gpuSpec: [], qos: '', line: row.line };
  }
  const gpuSpec: string[] = [];
  if (f[5] !== '') {
    for (const m of f[5]!.split('|')) {
      if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(m))
        throw p.error('gpu_spec', `${JSON.stringify(f[5])} has an invalid model name`);
      if (!gpuSpec.includes(m)) gpuSpec.push(m);
    }
  }
  const qos = f[6]!;
  if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(qos))
    throw p.error('qos', `${JSON.stringify(qos)} is not a valid label value`);
  const phase = f[7]!;
  if (!POD_PHASE_RE.test(phase))
    throw p.error(
      'pod_phase',
      `${JSON.stringify(phase)} is not a pod phase (Pending, Running, Succeeded, Failed, Unknown)`,
    );
  const creationTime = p.udec('creation_time', f[8]);
  const deletionTime = f[9] === '' ? undefined : p.udec('deletion_time', f[9]);
  const scheduledTime = f[10] === '' ? undefined : p.udec('scheduled_time', f[10]);
  if (deletionTime !== undefined && deletionTime < creationTime) {
    throw p.error('deletion_time', `${deletionTime} is before creation_time ${creationTime}`);
  }
  if (scheduledTime !== undefined && scheduledTime < creationTime)
    throw p.error('scheduled_time', `${scheduledTime} is before creation_time ${creationTime}`);
  if (scheduledTime !== undefined && deletionTime !== undefined && scheduledTime > deletionTime)
    throw p.error('scheduled_time', `${scheduledTime} is after deletion_time ${deletionTime}`);
  // One literal plus conditional fields: object spreads here cost more than the rest of the parsing.
  const out: { -readonly [K in keyof OpenbPodRow]: OpenbPodRow[K] } = {
    name,
    cpuMilli,
    memoryMib,
    numGpu,
    gpuMilli,
    gpuSpec,
    qos,
    phase,
    creationTime,
    line: row.line,
  };
  if (deletionTime !== undefined) out.deletionTime = deletionTime;
  if (scheduledTime !== undefined) out.scheduledTime = scheduledTime;
  return out;
}

/**
 * Parses the rows of a headed CSV file a chunk at a time: `header` checks the first row (its error is
 * never skipped), `row` parses each other row; a bad row goes to `skips` (which rethrows it when
 * failing). When a row throws, the rows parsed before it in its chunk are handed out first, as a
 * row-by-row reader would. Returns false when the file had no row at all.
 */
async function* parsedBatches<T>(
  file: string,
  skips: SkipCounter,
  header: (r: CsvRow) => void,
  row: (r: CsvRow) => T,
): AsyncGenerator<T[], boolean> {
  let first = true;
  for await (const batch of readCsvRowBatches(file)) {
    const out: T[] = [];
    try {
      for (const r of batch) {
        if (first) {
          first = false;
          header(r);
          continue;
        }
        let parsed: T;
        try {
          parsed = row(r);
        } catch (err) {
          skips.handle(err);
          continue;
        }
        out.push(parsed);
      }
    } catch (err) {
      if (out.length > 0) yield out;
      throw err;
    }
    if (out.length > 0) yield out;
  }
  return !first;
}

/** Streams validated node rows of an openb node list (`.gz` accepted), a chunk at a time. */
export async function* openbNodeRowBatches(
  file: string,
  opts: OpenbRowOptions = {},
): AsyncGenerator<OpenbNodeRow[]> {
  const skips = opts.skips ?? new SkipCounter(opts.onInvalid);
  const any = yield* parsedBatches(
    file,
    skips,
    (row) => checkHeader(file, row, [OPENB_NODE_COLUMNS]),
    (row) => parseOpenbNodeRow(file, row),
  );
  if (!any) checkHeader(file, undefined, []);
}

/** Streams validated node rows of an openb node list (`.gz` accepted). */
export function openbNodeRows(file: string, opts: OpenbRowOptions = {}): AsyncIterableIterator<OpenbNodeRow> {
  return flattenBatches(openbNodeRowBatches(file, opts));
}

const scanner = new FieldScanner();

/** True when `text[from, end)` is a Kubernetes object name ({@link NAME_RE}, at most 253 characters). */
function isNameAt(text: string, from: number, end: number): boolean {
  const n = end - from;
  if (n === 0 || n > 253) return false;
  for (let i = from; i < end; i++) {
    const c = text.charCodeAt(i);
    const alnum = (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
    if (!alnum && ((c !== 45 && c !== 46) || i === from || i === end - 1)) return false;
  }
  return true;
}

const LABEL_VALUE_RE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const qosTexts = new SeenTexts(LABEL_VALUE_RE);
const phaseTexts = new SeenTexts(POD_PHASE_RE);

/**
 * {@link parseOpenbPodRow} of the line `text[start, end)` read in place, for the rows it is sure of
 * (plain digits and decimals, values and names that pass every check, no gpu_spec); undefined for any
 * other row, which the caller then splits and parses the ordinary way (so values, errors and skips are
 * parseOpenbPodRow's).
 */
export function scanOpenbPodRow(
  text: string,
  start: number,
  end: number,
  line: number,
  columns: number,
): OpenbPodRow | undefined {
  const f = scanner;
  if (!f.skip(text, start, end) || !isNameAt(text, start, f.end)) return undefined;
  const nameEnd = f.end;
  const cpuMilli = f.digits(text, nameEnd + 1, end);
  if (cpuMilli < 0 || f.end >= end) return undefined;
  const memoryMib = f.digits(text, f.end + 1, end);
  if (memoryMib < 0 || f.end >= end) return undefined;
  const numGpu = f.digits(text, f.end + 1, end);
  if (numGpu < 0 || f.end >= end) return undefined;
  const gpuMilli = f.digits(text, f.end + 1, end);
  if (gpuMilli < 0) return undefined;
  if (numGpu === 0 ? gpuMilli !== 0 : gpuMilli === 0 || gpuMilli > 1000 || (numGpu > 1 && gpuMilli < 1000))
    return undefined;
  if (columns === OPENB_POD_SHORT) {
    if (f.end !== end) return undefined;
    const name = text.slice(start, nameEnd);
    return { name, cpuMilli, memoryMib, numGpu, gpuMilli, gpuSpec: [], qos: '', line };
  }
  // gpu_spec: only the empty one here.
  if (f.end + 1 >= end || text.charCodeAt(f.end + 1) !== 44) return undefined;
  const qosStart = f.end + 2;
  if (!f.skip(text, qosStart, end)) return undefined;
  const qos = qosTexts.get(text, qosStart, f.end);
  const phaseStart = f.end + 1;
  if (qos === undefined || !f.skip(text, phaseStart, end)) return undefined;
  const phase = phaseTexts.get(text, phaseStart, f.end);
  if (phase === undefined) return undefined;
  const creationTime = f.decimal(text, f.end + 1, end);
  if (creationTime < 0 || f.end >= end) return undefined;
  const deletion = f.decimal(text, f.end + 1, end);
  if (deletion === -2 || f.end >= end) return undefined;
  const scheduled = f.decimal(text, f.end + 1, end);
  if (scheduled === -2 || f.end !== end) return undefined;
  if (deletion !== -1 && deletion < creationTime) return undefined;
  if (scheduled !== -1 && (scheduled < creationTime || (deletion !== -1 && scheduled > deletion)))
    return undefined;
  const out: { -readonly [K in keyof OpenbPodRow]: OpenbPodRow[K] } = {
    name: text.slice(start, nameEnd),
    cpuMilli,
    memoryMib,
    numGpu,
    gpuMilli,
    gpuSpec: [],
    qos,
    phase,
    creationTime,
    line,
  };
  if (deletion !== -1) out.deletionTime = deletion;
  if (scheduled !== -1) out.scheduledTime = scheduled;
  return out;
}

/** The pod rows of one list as they are read (see {@link openbPodRowBatches}). */
class PodRows implements CsvLineSink {
  out: OpenbPodRow[] = [];
  columns = 0;
  first = true;

  constructor(
    readonly file: string,
    readonly skips: SkipCounter,
    readonly onHeader: ((columns: number) => void) | undefined,
  ) {}

  add(text: string, start: number, end: number, line: number, fields: string[] | undefined): void {
    if (this.first) {
      this.first = false;
      this.columns = checkHeader(this.file, { line, fields: fields ?? text.slice(start, end).split(',') }, [
        OPENB_POD_COLUMNS,
        OPENB_POD_COLUMNS.slice(0, OPENB_POD_SHORT),
      ]);
      this.onHeader?.(this.columns);
      return;
    }
    try {
      const row =
        (fields === undefined ? scanOpenbPodRow(text, start, end, line, this.columns) : undefined) ??
        parseOpenbPodRow(
          this.file,
          { line, fields: fields ?? text.slice(start, end).split(',') },
          this.columns,
        );
      this.out.push(row);
    } catch (err) {
      this.skips.handle(err);
    }
  }

  take(): OpenbPodRow[] {
    const out = this.out;
    this.out = [];
    return out;
  }
}

/**
 * Streams validated pod rows of an openb pod list (`.gz` accepted), a chunk at a time; `columns` tells
 * the caller whether the list carries times (11) or not (5, the `multigpu*` lists). Rows are read in
 * place ({@link scanOpenbPodRow}); a row that throws hands out the rows before it in its chunk first, as
 * a row-by-row reader would.
 */
export async function* openbPodRowBatches(
  file: string,
  opts: OpenbRowOptions & { onHeader?: (columns: number) => void } = {},
): AsyncGenerator<OpenbPodRow[]> {
  const rows = new PodRows(file, opts.skips ?? new SkipCounter(opts.onInvalid), opts.onHeader);
  try {
    for await (const _ of scanCsvLines(file, rows)) if (rows.out.length > 0) yield rows.take();
  } catch (err) {
    if (rows.out.length > 0) yield rows.take();
    throw err;
  }
  if (rows.first) checkHeader(file, undefined, []);
}

/**
 * Streams validated pod rows of an openb pod list (`.gz` accepted); `columns` tells the caller whether
 * the list carries times (11) or not (5, the `multigpu*` lists).
 */
export function openbPodRows(
  file: string,
  opts: OpenbRowOptions & { onHeader?: (columns: number) => void } = {},
): AsyncIterableIterator<OpenbPodRow> {
  return flattenBatches(openbPodRowBatches(file, opts));
}

/**
 * Reads a whole openb node list into typed rows (node lists are small: ~1,500 rows). Throws an
 * InputError naming file, line and column on the first bad row unless `onInvalid: 'skip'`.
 */
export async function readOpenbNodeRows(file: string, opts: OpenbRowOptions = {}): Promise<OpenbNodeRow[]> {
  const out: OpenbNodeRow[] = [];
  for await (const r of openbNodeRows(file, opts)) out.push(r);
  return out;
}

/**
 * Reads a whole openb pod list into typed rows, in file order (the fill-to-load experiment samples
 * and shuffles them, so it needs them all). Throws an InputError naming file, line and column on the
 * first bad row unless `onInvalid: 'skip'`.
 */
export async function readOpenbPodRows(file: string, opts: OpenbRowOptions = {}): Promise<OpenbPodRow[]> {
  const out: OpenbPodRow[] = [];
  for await (const r of openbPodRows(file, opts)) out.push(r);
  return out;
}
