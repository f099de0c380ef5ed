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
  readCsvRowBatches,
  SkipCounter,
  type CsvRow,
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
        tableEvents(
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
