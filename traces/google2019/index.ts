/**
 * Google Borg 2019 (clusterdata v3) as exported from BigQuery: JSON lines (`.json`, `.json.gz`), one
 * folder or file per table (`collection_events`, `instance_events`, `machine_events`,
 * `machine_attributes`), fields as in clusterdata_trace_format_v3.proto (int64 as strings or numbers).
 * Tables are merged by time and mapped by the Borg mapper shared with google2011 (docs/traces.md).
 */
import { stat } from 'node:fs/promises';
import { InputError } from '../../engine/api/errors.js';
import { flattenBatches, readLineBatches, SkipCounter, type OnInvalid } from '../input.js';
import type { LossReport, TraceRecord, TraceSource } from '../types.js';
import {
  AFTER_TRACE,
  BORG_STATIC_NOTES,
  BorgMapper,
  GOOGLE_TIME_OFFSET_US,
  mapBorgEvents,
  mergeBatches,
  type BorgConstraint,
  type BorgEvent,
  type Relation,
  type TaskEventKind,
} from '../google2011/index.js';
import { tableEvents, tableFiles } from '../google2011/tables.js';

/** Tables of the 2019 trace, in the order they win ties at equal times. */
export const GOOGLE2019_TABLES = [
  'machine_events',
  'machine_attributes',
  'collection_events',
  'instance_events',
] as const;
/** A 2019 table name. */
export type Google2019Table = (typeof GOOGLE2019_TABLES)[number];

/** Collection and instance event types of 2019, by number. */
export const GOOGLE2019_EVENT_TYPES = [
  'SUBMIT',
  'QUEUE',
  'ENABLE',
  'SCHEDULE',
  'EVICT',
  'FAIL',
  'FINISH',
  'KILL',
  'LOST',
  'UPDATE_PENDING',
  'UPDATE_RUNNING',
] as const;
const KINDS: readonly TaskEventKind[] = [
  'submit',
  'other',
  'other',
  'schedule',
  'evict',
  'end',
  'end',
  'end',
  'end',
  'update',
  'update',
];
const MACHINE_OPS = [undefined, 'add', 'remove', 'update'] as const;
const RELATIONS: readonly Relation[] = ['eq', 'ne', 'lt', 'gt', 'le', 'ge', 'present', 'absent'];

/** Options of {@link readGoogle2019}. */
export interface Google2019Options {
  readonly trace: string;
  readonly onInvalid?: OnInvalid;
}

type Json = Record<string, unknown>;

class Row {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly v: Json,
  ) {}

  error(field: string, message: string): InputError {
    return new InputError(this.file, this.line, field, message);
  }

  /** An int64 field (string or number); `def` when absent. */
  int(field: string, def?: number): number {
    const x = this.v[field];
    if (x === undefined || x === null) {
      if (def !== undefined) return def;
      throw this.error(field, 'missing');
    }
    const n = typeof x === 'number' ? x : typeof x === 'string' && /^-?\d+$/.test(x) ? Number(x) : NaN;
    if (!Number.isSafeInteger(n)) throw this.error(field, `${JSON.stringify(x)} is not an integer`);
    if (n < 0) throw this.error(field, `${JSON.stringify(x)} is negative`);
    return n;
  }

  id(field: string): string {
    return String(this.int(field));
  }

  optInt(field: string): number | undefined {
    const x = this.v[field];
    return x === undefined || x === null ? undefined : this.int(field);
  }

  str(field: string): string {
    const x = this.v[field];
    if (x === undefined || x === null) return '';
    if (typeof x !== 'string') throw this.error(field, `${JSON.stringify(x)} is not a string`);
    return x;
  }

  /** A normalised resource (`{cpus, memory}` member); undefined when absent. */
  resource(field: string, member: string): number | undefined {
    const r = this.v[field];
    if (r === undefined || r === null) return undefined;
    if (typeof r !== 'object') throw this.error(field, 'is not an object');
    const x = (r as Json)[member];
    if (x === undefined || x === null) return undefined;
    if (typeof x !== 'number' || !Number.isFinite(x))
      throw this.error(`${field}.${member}`, `${JSON.stringify(x)} is not a number`);
    if (x < 0) throw this.error(`${field}.${member}`, `${x} is negative`);
    return x;
  }

  /** Trace time in µs from the start; undefined for "after the trace". */
  time(): number | undefined {
    const x = this.v.time;
    if (x === AFTER_TRACE || x === Number(AFTER_TRACE)) return undefined;
    const t = this.int('time');
    return t <= GOOGLE_TIME_OFFSET_US ? 0 : t - GOOGLE_TIME_OFFSET_US;
  }

  eventType(): number {
    const t = this.int('type');
    if (t >= GOOGLE2019_EVENT_TYPES.length)
      throw this.error('type', `unknown event type ${t} (want 0..${GOOGLE2019_EVENT_TYPES.length - 1})`);
    return t;
  }
}

function constraints(r: Row): BorgConstraint[] {
  const list = r.v.constraint;
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw r.error('constraint', 'is not a list');
  return list.map((c: unknown, i) => {
    const cr = new Row(r.file, r.line, (c ?? {}) as Json);
    const rel = cr.int('relation', 0);
    const relation = RELATIONS[rel];
    if (relation === undefined)
      throw r.error(`constraint[${i}].relation`, `unknown relation ${rel} (want 0..7)`);
    const name = cr.str('name');
    const value = cr.str('value');
    if (name === '') throw r.error(`constraint[${i}].name`, 'empty');
    if (['lt', 'gt', 'le', 'ge'].includes(relation) && !/^-?\d+$/.test(value))
      throw r.error(
        `constraint[${i}].value`,
        `${JSON.stringify(value)} is not an integer (needed for ${relation})`,
      );
    return { name, value, relation };
  });
}

/** Parses one JSON line of `table`; undefined for an event at "after the trace". */
export function parseGoogle2019Row(
  table: Google2019Table,
  file: string,
  line: number,
  text: string,
): BorgEvent | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new InputError(file, line, undefined, `not JSON (${(err as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new InputError(file, line, undefined, 'not a JSON object');
  const r = new Row(file, line, v as Json);
  const timeUs = r.time();
  if (timeUs === undefined) return undefined;
  switch (table) {
    case 'machine_events': {
      const type = r.int('type');
      const op = MACHINE_OPS[type];
      if (op === undefined) throw r.error('type', `unknown machine event type ${type} (want 1..3)`);
      return {
        t: 'machine',
        timeUs,
        op,
        machineId: r.id('machine_id'),
        cpu: r.resource('capacity', 'cpus'),
        memory: r.resource('capacity', 'memory'),
        platform: r.str('platform_id'),
      };
    }
    case 'machine_attributes': {
      const del = r.v.deleted;
      if (del !== undefined && del !== null && typeof del !== 'boolean')
        throw r.error('deleted', `${JSON.stringify(del)} is not a boolean`);
      const name = r.str('name');
      if (name === '') throw r.error('name', 'empty');
      return {
        t: 'attr',
        timeUs,
        machineId: r.id('machine_id'),
        name,
        value: r.str('value'),
        deleted: del === true,
      };
    }
    case 'collection_events': {
      const type = r.eventType();
      const after = r.v.start_after_collection_ids;
      if (after !== undefined && after !== null && !Array.isArray(after))
        throw r.error('start_after_collection_ids', 'is not a list');
      const startAfter = ((after ?? []) as unknown[]).map((x, i) =>
        new Row(file, line, { [`start_after_collection_ids[${i}]`]: x }).id(
          `start_after_collection_ids[${i}]`,
        ),
      );
      const ctype = r.int('collection_type', 0);
      if (ctype > 1) throw r.error('collection_type', `unknown collection type ${ctype} (want 0 or 1)`);
      const parent = r.optInt('parent_collection_id');
      return {
        t: 'job',
        timeUs,
        kind: KINDS[type]!,
        jobId: r.id('collection_id'),
        schedulingClass: r.optInt('scheduling_class'),
        priority: r.optInt('priority'),
        name: r.str('collection_name'),
        allocSet: ctype === 1,
        maxPerMachine: r.optInt('max_per_machine'),
        startAfter,
        parentId: parent === undefined || parent === 0 ? undefined : String(parent),
      };
    }
    case 'instance_events': {
      const type = r.eventType();
      const alloc = r.optInt('alloc_collection_id');
      return {
        t: 'task',
        timeUs,
        kind: KINDS[type]!,
        typeName: GOOGLE2019_EVENT_TYPES[type]!,
        jobId: r.id('collection_id'),
        index: r.int('instance_index'),
        schedulingClass: r.optInt('scheduling_class'),
        priority: r.optInt('priority'),
        cpu: r.resource('resource_request', 'cpus'),
        memory: r.resource('resource_request', 'memory'),
        disk: undefined,
        differentMachines: false,
        constraints: constraints(r),
        allocCollection: alloc === undefined || alloc === 0 ? undefined : String(alloc),
      };
    }
    default: {
      const never: never = table;
      throw new Error(`unknown table ${String(never)}`);
    }
  }
}

/**
 * Opens a Google 2019 trace folder: records in non-decreasing time. PriorityClasses are created when a
 * priority is first seen. Memory holds live machines and the instances of collections that have not ended.
 */
export function readGoogle2019(opts: Google2019Options): TraceSource {
  const skips = new SkipCounter(opts.onInvalid);
  const loss: LossReport = {
    format: 'google2019',
    notes: [
      ...BORG_STATIC_NOTES,
      'collections (collection_type 0) are Jobs; start_after_collection_ids -> annotation kreplay.io/depends-on (the trace times already order them; not enforced in simulation)',
      'max_per_machine 1 -> required pod anti-affinity on hostname within the collection; k > 1 -> topology spread maxSkew k on hostname (an approximation: Kubernetes caps skew, not count); max_per_switch, vertical scaling and the batch scheduler are not mapped',
      'priority bands: free <= 99 never preempt; machine switch_id is not mapped; QUEUE and ENABLE events are not replayed',
    ],
    skipped: skips.skipped,
  };
  const mapper = new BorgMapper({ format: 'google2019', priorities: [], freeBelow: 100 });
  async function* recordBatches(): AsyncGenerator<TraceRecord[]> {
    if (!(await stat(opts.trace)).isDirectory())
      throw new InputError(
        opts.trace,
        undefined,
        undefined,
        'google2019 wants a folder of its tables',
        'NO_INPUT',
      );
    const sources: AsyncIterable<BorgEvent[]>[] = [];
    const present: string[] = [];
    for (const table of GOOGLE2019_TABLES) {
      const files = await tableFiles(opts.trace, table);
      if (files.length === 0) continue;
      present.push(table);
      sources.push(
        tableEvents(
          table,
          files,
          {
            batches: readLineBatches,
            parse: (f, { line, text }) => parseGoogle2019Row(table, f, line, text),
            line: (row) => row.line,
          },
          skips,
          mapper.counts,
        ),
      );
    }
    if (present.length === 0)
      throw new InputError(
        opts.trace,
        undefined,
        undefined,
        `no google2019 tables (${GOOGLE2019_TABLES.join(', ')})`,
        'NO_INPUT',
      );
    const missing = GOOGLE2019_TABLES.filter((t) => !present.includes(t));
    if (missing.length > 0) loss.notes.push(`tables not present: ${missing.join(', ')}`);
    yield* mapBorgEvents(mergeBatches(sources), mapper);
    loss.notes.push(...mapper.notes());
  }
  return { format: 'google2019', records: flattenBatches(recordBatches()), loss };
}
