/**
 * Alibaba DLRM disaggregated serving trace (cluster-trace-gpu-v2025): one instance per row with requests
 * and limits, its app group, a per-node cap, and creation/scheduled/deletion times (seconds, fractional;
 * empty when outside the trace window). Each instance becomes a bare Pod (mapping in docs/traces.md).
 */
import { InputError } from '../../engine/api/errors.js';
import type { KObject } from '../../engine/api/types.js';
import { TimeHeap } from '../heap.js';
import { ExternalSorter, type ExternalSorterOptions, type RunCodec } from '../sort.js';
import {
  expectColumns,
  FieldParser,
  flattenBatches,
  readCsvRowBatches,
  SkipCounter,
  type CsvRow,
  type OnInvalid,
} from '../input.js';
import {
  ANN_DURATION,
  ANN_TRACE_SCHEDULED_TIME,
  durationString,
  NVIDIA_GPU,
  refOf,
  TRACE_IMAGE,
} from '../objects.js';
import type { LossReport, TraceMode, TraceRecord, TraceSource } from '../types.js';

/** The header of the instance list. */
export const DLRM_COLUMNS = [
  'instance_sn',
  'role',
  'app_name',
  'cpu_request',
  'cpu_limit',
  'gpu_request',
  'gpu_limit',
  'rdma_request',
  'rdma_limit',
  'memory_request',
  'memory_limit',
  'disk_request',
  'disk_limit',
  'max_instance_per_node',
  'creation_time',
  'scheduled_time',
  'deletion_time',
] as const;
/** Pod label with the app group (the Deployment the instance belongs to). */
export const DLRM_APP_LABEL = 'alibaba.com/app';
/** Pod label with the role (HN, CN). */
export const DLRM_ROLE_LABEL = 'alibaba.com/role';
/** Annotation with the trace's per-node instance cap of the app. */
export const ANN_MAX_INSTANCE_PER_NODE = 'kreplay.io/max-instance-per-node';

/** One instance row. */
export interface DlrmRow {
  readonly name: string;
  readonly role: string;
  readonly app: string;
  readonly cpu: [number, number];
  readonly gpu: [number, number];
  readonly rdma: [number, number];
  /** GiB. */
  readonly memory: [number, number];
  readonly disk: [number, number];
  /** undefined = no cap (-1 in the trace). */
  readonly maxPerNode: number | undefined;
  readonly creation: number | undefined;
  readonly scheduled: number | undefined;
  readonly deletion: number | undefined;
  readonly line: number;
}

/** Options of {@link readDlrm2025}. */
export interface Dlrm2025Options {
  readonly pods: string;
  readonly mode?: TraceMode;
  readonly onInvalid?: OnInvalid;
  /** How the time-faithful sort by creation time spills to temp files (defaults: see ExternalSorter). */
  readonly sort?: ExternalSorterOptions;
}

const US = 1_000_000;
/** Records handed out per batch. */
const BATCH = 1024;
const LABEL_RE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function pair(p: FieldParser, f: string[], i: number, integer: boolean): [number, number] {
  const rq = DLRM_COLUMNS[i]!;
  const lm = DLRM_COLUMNS[i + 1]!;
  const req = integer ? p.uint(rq, f[i]) : p.udec(rq, f[i]);
  const lim = integer ? p.uint(lm, f[i + 1]) : p.udec(lm, f[i + 1]);
  if (lim < req) throw p.error(lm, `${lim} is below ${rq} ${req}`);
  return [req, lim];
}

function optTime(p: FieldParser, f: string[], i: number): number | undefined {
  const text = f[i];
  return text === '' ? undefined : p.udec(DLRM_COLUMNS[i]!, text);
}

/** Parses one instance row (header already checked). */
export function parseDlrmRow(file: string, row: CsvRow): DlrmRow {
  expectColumns(file, row, DLRM_COLUMNS.length);
  const f = row.fields;
  const p = new FieldParser(file, row.line);
  const sn = f[0]!;
  if (!LABEL_RE.test(sn)) throw p.error('instance_sn', `${JSON.stringify(sn)} is not an instance id`);
  const role = f[1]!;
  if (!LABEL_RE.test(role)) throw p.error('role', `${JSON.stringify(role)} is not a role`);
  const app = f[2]!;
  if (!LABEL_RE.test(app)) throw p.error('app_name', `${JSON.stringify(app)} is not an app name`);
  const cap = f[13] === '-1' ? undefined : p.uint('max_instance_per_node', f[13]);
  if (cap === 0) throw p.error('max_instance_per_node', '0 (want -1 or a positive cap)');
  const creation = optTime(p, f, 14);
  const scheduled = optTime(p, f, 15);
  const deletion = optTime(p, f, 16);
  if (creation !== undefined && deletion !== undefined && deletion < creation)
    throw p.error('deletion_time', `${deletion} is before creation_time ${creation}`);
  return {
    name: sn.toLowerCase().replace(/_/g, '-'),
    role,
    app,
    cpu: pair(p, f, 3, true),
    gpu: pair(p, f, 5, true),
    rdma: pair(p, f, 7, true),
    memory: pair(p, f, 9, false),
    disk: pair(p, f, 11, false),
    maxPerNode: cap,
    creation,
    scheduled,
    deletion,
    line: row.line,
  };
}

const gib = (v: number): string => `${Math.round(v * 1024)}Mi`;

/** The bare Pod of one instance. */
export function dlrmPodObject(r: DlrmRow): KObject {
  const requests: Record<string, string> = { cpu: String(r.cpu[0]), memory: gib(r.memory[0]) };
  const limits: Record<string, string> = { cpu: String(r.cpu[1]), memory: gib(r.memory[1]) };
  if (r.gpu[0] > 0 || r.gpu[1] > 0) {
    // Extended resources must have request = limit: the trace's request is what the pod asks for.
    requests[NVIDIA_GPU] = String(r.gpu[0]);
    limits[NVIDIA_GPU] = String(r.gpu[0]);
  }
  const annotations: Record<string, string> = {
    'kreplay.io/owner': `Deployment/${r.app.toLowerCase().replace(/_/g, '-')}`,
    'kreplay.io/rdma-request': String(r.rdma[0]),
    'kreplay.io/rdma-limit': String(r.rdma[1]),
    'kreplay.io/disk-request': `${r.disk[0]}Gi`,
    'kreplay.io/disk-limit': `${r.disk[1]}Gi`,
  };
  if (r.maxPerNode !== undefined) annotations[ANN_MAX_INSTANCE_PER_NODE] = String(r.maxPerNode);
  if (r.scheduled !== undefined) annotations[ANN_TRACE_SCHEDULED_TIME] = String(r.scheduled);
  if (r.creation !== undefined && r.deletion !== undefined)
    annotations[ANN_DURATION] = durationString(r.deletion - r.creation);
  const spec: Record<string, unknown> = {
    containers: [{ name: 'main', image: TRACE_IMAGE, resources: { requests, limits } }],
  };
  if (r.maxPerNode === 1) {
    spec.affinity = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          {
            labelSelector: { matchLabels: { [DLRM_APP_LABEL]: r.app } },
            topologyKey: 'kubernetes.io/hostname',
          },
        ],
      },
    };
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: r.name,
      namespace: 'default',
      labels: { [DLRM_APP_LABEL]: r.app, [DLRM_ROLE_LABEL]: r.role },
      annotations,
    },
    spec,
  } as KObject;
}

/**
 * Cuts the comma-separated fields of one run line in order, numbers read in place: `Number` of the
 * field for what the strict parser accepted, computed digit by digit for the common forms (up to 15
 * digits, optionally `.0`) without cutting a string.
 */
class RunLineReader {
  #pos = 0;
  constructor(readonly text: string) {}

  #end(): number {
    const comma = this.text.indexOf(',', this.#pos);
    return comma < 0 ? this.text.length : comma;
  }

  str(): string {
    const end = this.#end();
    const v = this.text.slice(this.#pos, end);
    this.#pos = end + 1;
    return v;
  }

  /** undefined for an empty field, or for `-1` when `minusOne`. */
  num(minusOne = false): number | undefined {
    const text = this.text;
    const start = this.#pos;
    const end = this.#end();
    this.#pos = end + 1;
    if (end === start) return undefined;
    let v = 0;
    for (let i = start; i < end; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d >= 0 && d <= 9 && i - start < 15) v = v * 10 + d;
      else if (d === -2 && i > start && i === end - 2 && text.charCodeAt(i + 1) === 48) return v;
      else {
        const field = text.slice(start, end);
        return minusOne && field === '-1' ? undefined : Number(field);
      }
    }
    return v;
  }

  pair(): [number, number] {
    return [this.num()!, this.num()!];
  }
}

/**
 * One valid row as a line of a sort run: its line number, the Pod name, then the row's other fields as
 * written. A valid row holds no comma, quote or line break in any field (ids, role and app are
 * label-safe, the rest are plain numbers), so the fields can be joined and split on commas.
 */
export function dlrmRunLine(r: DlrmRow, row: CsvRow): string {
  const f = row.fields;
  const parts: (string | number)[] = [row.line, r.name];
  for (let i = 1; i < f.length; i++) parts.push(f[i]!);
  return parts.join(','); // one flat string (a template literal would keep a rope of the pieces)
}

/**
 * Reads {@link dlrmRunLine}'s lines back into the rows {@link parseDlrmRow} made of them, without
 * checking them again (`Number` gives what the strict parser gave for every field it accepted); sorted
 * by creation time, t=0 when unknown.
 */
export const DLRM_ROW_CODEC: RunCodec<DlrmRow> = {
  key: (r) => r.creation ?? 0,
  decode: (text) => {
    const f = new RunLineReader(text);
    // Properties in DlrmRow's order; the reads in the line's.
    const line = f.num()!;
    const name = f.str();
    const role = f.str();
    const app = f.str();
    const cpu = f.pair();
    const gpu = f.pair();
    const rdma = f.pair();
    const memory = f.pair();
    const disk = f.pair();
    const maxPerNode = f.num(true);
    const creation = f.num();
    const scheduled = f.num();
    const deletion = f.num();
    return { name, role, app, cpu, gpu, rdma, memory, disk, maxPerNode, creation, scheduled, deletion, line };
  },
};

/**
 * Opens a DLRM instance list. `time-faithful` (default): instances without creation_time (already
 * running when the trace starts) are created at t=0, the others at creation_time; each is deleted at
 * its deletion_time (pending deletes in a heap). The file is not in time order, so this reads it in two
 * steps: every row is parsed and checked first (errors and skips as they come, in file order, before
 * any record), and the parsed rows go through an {@link ExternalSorter} by creation time (stable: file
 * order at equal times; runs of 65,536 rows in temp files beyond that), which then streams them back.
 * Memory: one run of rows and the live pods' deletes, never the whole list. `arrival-only`: all created
 * at t=0 in file order, never deleted, streamed as read.
 */
export function readDlrm2025(opts: Dlrm2025Options): TraceSource {
  const skips = new SkipCounter(opts.onInvalid);
  const mode = opts.mode ?? 'time-faithful';
  const loss: LossReport = {
    format: 'dlrm2025',
    notes: [
      'no node list: pods only (bring nodes with --manifests or another trace)',
      'each instance is a bare Pod; app_name -> label alibaba.com/app and annotation kreplay.io/owner: Deployment/<app> (no Deployment object: the trace creates the pods); role -> label alibaba.com/role',
      'cpu in cores, memory in GiB (as Mi), GPUs as nvidia.com/gpu (request = limit = gpu_request); rdma and disk requests/limits are annotations (no node of any trace carries them)',
      'max_instance_per_node -> annotation kreplay.io/max-instance-per-node; a cap of 1 is also a required pod anti-affinity per app on hostname; caps > 1 are not enforced (Kubernetes has no per-node count limit)',
      'scheduled_time kept as annotation kreplay.io/trace-scheduled-time for comparison only; the trace placement is unknown',
    ],
    skipped: skips.skipped,
  };
  /**
   * The parsed rows of the file, a chunk at a time, each passed to `sink` with its CSV row (then
   * dropped); bad rows fail or are counted as skips.
   */
  async function* rowBatches<T>(sink: (r: DlrmRow, row: CsvRow) => T | undefined): AsyncGenerator<T[]> {
    let header = true;
    for await (const batch of readCsvRowBatches(opts.pods)) {
      const out: T[] = [];
      for (const row of batch) {
        if (header) {
          header = false;
          if (row.fields.join(',') !== DLRM_COLUMNS.join(','))
            throw new InputError(
              opts.pods,
              row.line,
              undefined,
              `unexpected header; want ${JSON.stringify(DLRM_COLUMNS.join(','))}`,
              'BAD_HEADER',
            );
          continue;
        }
        let r: DlrmRow;
        try {
          r = parseDlrmRow(opts.pods, row);
        } catch (err) {
          skips.handle(err);
          continue;
        }
        const v = sink(r, row);
        if (v !== undefined) out.push(v);
      }
      yield out;
    }
    if (header)
      throw new InputError(opts.pods, 1, undefined, 'empty file: expected a header line', 'BAD_HEADER');
  }
  async function* arrivalBatches(): AsyncGenerator<TraceRecord[]> {
    loss.notes.push('arrival-only: every pod is created at t=0 in file order and never deleted');
    yield* rowBatches((r): TraceRecord => ({
      timeUs: 0,
      op: 'create',
      object: dlrmPodObject(r),
      source: { file: opts.pods, line: r.line },
    }));
  }
  async function* timedBatches(): AsyncGenerator<TraceRecord[]> {
    const sorter = new ExternalSorter(DLRM_ROW_CODEC, opts.sort);
    try {
      let before = 0;
      const sink = (r: DlrmRow, row: CsvRow): undefined => {
        if (r.creation === undefined) before++;
        sorter.add(r.creation ?? 0, dlrmRunLine(r, row));
      };
      for await (const none of rowBatches(sink)) void none;
      loss.notes.push(
        `time-faithful: times in trace seconds as they are; ${before} instances without creation_time (running before the trace) are created at t=0; the list is sorted by creation time (stable; an external merge sort beyond 65,536 rows)`,
      );
      const deletes = new TimeHeap<KObject>();
      let out: TraceRecord[] = [];
      for await (const rows of sorter.sorted()) {
        for (const r of rows) {
          const at = Math.round((r.creation ?? 0) * US);
          while (deletes.size > 0 && deletes.peekTime()! <= at) {
            const d = deletes.pop()!;
            out.push({ timeUs: d.timeUs, op: 'delete', object: d.value });
          }
          const pod = dlrmPodObject(r);
          out.push({ timeUs: at, op: 'create', object: pod, source: { file: opts.pods, line: r.line } });
          if (r.deletion !== undefined) deletes.push(Math.max(at, Math.round(r.deletion * US)), refOf(pod));
        }
        if (out.length >= BATCH) {
          yield out;
          out = [];
        }
      }
      for (let d = deletes.pop(); d; d = deletes.pop())
        out.push({ timeUs: d.timeUs, op: 'delete', object: d.value });
      yield out;
    } finally {
      sorter.dispose();
    }
  }
  const batches = mode === 'arrival-only' ? arrivalBatches() : timedBatches();
  return { format: 'dlrm2025', records: flattenBatches(batches), loss };
}
