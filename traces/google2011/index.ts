/**
 * Google Borg 2011 (clusterdata-2011-2): headerless CSV tables, each a file or a folder of
 * `part-NNNNN-of-NNNNN.csv.gz` parts in time order. The tables are merged by time and mapped by the
 * shared Borg mapper (docs/traces.md).
 */
import { stat } from 'node:fs/promises';
import { InputError } from '../../engine/api/errors.js';
import {
  FieldParser,
  flattenBatches,
  plainDecimalAt,
  readCsvRowBatches,
  readLineBatches,
  SkipCounter,
  splitCsvLine,
  type CsvRow,
  type Line,
  type OnInvalid,
} from '../input.js';
import type { LossReport, TraceRecord, TraceSource } from '../types.js';
import {
  BORG_STATIC_NOTES,
  BorgMapper,
  mapBorgEvents,
  type BorgEvent,
  type Relation,
  type TaskEventKind,
} from './borg.js';
import { mergeBatches } from './merge.js';
import { GOOGLE_TIME_OFFSET_US, tableEvents, tableFiles } from './tables.js';

export * from './borg.js';
export { mergeBatches, asBatches, type Timed } from './merge.js';

/** The tables of the 2011 trace, in the order they win ties at equal times. */
export const GOOGLE2011_TABLES = [
  'machine_events',
  'machine_attributes',
  'job_events',
  'task_constraints',
  'task_events',
] as const;
/** A 2011 table name. */
export type Google2011Table = (typeof GOOGLE2011_TABLES)[number];

/** Columns of each table (the files have no header). */
export const GOOGLE2011_COLUMNS: Record<Google2011Table, readonly string[]> = {
  machine_events: ['time', 'machine_id', 'event_type', 'platform_id', 'cpus', 'memory'],
  machine_attributes: ['time', 'machine_id', 'attribute_name', 'attribute_value', 'attribute_deleted'],
  job_events: [
    'time',
    'missing_info',
    'job_id',
    'event_type',
    'user',
    'scheduling_class',
    'job_name',
    'logical_job_name',
  ],
  task_constraints: [
    'time',
    'job_id',
    'task_index',
    'attribute_name',
    'comparison_operator',
    'attribute_value',
  ],
  task_events: [
    'time',
    'missing_info',
    'job_id',
    'task_index',
    'machine_id',
    'event_type',
    'user',
    'scheduling_class',
    'priority',
    'cpu_request',
    'memory_request',
    'disk_request',
    'different_machines_restriction',
  ],
};

/** The trace's time of "after the end" (2^63 − 1), as written. */
export const AFTER_TRACE = '9223372036854775807';
export { GOOGLE_TIME_OFFSET_US, tableFiles } from './tables.js';
/** Job and task event types of 2011, by number. */
export const GOOGLE2011_EVENT_TYPES = [
  'SUBMIT',
  'SCHEDULE',
  'EVICT',
  'FAIL',
  'FINISH',
  'KILL',
  'LOST',
  'UPDATE_PENDING',
  'UPDATE_RUNNING',
] as const;
const TASK_KINDS: readonly TaskEventKind[] = [
  'submit',
  'schedule',
  'evict',
  'end',
  'end',
  'end',
  'end',
  'update',
  'update',
];
const MACHINE_OPS = ['add', 'remove', 'update'] as const;
const RELATIONS: readonly Relation[] = ['eq', 'ne', 'lt', 'gt'];

/** Options of {@link readGoogle2011}. */
export interface Google2011Options {
  /** Folder holding the tables (files or folders named after them). */
  readonly trace: string;
  readonly onInvalid?: OnInvalid;
}

/** Microseconds from the trace start of a time field; undefined for "after the trace". */
export function googleTimeUs(p: FieldParser, text: string | undefined): number | undefined {
  if (text === AFTER_TRACE) return undefined;
  const t = p.uint('time', text);
  return t <= GOOGLE_TIME_OFFSET_US ? 0 : t - GOOGLE_TIME_OFFSET_US;
}

function optNum(p: FieldParser, field: string, text: string | undefined): number | undefined {
  return text === '' || text === undefined ? undefined : p.udec(field, text);
}

function optInt(p: FieldParser, field: string, text: string | undefined, max: number): number | undefined {
  if (text === '' || text === undefined) return undefined;
  const v = p.uint(field, text);
  if (v > max) throw p.error(field, `${v} is outside 0..${max}`);
  return v;
}

function id(p: FieldParser, field: string, text: string | undefined): string {
  return String(p.uint(field, text));
}

function eventType(p: FieldParser, text: string | undefined, n: number): number {
  const v = p.uint('event_type', text);
  if (v >= n) throw p.error('event_type', `unknown event type ${v} (want 0..${n - 1})`);
  return v;
}

/** Parses one row of `table` into an event; undefined for a row at "after the trace". */
export function parseGoogle2011Row(table: Google2011Table, file: string, row: CsvRow): BorgEvent | undefined {
  const cols = GOOGLE2011_COLUMNS[table];
  const f = row.fields;
  if (f.length !== cols.length) {
    throw new InputError(
      file,
      row.line,
      undefined,
      `has ${f.length} columns, ${table} has ${cols.length}`,
      'BAD_COLUMN_COUNT',
    );
  }
  const p = new FieldParser(file, row.line);
  const timeUs = googleTimeUs(p, f[0]);
  if (timeUs === undefined) return undefined;
  switch (table) {
    case 'machine_events': {
      const type = p.uint('event_type', f[2]);
      const op = MACHINE_OPS[type];
      if (op === undefined) throw p.error('event_type', `unknown event type ${type} (want 0..2)`);
      return {
        t: 'machine',
        timeUs,
        op,
        machineId: id(p, 'machine_id', f[1]),
        cpu: optNum(p, 'cpus', f[4]),
        memory: optNum(p, 'memory', f[5]),
        platform: f[3]!,
      };
    }
    case 'machine_attributes': {
      const del = f[4];
      if (del !== '0' && del !== '1' && del !== '')
        throw p.error('attribute_deleted', `${JSON.stringify(del)} is not 0 or 1`);
      if (f[2] === '') throw p.error('attribute_name', 'empty');
      return {
        t: 'attr',
        timeUs,
        machineId: id(p, 'machine_id', f[1]),
        name: f[2]!,
        value: f[3]!,
        deleted: del === '1',
      };
    }
    case 'job_events': {
      const type = eventType(p, f[3], GOOGLE2011_EVENT_TYPES.length);
      return {
        t: 'job',
        timeUs,
        kind: TASK_KINDS[type]!,
        jobId: id(p, 'job_id', f[2]),
        schedulingClass: optInt(p, 'scheduling_class', f[5], 3),
        priority: undefined,
        name: f[6]!,
        allocSet: false,
        maxPerMachine: undefined,
        startAfter: [],
        parentId: undefined,
      };
    }
    case 'task_constraints': {
      const op = p.uint('comparison_operator', f[4]);
      const relation = RELATIONS[op];
      if (relation === undefined) throw p.error('comparison_operator', `unknown operator ${op} (want 0..3)`);
      if (f[3] === '') throw p.error('attribute_name', 'empty');
      // Kubernetes compares Lt/Gt as integers: a non-integer bound cannot be expressed.
      if ((relation === 'lt' || relation === 'gt') && !/^-?\d+$/.test(f[5]!))
        throw p.error('attribute_value', `${JSON.stringify(f[5])} is not an integer (needed for < and >)`);
      return {
        t: 'constraint',
        timeUs,
        jobId: id(p, 'job_id', f[1]),
        index: p.uint('task_index', f[2]),
        constraint: { name: f[3]!, value: f[5]!, relation },
      };
    }
    case 'task_events': {
      const type = eventType(p, f[5], GOOGLE2011_EVENT_TYPES.length);
      const dmr = f[12];
      if (dmr !== '0' && dmr !== '1' && dmr !== '')
        throw p.error('different_machines_restriction', `${JSON.stringify(dmr)} is not 0 or 1`);
      if (f[4] !== '') p.uint('machine_id', f[4]);
      return {
        t: 'task',
        timeUs,
        kind: TASK_KINDS[type]!,
        typeName: GOOGLE2011_EVENT_TYPES[type]!,
        jobId: id(p, 'job_id', f[2]),
        index: p.uint('task_index', f[3]),
        schedulingClass: optInt(p, 'scheduling_class', f[7], 3),
        priority: optInt(p, 'priority', f[8], 11),
        cpu: optNum(p, 'cpu_request', f[9]),
        memory: optNum(p, 'memory_request', f[10]),
        disk: optNum(p, 'disk_request', f[11]),
        differentMachines: dmr === '1',
        constraints: undefined,
        allocCollection: undefined,
      };
    }
    default: {
      const never: never = table;
      throw new Error(`unknown table ${String(never)}`);
    }
  }
}

/** Field count of task_events. */
const TASK_COLUMNS = GOOGLE2011_COLUMNS.task_events.length;
/** Start of each field of the line being read, and one past its end (reused: one line at a time). */
const starts = new Int32Array(TASK_COLUMNS);
const ends = new Int32Array(TASK_COLUMNS);

/**
 * The value of `text[start, end)` when it is 1 to 15 ASCII digits; -1 otherwise (including empty).
 * What `FieldParser.uint` returns for such a field, without cutting the field out.
 */
function digitsAt(text: string, start: number, end: number): number {
  if (end <= start || end - start > 15) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** `FieldParser.udec` of a field that {@link plainDecimalAt} reads; undefined when empty; NaN: take the slow path. */
function optDecAt(text: string, start: number, end: number): number | undefined {
  return end === start ? undefined : plainDecimalAt(text, start, end);
}

/**
 * Parses one task_events line as {@link parseGoogle2011Row} parses its fields, reading the numbers
 * straight from the line (no string per field). Lines the fast path is not sure of (quotes, a wrong
 * column count, anything but plain digits and decimals where numbers go, out-of-range values, long or
 * zero-padded ids, "after the trace") are split and parsed the ordinary way, so values, errors and
 * skips are the same. A row already split (a quoted line, see {@link taskEventLineBatches}) is parsed
 * the ordinary way.
 */
export function parseTaskEventLine(file: string, row: Line | CsvRow): BorgEvent | undefined {
  if (!('text' in row)) return parseGoogle2011Row('task_events', file, row);
  const text = row.text;
  let from = 0;
  let n = 0;
  for (;;) {
    const comma = text.indexOf(',', from);
    if (n >= TASK_COLUMNS) return slowTaskEvent(file, row);
    starts[n] = from;
    if (comma < 0) {
      ends[n++] = text.length;
      break;
    }
    ends[n++] = comma;
    from = comma + 1;
  }
  if (n !== TASK_COLUMNS) return slowTaskEvent(file, row);
  const time = digitsAt(text, starts[0]!, ends[0]!);
  const type = digitsAt(text, starts[5]!, ends[5]!);
  const jobStart = starts[2]!;
  const jobEnd = ends[2]!;
  const job = digitsAt(text, jobStart, jobEnd);
  const index = digitsAt(text, starts[3]!, ends[3]!);
  // A job id the slow path would rewrite (leading zeros) or that would be a long slice of the line.
  const jobOk =
    job >= 0 && jobEnd - jobStart < 13 && (jobEnd - jobStart === 1 || text.charCodeAt(jobStart) !== 48);
  if (time < 0 || type < 0 || type >= GOOGLE2011_EVENT_TYPES.length || !jobOk || index < 0)
    return slowTaskEvent(file, row);
  const machineEmpty = starts[4] === ends[4];
  if (!machineEmpty && digitsAt(text, starts[4]!, ends[4]!) < 0) return slowTaskEvent(file, row);
  const dmrLen = ends[12]! - starts[12]!;
  const dmr = dmrLen === 1 ? text.charCodeAt(starts[12]!) : dmrLen === 0 ? 48 : -1;
  if (dmr !== 48 && dmr !== 49) return slowTaskEvent(file, row);
  const classEmpty = starts[7] === ends[7];
  const schedulingClass = classEmpty ? undefined : digitsAt(text, starts[7]!, ends[7]!);
  const priorityEmpty = starts[8] === ends[8];
  const priority = priorityEmpty ? undefined : digitsAt(text, starts[8]!, ends[8]!);
  if (
    (schedulingClass !== undefined && (schedulingClass < 0 || schedulingClass > 3)) ||
    (priority !== undefined && (priority < 0 || priority > 11))
  )
    return slowTaskEvent(file, row);
  const cpu = optDecAt(text, starts[9]!, ends[9]!);
  const memory = optDecAt(text, starts[10]!, ends[10]!);
  const disk = optDecAt(text, starts[11]!, ends[11]!);
  if (Number.isNaN(cpu) || Number.isNaN(memory) || Number.isNaN(disk)) return slowTaskEvent(file, row);
  return {
    t: 'task',
    timeUs: time <= GOOGLE_TIME_OFFSET_US ? 0 : time - GOOGLE_TIME_OFFSET_US,
    kind: TASK_KINDS[type]!,
    typeName: GOOGLE2011_EVENT_TYPES[type]!,
    jobId: text.slice(jobStart, jobEnd),
    index,
    schedulingClass,
    priority,
    cpu,
    memory,
    disk,
    differentMachines: dmr === 49,
    constraints: undefined,
    allocCollection: undefined,
  };
}

function slowTaskEvent(file: string, row: Line): BorgEvent | undefined {
  return parseGoogle2011Row('task_events', file, { line: row.line, fields: row.text.split(',') });
}

/**
 * The lines of a task_events file for {@link parseTaskEventLine}, a chunk at a time; a line with a
 * quote is split here, with csv-parse, as readCsvRowBatches splits it (so bad quoting stays fatal
 * whatever `--on-invalid` says, as in every other table).
 */
export async function* taskEventLineBatches(file: string): AsyncGenerator<(Line | CsvRow)[]> {
  for await (const batch of readLineBatches(file)) {
    const rows: (Line | CsvRow)[] = batch;
    for (let i = 0; i < rows.length; i++) {
      const l = batch[i]!;
      if (l.text.includes('"')) rows[i] = { line: l.line, fields: splitCsvLine(file, l.line, l.text) };
    }
    yield rows;
  }
}

/**
 * Opens a Google 2011 trace folder: records in non-decreasing time, PriorityClasses first. Memory holds
 * live machines, and the tasks of jobs that have not ended.
 */
export function readGoogle2011(opts: Google2011Options): TraceSource {
  const skips = new SkipCounter(opts.onInvalid);
  const loss: LossReport = { format: 'google2011', notes: [...BORG_STATIC_NOTES], skipped: skips.skipped };
  const mapper = new BorgMapper({
    format: 'google2011',
    priorities: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    freeBelow: 2,
  });
  async function* recordBatches(): AsyncGenerator<TraceRecord[]> {
    if (!(await stat(opts.trace)).isDirectory()) {
      throw new InputError(
        opts.trace,
        undefined,
        undefined,
        'google2011 wants a folder of its tables',
        'NO_INPUT',
      );
    }
    const sources: AsyncIterable<BorgEvent[]>[] = [];
    const present: string[] = [];
    for (const table of GOOGLE2011_TABLES) {
      const files = await tableFiles(opts.trace, table);
      if (files.length === 0) continue;
      present.push(table);
      sources.push(
        table === 'task_events'
          ? // The big table: numbers read straight from each line (parseTaskEventLine).
            tableEvents(
              table,
              files,
              { batches: taskEventLineBatches, parse: parseTaskEventLine, line: (row) => row.line },
              skips,
              mapper.counts,
            )
          : tableEvents(
              table,
              files,
              {
                batches: readCsvRowBatches,
                parse: (f, row) => parseGoogle2011Row(table, f, row),
                line: (row) => row.line,
              },
              skips,
              mapper.counts,
            ),
      );
    }
    if (present.length === 0) {
      throw new InputError(
        opts.trace,
        undefined,
        undefined,
        `no google2011 tables (${GOOGLE2011_TABLES.join(', ')})`,
        'NO_INPUT',
      );
    }
    const missing = GOOGLE2011_TABLES.filter((t) => !present.includes(t));
    if (missing.length > 0) loss.notes.push(`tables not present: ${missing.join(', ')}`);
    const first: TraceRecord[] = [];
    mapper.start(first);
    yield first;
    yield* mapBorgEvents(mergeBatches(sources), mapper);
    loss.notes.push(...mapper.notes());
  }
  return { format: 'google2011', records: flattenBatches(recordBatches()), loss };
}
