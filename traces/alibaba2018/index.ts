/**
 * Alibaba cluster-trace-v2018: `machine_meta` (node events), `container_meta` (long-running service
 * containers), `batch_task` + `batch_instance` (batch jobs whose task names encode a DAG). Headerless
 * CSVs, `.gz` accepted. Mapping in docs/traces.md.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { InputError } from '../../engine/api/errors.js';
import type { KObject } from '../../engine/api/types.js';
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
import {
  ANN_DURATION,
  ANN_EXIT,
  ANN_TRACE_NODE,
  ANN_TRACE_PHASE,
  DEFAULT_MAX_PODS,
  durationString,
  makeNode,
  TRACE_IMAGE,
} from '../objects.js';
import type { LossReport, TraceRecord, TraceSource } from '../types.js';
import {
  ANN_DEPENDS_ON,
  ANN_OWNER,
  ANN_PODS_FROM_TRACE,
  asBatches,
  labelSafe,
  mergeBatches,
} from '../google2011/index.js';

/** The tables of the 2018 trace kreplay reads. */
export const ALIBABA2018_TABLES = ['machine_meta', 'container_meta', 'batch_task', 'batch_instance'] as const;
/** A table name. */
export type Alibaba2018Table = (typeof ALIBABA2018_TABLES)[number];
/** Column counts (schema.txt). */
export const ALIBABA2018_COLUMNS: Record<Alibaba2018Table, number> = {
  machine_meta: 7,
  container_meta: 8,
  batch_task: 9,
  batch_instance: 14,
};
/** Node memory of `mem_size` 100 (the trace normalises to its largest machine): 512 GiB. */
export const ALIBABA_MACHINE_MEMORY_MIB = 524_288;
/** The second failure domain's node label (the first is `topology.kubernetes.io/zone`). */
export const FAILURE_DOMAIN_2_LABEL = 'alibaba.com/failure-domain-2';
/** Pod label with the container's deploy unit (service group). */
export const APP_DU_LABEL = 'alibaba.com/app-du';
/** Pod/Job label naming the batch Job (`<job>-<task>`). */
export const BATCH_JOB_LABEL = 'kreplay.io/job';
/** Machine status meaning "in service"; any other status makes the node NotReady. */
export const READY_STATUS = 'USING';

const US = 1_000_000;
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.=+/-]*$/;
/** `M1`, `R2_1`, `J3_1_2`: letters, the task's number, then `_<number>` per task it depends on. */
const DAG_RE = /^[A-Za-z]+(\d+)((?:_\d+)*)$/;

/** Options of {@link readAlibaba2018}. */
export interface Alibaba2018Options {
  /** A folder holding the tables, or one table file. */
  readonly trace?: string;
  /** A machine_meta file (alternative to a folder). */
  readonly nodes?: string;
  readonly onInvalid?: OnInvalid;
}

/** A Kubernetes name from a trace id: lower case, `_` → `-`. */
export function k8sName(id: string): string {
  return id
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
}

/** The task number and the numbers of the tasks it depends on, or undefined for a name without DAG. */
export function parseTaskName(name: string): { id: number; deps: number[] } | undefined {
  const m = DAG_RE.exec(name);
  if (!m) return undefined;
  const deps = m[2] ? m[2].slice(1).split('_').map(Number) : [];
  return { id: Number(m[1]), deps };
}

function idField(p: FieldParser, field: string, text: string | undefined): string {
  if (text === undefined || !ID_RE.test(text))
    throw p.error(field, `${JSON.stringify(text ?? '')} is not an id`);
  return text;
}

function status(p: FieldParser, field: string, text: string | undefined): string {
  if (text === undefined || !/^[A-Za-z_]+$/.test(text))
    throw p.error(field, `${JSON.stringify(text ?? '')} is not a status`);
  return text;
}

function normalised(p: FieldParser, field: string, text: string | undefined): number {
  const v = p.udec(field, text);
  if (v > 100) throw p.error(field, `${v} is outside 0..100`);
  return v;
}

function memoryMib(norm: number): number {
  return Math.round((norm / 100) * ALIBABA_MACHINE_MEMORY_MIB);
}

/** The fields of a machine_meta event that its Node is made of (all but the id and the time). */
export interface MachineMetaState {
  readonly fd1: string;
  readonly fd2: string;
  readonly cpu: number;
  /** Normalised, 0..100. */
  readonly mem: number;
  readonly status: string;
}

/** One machine's machine_meta events in file order, with their rows' positions (see machineRecords). */
interface MachineEvents {
  events: MachineRow[];
  positions: number[];
  /** Times never go backwards in file order. */
  inOrder: boolean;
  /** The time of the last event read. */
  lastUs: number;
}

interface MachineRow extends MachineMetaState {
  timeUs: number;
  id: string;
}

interface ContainerRow {
  timeUs: number;
  id: string;
  machine: string;
  appDu: string;
  status: string;
  cpuRequest: number;
  cpuLimit: number;
  mem: number;
}

interface TaskRow {
  name: string;
  job: string;
  instances: number;
  type: string;
  status: string;
  start: number;
  end: number;
  planCpu: number | undefined;
  planMem: number | undefined;
  /** Filled in: when the task's pods may start (its start, or its dependencies' latest end). */
  release: number;
  deps: string[];
  jobCreated: boolean;
  made: number;
  /** The Job's name when {@link jobObjectName}'s would repeat another task's (a `-<n>` suffix). */
  objectName?: string;
}

interface InstanceRow {
  name: string;
  task: string;
  job: string;
  status: string;
  start: number;
  end: number;
  machine: string;
  line: number;
}

/** Parses one machine_meta row. */
export function parseMachineMeta(file: string, row: CsvRow): MachineRow {
  expectColumns(file, row, 7, 'machine_meta');
  const f = row.fields;
  const p = new FieldParser(file, row.line);
  const id = idField(p, 'machine_id', f[0]);
  const timeUs = p.uint('time_stamp', f[1]) * US;
  const fd1 = String(p.uint('failure_domain_1', f[2]));
  const fd2 = f[3]!;
  if (fd2 !== '' && !/^[A-Za-z0-9_.-]+$/.test(fd2))
    throw p.error('failure_domain_2', `${JSON.stringify(fd2)} is not a label value`);
  const cpu = p.uint('cpu_num', f[4]);
  const mem = normalised(p, 'mem_size', f[5]);
  return { timeUs, id, fd1, fd2, cpu, mem, status: status(p, 'status', f[6]) };
}

const scanner = new FieldScanner();
const machineIds = new SeenTexts(ID_RE);
const fd2Texts = new SeenTexts(/^[A-Za-z0-9_.-]+$/);
const statusTexts = new SeenTexts(/^[A-Za-z_]+$/);
/** Texts of failure_domain_1 values (as `String(uint)` makes them), by value. */
const fd1Texts: string[] = [];

/**
 * {@link parseMachineMeta} of the line `text[start, end)` read in place, for the rows it is sure of
 * (7 columns, plain digits and decimals, every value valid); undefined for any other row, which the
 * caller parses the ordinary way (so values, errors and skips are parseMachineMeta's).
 */
export function scanMachineMeta(text: string, start: number, end: number): MachineRow | undefined {
  const f = scanner;
  if (!f.skip(text, start, end)) return undefined;
  const id = machineIds.get(text, start, f.end);
  if (id === undefined) return undefined;
  const t = f.digits(text, f.end + 1, end);
  if (t < 0 || f.end >= end) return undefined;
  const d1 = f.digits(text, f.end + 1, end);
  if (d1 < 0 || d1 > 65_535 || f.end >= end) return undefined;
  const fd1 = (fd1Texts[d1] ??= String(d1));
  const fd2Start = f.end + 1;
  if (!f.skip(text, fd2Start, end)) return undefined;
  const fd2 = fd2Start === f.end ? '' : fd2Texts.get(text, fd2Start, f.end);
  if (fd2 === undefined) return undefined;
  const cpu = f.digits(text, f.end + 1, end);
  if (cpu < 0 || f.end >= end) return undefined;
  const mem = f.decimal(text, f.end + 1, end);
  if (mem < 0 || mem > 100 || f.end >= end) return undefined;
  // status: the last column (a comma here is an 8th).
  const statusStart = f.end + 1;
  if (f.skip(text, statusStart, end)) return undefined;
  const st = statusTexts.get(text, statusStart, end);
  if (st === undefined) return undefined;
  return { timeUs: t * US, id, fd1, fd2, cpu, mem, status: st };
}

/** machine_meta rows as they are read in place (bad rows to `skips`). */
class MachineMetaRows implements CsvLineSink {
  out: MachineRow[] = [];

  constructor(
    readonly file: string,
    readonly skips: SkipCounter,
  ) {}

  add(text: string, start: number, end: number, line: number, fields: string[] | undefined): void {
    try {
      this.out.push(
        (fields === undefined ? scanMachineMeta(text, start, end) : undefined) ??
          parseMachineMeta(this.file, { line, fields: fields ?? text.slice(start, end).split(',') }),
      );
    } catch (err) {
      this.skips.handle(err);
    }
  }
}

/** The parsed rows of machine_meta in file order, a chunk at a time (bad rows go to `skips`). */
async function* machineMetaRows(file: string, skips: SkipCounter): AsyncGenerator<MachineRow[]> {
  const rows = new MachineMetaRows(file, skips);
  for await (const _ of scanCsvLines(file, rows)) {
    yield rows.out;
    rows.out = [];
  }
}

/** Parses one container_meta row. */
export function parseContainerMeta(file: string, row: CsvRow): ContainerRow {
  expectColumns(file, row, 8, 'container_meta');
  const f = row.fields;
  const p = new FieldParser(file, row.line);
  const out = {
    id: idField(p, 'container_id', f[0]),
    machine: idField(p, 'machine_id', f[1]),
    timeUs: p.uint('time_stamp', f[2]) * US,
    appDu: idField(p, 'app_du', f[3]),
    status: status(p, 'status', f[4]),
    cpuRequest: p.uint('cpu_request', f[5]),
    cpuLimit: p.uint('cpu_limit', f[6]),
    mem: normalised(p, 'mem_size', f[7]),
  };
  if (out.cpuLimit < out.cpuRequest)
    throw p.error('cpu_limit', `${out.cpuLimit} is below cpu_request ${out.cpuRequest}`);
  return out;
}

function optDec(p: FieldParser, field: string, text: string | undefined): number | undefined {
  return text === '' ? undefined : p.udec(field, text);
}

/** Parses one batch_task row. */
export function parseBatchTask(file: string, row: CsvRow): TaskRow {
  expectColumns(file, row, 9, 'batch_task');
  const f = row.fields;
  const p = new FieldParser(file, row.line);
  const name = idField(p, 'task_name', f[0]);
  const instances = p.uint('instance_num', f[1]);
  const job = idField(p, 'job_name', f[2]);
  const type = f[3]!;
  const st = status(p, 'status', f[4]);
  const start = p.uint('start_time', f[5]);
  const end = p.uint('end_time', f[6]);
  if (end !== 0 && end < start) throw p.error('end_time', `${end} is before start_time ${start}`);
  const planCpu = optDec(p, 'plan_cpu', f[7]);
  const planMem = optDec(p, 'plan_mem', f[8]);
  if (planMem !== undefined && planMem > 100) throw p.error('plan_mem', `${planMem} is outside 0..100`);
  return {
    name,
    job,
    instances,
    type,
    status: st,
    start,
    end,
    planCpu,
    planMem,
    release: start,
    deps: [],
    jobCreated: false,
    made: 0,
  };
}

/** Parses one batch_instance row (usage columns checked, not kept). */
export function parseBatchInstance(file: string, row: CsvRow): InstanceRow {
  expectColumns(file, row, 14, 'batch_instance');
  const f = row.fields;
  const p = new FieldParser(file, row.line);
  const name = idField(p, 'instance_name', f[0]);
  const task = idField(p, 'task_name', f[1]);
  const job = idField(p, 'job_name', f[2]);
  const st = status(p, 'status', f[4]);
  const start = p.uint('start_time', f[5]);
  const end = p.uint('end_time', f[6]);
  if (end !== 0 && end < start) throw p.error('end_time', `${end} is before start_time ${start}`);
  const machine = f[7] === '' ? '' : idField(p, 'machine_id', f[7]);
  if (f[8] !== '') p.uint('seq_no', f[8]);
  if (f[9] !== '') p.uint('total_seq_no', f[9]);
  for (let i = 10; i < 14; i++)
    if (f[i] !== '') p.udec(['cpu_avg', 'cpu_max', 'mem_avg', 'mem_max'][i - 10]!, f[i]);
  return { name, task, job, status: st, start, end, machine, line: row.line };
}

/** The parsed rows of a table in file order, a chunk at a time (bad rows go to `skips`). */
async function* rows<T>(
  file: string,
  parse: (file: string, row: CsvRow) => T,
  skips: SkipCounter,
): AsyncGenerator<T[]> {
  for await (const batch of readCsvRowBatches(file)) {
    const out: T[] = [];
    for (const row of batch) {
      try {
        out.push(parse(file, row));
      } catch (err) {
        skips.handle(err);
      }
    }
    yield out;
  }
}

async function findTables(opts: Alibaba2018Options): Promise<Partial<Record<Alibaba2018Table, string>>> {
  const out: Partial<Record<Alibaba2018Table, string>> = {};
  const tableOf = (name: string): Alibaba2018Table | undefined =>
    ALIBABA2018_TABLES.find((t) => new RegExp(`^${t}($|[-_.])`).test(name));
  if (opts.trace) {
    if ((await stat(opts.trace)).isDirectory()) {
      for (const name of (await readdir(opts.trace)).sort()) {
        const t = tableOf(name);
        if (t && !out[t] && !name.endsWith('.txt')) out[t] = join(opts.trace, name);
      }
    } else {
      const t = tableOf(basename(opts.trace));
      if (!t)
        throw new InputError(
          opts.trace,
          undefined,
          undefined,
          `not an alibaba2018 table (${ALIBABA2018_TABLES.join(', ')})`,
          'NO_INPUT',
        );
      out[t] = opts.trace;
    }
  }
  if (opts.nodes) out.machine_meta = opts.nodes;
  return out;
}

function nodeObject(m: MachineRow): KObject {
  const labels: Record<string, string> = {
    'topology.kubernetes.io/zone': m.fd1,
    'alibaba.com/machine-status': labelSafe(m.status),
  };
  if (m.fd2 !== '') labels[FAILURE_DOMAIN_2_LABEL] = m.fd2;
  const node = makeNode(
    k8sName(m.id),
    { cpu: `${m.cpu * 1000}m`, memory: `${memoryMib(m.mem)}Mi`, pods: DEFAULT_MAX_PODS },
    labels,
  );
  if (m.status !== READY_STATUS) {
    // Not in service (e.g. IMPORT_INSTALLING): NotReady, and tainted as the node lifecycle controller would.
    node.spec = { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] };
    (node.status as Record<string, unknown>).conditions = [
      { type: 'Ready', status: 'False', reason: m.status },
    ];
  }
  return node;
}

/**
 * True when two events of one machine give the same Node ({@link nodeObject}): every field it reads,
 * memory as the Mi it becomes (normalised sizes a rounding apart are the same node).
 */
export function sameNode(a: MachineMetaState, b: MachineMetaState): boolean {
  return (
    a.cpu === b.cpu &&
    a.fd1 === b.fd1 &&
    a.fd2 === b.fd2 &&
    a.status === b.status &&
    (a.mem === b.mem || memoryMib(a.mem) === memoryMib(b.mem))
  );
}

function containerPod(c: ContainerRow): KObject {
  const mem = `${memoryMib(c.mem)}Mi`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: k8sName(c.id),
      namespace: 'default',
      labels: { [APP_DU_LABEL]: labelSafe(c.appDu) },
      annotations: {
        'kreplay.io/owner': `Deployment/${k8sName(c.appDu)}`,
        [ANN_TRACE_NODE]: k8sName(c.machine),
        [ANN_TRACE_PHASE]: c.status,
      },
    },
    spec: {
      containers: [
        {
          name: 'main',
          image: TRACE_IMAGE,
          // cpu_request/cpu_limit: 100 = one core = 1000 m
          resources: {
            requests: { cpu: `${c.cpuRequest * 10}m`, memory: mem },
            limits: { cpu: `${c.cpuLimit * 10}m`, memory: mem },
          },
        },
      ],
    },
  } as KObject;
}

/**
 * Opens an Alibaba 2018 trace: nodes from machine_meta, service pods from container_meta, batch Jobs and
 * their pods from batch_task (+ batch_instance), merged by time. machine_meta and container_meta are
 * sorted in memory (their rows are grouped by machine/container, and every container stays live);
 * batch_task is indexed in memory (one small entry per task: a task's release needs its dependencies'
 * end times) and batch instances are sorted by release time in memory.
 */
export function readAlibaba2018(opts: Alibaba2018Options): TraceSource {
  const skips = new SkipCounter(opts.onInvalid);
  const loss: LossReport = { format: 'alibaba2018', notes: [], skipped: skips.skipped };
  async function* recordBatches(): AsyncGenerator<TraceRecord[]> {
    const tables = await findTables(opts);
    if (Object.keys(tables).length === 0)
      throw new InputError(
        opts.trace ?? '--trace',
        undefined,
        undefined,
        'no alibaba2018 tables',
        'NO_INPUT',
      );
    const sources: AsyncIterable<TraceRecord[]>[] = [];
    if (tables.machine_meta) sources.push(asBatches(await machineRecords(tables.machine_meta)));
    if (tables.container_meta) sources.push(asBatches(await containerRecords(tables.container_meta)));
    if (tables.batch_task)
      sources.push(asBatches(await batchRecords(tables.batch_task, tables.batch_instance)));
    else if (tables.batch_instance)
      loss.notes.push('batch_instance without batch_task: instances not replayed (requests are on tasks)');
    yield* mergeBatches(sources);
  }

  async function machineRecords(file: string): Promise<TraceRecord[]> {
    // The records are the events in a stable sort by time, less those that repeat their machine's last
    // kept state. Whether an event repeats depends on its own machine's events only, so each machine's
    // events are gathered (in file order, the order of equal times), sorted and deduplicated on their
    // own, and only the kept ones are sorted together, by (time, file position).
    const machines = new Map<string, MachineEvents>();
    let curId: string | undefined;
    let cur: MachineEvents | undefined;
    let pos = 0;
    let notReady = 0;
    let noFd2 = 0;
    for await (const chunk of machineMetaRows(file, skips))
      for (const m of chunk) {
        if (m.status !== READY_STATUS) notReady++;
        if (m.fd2 === '') noFd2++;
        // Rows come grouped by machine: the last machine's events are usually the ones wanted.
        if (m.id !== curId) {
          curId = m.id;
          cur = machines.get(m.id);
          if (cur === undefined) {
            cur = { events: [], positions: [], inOrder: true, lastUs: 0 };
            machines.set(m.id, cur);
          }
        }
        const evs = cur!;
        if (evs.events.length > 0 && m.timeUs < evs.events[evs.events.length - 1]!.timeUs)
          evs.inOrder = false;
        evs.events.push(m);
        evs.positions.push(pos++);
      }
    const kept: { m: MachineRow; pos: number; op: 'create' | 'update' }[] = [];
    let unchanged = 0;
    for (const evs of machines.values()) {
      let order = evs.events.map((_, i) => i);
      // Stable: equal times keep file order.
      if (!evs.inOrder) order = order.sort((i, j) => evs.events[i]!.timeUs - evs.events[j]!.timeUs);
      let last: MachineRow | undefined;
      for (const i of order) {
        const m = evs.events[i]!;
        if (last !== undefined && sameNode(last, m)) {
          unchanged++;
          continue;
        }
        kept.push({ m, pos: evs.positions[i]!, op: last === undefined ? 'create' : 'update' });
        last = m;
      }
    }
    kept.sort((a, b) => a.m.timeUs - b.m.timeUs || a.pos - b.pos);
    const out: TraceRecord[] = kept.map(({ m, op }) => ({ timeUs: m.timeUs, op, object: nodeObject(m) }));
    loss.notes.push(
      `nodes: cpu_num cores; mem_size is normalised: 100 = ${ALIBABA_MACHINE_MEMORY_MIB} Mi (512 GiB, an assumption); pods capacity 110; allocatable = capacity`,
      `failure_domain_1 -> label topology.kubernetes.io/zone, failure_domain_2 -> label ${FAILURE_DOMAIN_2_LABEL} (${noFd2} events without it)`,
      `machine_meta events: first per machine -> create, later ones that change something -> update; ${unchanged} events repeated the machine's state and were dropped`,
      `${notReady} events with a status other than ${READY_STATUS}: node NotReady (condition Ready=False, taint node.kubernetes.io/not-ready:NoSchedule); the trace has no machine removal`,
    );
    return out;
  }

  async function containerRecords(file: string): Promise<TraceRecord[]> {
    const first = new Map<string, ContainerRow>();
    let later = 0;
    for await (const chunk of rows(file, parseContainerMeta, skips))
      for (const c of chunk) {
        if (first.has(c.id)) later++;
        else first.set(c.id, c);
      }
    const all = [...first.values()].sort((a, b) => a.timeUs - b.timeUs);
    loss.notes.push(
      'container_meta: one bare Pod per container, created at its first row, never deleted (the table has no end); later rows (status changes) are not replayed: ' +
        `${later} rows`,
      `app_du -> label ${APP_DU_LABEL} and annotation kreplay.io/owner: Deployment/<app_du> (no Deployment object: the trace creates the pods); spreading across failure domains is not enforced`,
      'the trace placement (machine_id) is kept as annotation kreplay.io/trace-node for comparison only',
    );
    return all.map((c) => ({ timeUs: c.timeUs, op: 'create' as const, object: containerPod(c) }));
  }

  async function batchRecords(taskFile: string, instanceFile: string | undefined): Promise<TraceRecord[]> {
    const tasks = new Map<string, TaskRow>();
    const byNumber = new Map<string, string>(); // `${job}/#${n}` -> task key
    let duplicates = 0;
    // Kubernetes names are lower case: task names that differ only in case or punctuation (base64
    // ids) would name one Job; a later one gets a `-<n>` suffix, in file order.
    const names = new Set<string>();
    let renamed = 0;
    for await (const chunk of rows(taskFile, parseBatchTask, skips))
      for (const t of chunk) {
        const key = `${t.job}/${t.name}`;
        if (tasks.has(key)) {
          duplicates++;
          continue;
        }
        const base = jobObjectName(t);
        let name = base;
        for (let n = 2; names.has(name); n++) name = `${base}-${n}`;
        if (name !== base) {
          t.objectName = name;
          renamed++;
        }
        names.add(name);
        tasks.set(key, t);
        const dag = parseTaskName(t.name);
        if (dag) byNumber.set(`${t.job}/#${dag.id}`, key);
      }
    // Release = max(start, end of every dependency): a task's pods exist only once its inputs are done.
    let missingDeps = 0;
    let dagTasks = 0;
    for (const [, t] of tasks) {
      const dag = parseTaskName(t.name);
      if (!dag || dag.deps.length === 0) continue;
      dagTasks++;
      for (const d of dag.deps) {
        const dk = byNumber.get(`${t.job}/#${d}`);
        const dep = dk === undefined ? undefined : tasks.get(dk);
        if (!dep) {
          missingDeps++;
          continue;
        }
        t.deps.push(jobObjectName(dep));
        if (dep.end > t.release) t.release = dep.end;
      }
    }
    const out: TraceRecord[] = [];
    let noEnd = 0;
    const pending: { at: number; task: TaskRow; inst: InstanceRow | undefined; ord: number }[] = [];
    if (instanceFile) {
      let orphans = 0;
      for await (const chunk of rows(instanceFile, parseBatchInstance, skips))
        for (const inst of chunk) {
          const task = tasks.get(`${inst.job}/${inst.task}`);
          if (!task) {
            orphans++;
            continue;
          }
          pending.push({ at: Math.max(inst.start, task.release), task, inst, ord: task.made++ });
        }
      loss.notes.push(
        "batch_instance: one Pod per instance, created at max(its start_time, its task dependencies' latest end_time), running end_time - start_time (kreplay.io/duration); status Failed -> kreplay.io/exit: failed",
        `${orphans} instances of tasks not in batch_task were not replayed`,
      );
    } else {
      for (const [, t] of tasks)
        for (let i = 0; i < t.instances; i++)
          pending.push({ at: t.release, task: t, inst: undefined, ord: t.made++ });
      loss.notes.push(
        "no batch_instance: each task makes instance_num Pods at its release time, each running the task's end_time - start_time",
      );
    }
    pending.sort((a, b) => a.at - b.at);
    for (const p of pending) {
      const t = p.task;
      const timeUs = p.at * US;
      if (!t.jobCreated) {
        t.jobCreated = true;
        out.push({ timeUs, op: 'create', object: jobObject(t) });
      }
      const start = p.inst ? p.inst.start : t.start;
      const end = p.inst ? p.inst.end : t.end;
      const st = p.inst ? p.inst.status : t.status;
      if (end === 0) noEnd++;
      out.push({
        timeUs,
        op: 'create',
        object: batchPod(t, p.ord, p.inst, end === 0 ? undefined : end - start, st),
      });
    }
    loss.notes.push(
      `batch_task: one Job per task (<job>-<task>, completions = instance_num, parallelism 0 so the Job controller stays idle, annotation ${ANN_PODS_FROM_TRACE}: the trace creates the pods, which carry label kreplay.io/job and annotation kreplay.io/owner instead of ownerReferences); requests plan_cpu (100 = 1000 m) and plan_mem (normalised like mem_size)`,
      `task names encode the DAG (M1, R2_1 = task 2 after task 1, J3_1_2): ${dagTasks} tasks with dependencies, kept as annotation ${ANN_DEPENDS_ON}; dependencies are met in trace time (the release time above), not by watching simulated completions; ${missingDeps} dependencies name tasks not in the table`,
      `${noEnd} batch pods without an end time run until the trace ends; ${duplicates} duplicate task rows ignored; ${renamed} Jobs renamed with a -<n> suffix (their task names differ from another's only in case or punctuation); batch_task and the instances are held in memory (sorted by release time)`,
      'usage columns (cpu_avg, cpu_max, mem_avg, mem_max) are validated, not replayed; the trace placement is kept as kreplay.io/trace-node',
    );
    return out;
  }

  return { format: 'alibaba2018', records: flattenBatches(recordBatches()), loss };
}

function jobObjectName(t: TaskRow): string {
  return t.objectName ?? `${k8sName(t.job)}-${k8sName(t.name)}`;
}

function jobObject(t: TaskRow): KObject {
  const name = jobObjectName(t);
  const annotations: Record<string, string> = {
    [ANN_PODS_FROM_TRACE]: 'true',
    'kreplay.io/task-type': t.type,
    'kreplay.io/trace-parallelism': String(t.instances),
  };
  if (t.deps.length > 0) annotations[ANN_DEPENDS_ON] = t.deps.join(',');
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: 'default',
      uid: `alibaba2018-job-${name}`,
      labels: { [BATCH_JOB_LABEL]: name },
      annotations,
    },
    spec: {
      completions: t.instances,
      // parallelism 0: the Job controller creates no pods for it (the trace does); the trace's is an annotation.
      parallelism: 0,
      manualSelector: true,
      selector: { matchLabels: { [BATCH_JOB_LABEL]: name } },
      template: {
        metadata: { labels: { [BATCH_JOB_LABEL]: name } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: TRACE_IMAGE }] },
      },
    },
  } as KObject;
}

function batchPod(
  t: TaskRow,
  ord: number,
  inst: InstanceRow | undefined,
  durationS: number | undefined,
  st: string,
): KObject {
  const job = jobObjectName(t);
  const annotations: Record<string, string> = { [ANN_OWNER]: `Job/${job}`, [ANN_TRACE_PHASE]: st };
  if (durationS !== undefined) annotations[ANN_DURATION] = durationString(durationS);
  if (st === 'Failed') annotations[ANN_EXIT] = 'failed';
  if (t.deps.length > 0) annotations[ANN_DEPENDS_ON] = t.deps.join(',');
  if (inst) {
    annotations['kreplay.io/trace-instance'] = inst.name;
    if (inst.machine) annotations[ANN_TRACE_NODE] = k8sName(inst.machine);
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${job}-${ord}`,
      namespace: 'default',
      labels: { [BATCH_JOB_LABEL]: job },
      annotations,
    },
    spec: {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'main',
          image: TRACE_IMAGE,
          resources: {
            requests: {
              cpu: `${Math.round((t.planCpu ?? 0) * 10)}m`,
              memory: `${memoryMib(t.planMem ?? 0)}Mi`,
            },
          },
        },
      ],
    },
  } as KObject;
}
