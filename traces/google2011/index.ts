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
  FieldScanner,
  readCsvRowBatches,
  scanCsvLines,
  SkipCounter,
  type CsvLineSink,
  type CsvRow,
  type Line,
  type OnInvalid,
} from '../input.js';
import type { LossReport, TraceRecord, TraceSource } from '../types.js';
import {
  BORG_STATIC_NOTES,
  BorgMapper,
  mapBorgEvents,
  type BorgCounts,
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

/*
 * task_events, the big table, is read straight out of each decoded chunk: a line's fields are scanned
 * in place (no line string, no string per field) into the variables below, and only lines the scan is
 * not sure of are cut out and parsed by parseGoogle2011Row.
 */
let sTimeUs = 0;
let sType = 0;
let sJobStart = 0;
let sJobEnd = 0;
let sIndex = 0;
let sClass: number | undefined;
let sPriority: number | undefined;
let sCpu: number | undefined;
let sMemory: number | undefined;
let sDisk: number | undefined;
let sDmr = false;
const scanner = new FieldScanner();

/**
 * Reads the task_events line `text[start, end)` into the scan variables when every field is one the
 * fast path is sure of: 13 columns, plain digits and short plain decimals where numbers go, values in
 * range, a short job id without leading zeros (kept as its own text), a time before "after the
 * trace". False otherwise: the caller then parses the line's fields the ordinary way, so values,
 * errors and skips are parseGoogle2011Row's.
 */
function scanTaskEvent(text: string, start: number, end: number): boolean {
  const f = scanner;
  const time = f.digits(text, start, end);
  if (time < 0 || f.end >= end) return false;
  // missing_info: not read.
  if (!f.skip(text, f.end + 1, end)) return false;
  const jobStart = f.end + 1;
  const job = f.digits(text, jobStart, end);
  const jobEnd = f.end;
  // A job id the slow path would rewrite (leading zeros) or that would be a long slice of the line.
  const jobLen = jobEnd - jobStart;
  if (job < 0 || jobLen >= 13 || (jobLen > 1 && text.charCodeAt(jobStart) === 48) || jobEnd >= end)
    return false;
  const index = f.digits(text, jobEnd + 1, end);
  if (index < 0 || f.end >= end) return false;
  const machine = f.digits(text, f.end + 1, end);
  if (machine === -2 || f.end >= end) return false;
  const type = f.digits(text, f.end + 1, end);
  if (type < 0 || type >= GOOGLE2011_EVENT_TYPES.length || f.end >= end) return false;
  // user: not read.
  if (!f.skip(text, f.end + 1, end)) return false;
  const cls = f.digits(text, f.end + 1, end);
  if (cls === -2 || cls > 3 || f.end >= end) return false;
  const priority = f.digits(text, f.end + 1, end);
  if (priority === -2 || priority > 11 || f.end >= end) return false;
  const cpu = f.decimal(text, f.end + 1, end);
  if (cpu === -2 || f.end >= end) return false;
  const memory = f.decimal(text, f.end + 1, end);
  if (memory === -2 || f.end >= end) return false;
  const disk = f.decimal(text, f.end + 1, end);
  if (disk === -2 || f.end >= end) return false;
  // different_machines_restriction, the last column: "", "0" or "1" (a comma here is a 14th column).
  const dmrStart = f.end + 1;
  const dmr = dmrStart === end ? 48 : dmrStart === end - 1 ? text.charCodeAt(dmrStart) : -1;
  if (dmr !== 48 && dmr !== 49) return false;
  sTimeUs = time <= GOOGLE_TIME_OFFSET_US ? 0 : time - GOOGLE_TIME_OFFSET_US;
  sType = type;
  sJobStart = jobStart;
  sJobEnd = jobEnd;
  sIndex = index;
  sClass = cls === -1 ? undefined : cls;
  sPriority = priority === -1 ? undefined : priority;
  sCpu = cpu === -1 ? undefined : cpu;
  sMemory = memory === -1 ? undefined : memory;
  sDisk = disk === -1 ? undefined : disk;
  sDmr = dmr === 49;
  return true;
}

/** The event of the line {@link scanTaskEvent} last read out of `text`. */
function scannedEvent(text: string): BorgEvent {
  return {
    t: 'task',
    timeUs: sTimeUs,
    kind: TASK_KINDS[sType]!,
    typeName: GOOGLE2011_EVENT_TYPES[sType]!,
    jobId: text.slice(sJobStart, sJobEnd),
    index: sIndex,
    schedulingClass: sClass,
    priority: sPriority,
    cpu: sCpu,
    memory: sMemory,
    disk: sDisk,
    differentMachines: sDmr,
    constraints: undefined,
    allocCollection: undefined,
  };
}

/**
 * Parses one task_events line as {@link parseGoogle2011Row} parses its fields (the same event, error
 * or undefined for "after the trace"), through the in-place scan when it can. A row already split (a
 * quoted line) is parsed the ordinary way.
 */
export function parseTaskEventLine(file: string, row: Line | CsvRow): BorgEvent | undefined {
  if (!('text' in row)) return parseGoogle2011Row('task_events', file, row);
  if (scanTaskEvent(row.text, 0, row.text.length)) return scannedEvent(row.text);
  return parseGoogle2011Row('task_events', file, { line: row.line, fields: row.text.split(',') });
}

/** Event types that only count: SCHEDULE (the trace's placement) and the two UPDATEs. */
const SCHEDULE = 1;
const UPDATE_PENDING = 7;

/**
 * Turns task_events lines into events, checking that time never goes backwards. SCHEDULE and UPDATE
 * rows are counted here (the mapper would only count them) and make no event: an event that makes no
 * record changes no record, since node updates are flushed at the time of the events that made them
 * (see mapBorgEvents) and a task row never precedes a machine row of its own time (ties go to the
 * machine tables).
 */
class TaskEventRows implements CsvLineSink {
  out: BorgEvent[] = [];
  file = '';
  #last = 0;

  constructor(
    readonly skips: SkipCounter,
    readonly counts: BorgCounts,
  ) {}

  add(text: string, start: number, end: number, line: number, fields: string[] | undefined): void {
    try {
      if (fields === undefined && scanTaskEvent(text, start, end)) {
        this.#time(sTimeUs, line);
        if (sType === SCHEDULE) this.counts.schedules++;
        else if (sType >= UPDATE_PENDING) this.counts.updatesIgnored++;
        else this.out.push(scannedEvent(text));
        return;
      }
      const ev = parseGoogle2011Row('task_events', this.file, {
        line,
        fields: fields ?? text.slice(start, end).split(','),
      });
      if (ev === undefined) {
        this.counts.afterTrace++;
        return;
      }
      this.#time(ev.timeUs, line);
      if (ev.t === 'task' && ev.kind === 'schedule') this.counts.schedules++;
      else if (ev.t === 'task' && ev.kind === 'update') this.counts.updatesIgnored++;
      else this.out.push(ev);
    } catch (err) {
      this.skips.handle(err);
    }
  }

  #time(timeUs: number, line: number): void {
    if (timeUs < this.#last) {
      throw new InputError(
        this.file,
        line,
        'time',
        `goes backwards (${timeUs + GOOGLE_TIME_OFFSET_US} after ${this.#last + GOOGLE_TIME_OFFSET_US}); task_events must be sorted by time`,
      );
    }
    this.#last = timeUs;
  }

  /** The events so far, and a fresh batch. */
  take(): BorgEvent[] {
    const out = this.out;
    this.out = [];
    return out;
  }
}

/**
 * Streams the events of the task_events files (in name order) a decoded chunk at a time, lines read
 * in place by {@link scanCsvLines} (the line numbers, blank lines, CRLF, quoting and gzip errors of
 * readLineBatches), bad rows to `skips` as tableEvents does.
 */
export async function* taskEventBatches(
  files: readonly string[],
  skips: SkipCounter,
  counts: BorgCounts,
): AsyncGenerator<BorgEvent[]> {
  const rows = new TaskEventRows(skips, counts);
  for (const file of files) {
    rows.file = file;
    for await (const _ of scanCsvLines(file, rows)) if (rows.out.length > 0) yield rows.take();
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
          ? // The big table: fields scanned in place (taskEventBatches).
            taskEventBatches(files, skips, mapper.counts)
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
