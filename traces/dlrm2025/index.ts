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
  FieldScanner,
  flattenBatches,
  scanCsvLines,
  SeenTexts,
  SkipCounter,
  type CsvLineSink,
  type CsvRow,
  type OnInvalid,
} from '../input.js';
import {
  ANN_DURATION,
  ANN_TRACE_SCHEDULED_TIME,
  durationString,
  NVIDIA_GPU,
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
/**
 * Records handed out per batch, and rows per batch out of the sort. Small: every Pod of a batch in hand
 * survives the young-generation collections it spans, and copying survivors is most of their cost
 * (256 measured ~5 % faster than 1,024 on the time-faithful read).
 */
const BATCH = 256;
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
    name: podNameOf(sn),
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

/**
 * Texts of numbers that repeat from row to row (cores, GiB, caps): one string each, so a list of a
 * million instances does not build a million copies of "12" or "122880Mi". Whole numbers below 1,024
 * are looked up in an array, others in a map that starts over when it holds too many.
 */
class NumberTexts {
  readonly #small: (string | undefined)[] = new Array<string | undefined>(1024).fill(undefined);
  readonly #other = new Map<number, string>();
  constructor(readonly make: (v: number) => string) {}

  get(v: number): string {
    const small = v >= 0 && v < 1024 && (v | 0) === v;
    let t = small ? this.#small[v] : this.#other.get(v);
    if (t === undefined) {
      t = this.make(v);
      if (small) this.#small[v] = t;
      else {
        if (this.#other.size >= 4096) this.#other.clear();
        this.#other.set(v, t);
      }
    }
    return t;
  }
}

const plainText = new NumberTexts(String);
const mibText = new NumberTexts((gib) => `${Math.round(gib * 1024)}Mi`);
const giText = new NumberTexts((v) => `${v}Gi`);
/** The owner annotation of each app (a few hundred per trace). */
const owners = new Map<string, string>();
const ownerText = (app: string): string => {
  let t = owners.get(app);
  if (t === undefined) {
    if (owners.size >= 4096) owners.clear();
    t = `Deployment/${podNameOf(app)}`;
    owners.set(app, t);
  }
  return t;
};

/** The bare Pod of one instance. */
export function dlrmPodObject(r: DlrmRow): KObject {
  return dlrmPodOf(dlrmFieldsOf(r, scratchFields).nums, 0, r.name, r.role, r.app);
}

const scratchFields = dlrmFields();

/** {@link dlrmPodObject} of the fields at `n[at, at + 15)` (see {@link DlrmFields}) and the three strings. */
export function dlrmPodOf(n: Float64Array, at: number, name: string, role: string, app: string): KObject {
  const gpu = n[at + 3]!;
  const requests: Record<string, string> = {
    cpu: plainText.get(n[at + 1]!),
    memory: mibText.get(n[at + 7]!),
  };
  const limits: Record<string, string> = { cpu: plainText.get(n[at + 2]!), memory: mibText.get(n[at + 8]!) };
  if (gpu > 0 || n[at + 4]! > 0) {
    // Extended resources must have request = limit: the trace's request is what the pod asks for.
    requests[NVIDIA_GPU] = plainText.get(gpu);
    limits[NVIDIA_GPU] = plainText.get(gpu);
  }
  const annotations: Record<string, string> = {
    'kreplay.io/owner': ownerText(app),
    'kreplay.io/rdma-request': plainText.get(n[at + 5]!),
    'kreplay.io/rdma-limit': plainText.get(n[at + 6]!),
    'kreplay.io/disk-request': giText.get(n[at + 9]!),
    'kreplay.io/disk-limit': giText.get(n[at + 10]!),
  };
  const cap = n[at + 11]!;
  const creation = n[at + 12]!;
  const scheduled = n[at + 13]!;
  const deletion = n[at + 14]!;
  // NaN: no cap, no time (see DlrmFields).
  if (!Number.isNaN(cap)) annotations[ANN_MAX_INSTANCE_PER_NODE] = plainText.get(cap);
  if (!Number.isNaN(scheduled)) annotations[ANN_TRACE_SCHEDULED_TIME] = String(scheduled);
  if (!Number.isNaN(creation) && !Number.isNaN(deletion))
    annotations[ANN_DURATION] = durationString(deletion - creation);
  const spec: Record<string, unknown> = {
    containers: [{ name: 'main', image: TRACE_IMAGE, resources: { requests, limits } }],
  };
  if (cap === 1) {
    spec.affinity = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          {
            labelSelector: { matchLabels: { [DLRM_APP_LABEL]: app } },
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
      name,
      namespace: 'default',
      labels: { [DLRM_APP_LABEL]: app, [DLRM_ROLE_LABEL]: role },
      annotations,
    },
    spec,
  } as KObject;
}

/**
 * One row's values as the time-faithful sort stores them ({@link dlrmSortCodec}): `nums` holds the
 * line number, the five request/limit pairs (cpu, gpu, rdma, memory, disk), the cap and the three
 * times (NaN for an absent cap or time), 15 numbers; then the Pod name, role and app. The name is kept
 * where it stands (the instance id in the line, or a name already made), so that the sort can store
 * it without making a string of it first.
 */
export interface DlrmFields {
  readonly nums: Float64Array;
  /** The Pod name is {@link podNameOf} `nameText[nameFrom, nameEnd)`. */
  nameText: string;
  nameFrom: number;
  nameEnd: number;
  /** The Pod name (made on each read). */
  readonly name: string;
  role: string;
  app: string;
}

/** An empty {@link DlrmFields} to fill. */
export function dlrmFields(): DlrmFields {
  return {
    nums: new Float64Array(15),
    nameText: '',
    nameFrom: 0,
    nameEnd: 0,
    get name(): string {
      return podNameOf(this.nameText.slice(this.nameFrom, this.nameEnd));
    },
    role: '',
    app: '',
  };
}

/** The Pod (or Deployment) name of an instance id or app name: lower case, `_` as `-`. */
export function podNameOf(id: string): string {
  return id.toLowerCase().replaceAll('_', '-');
}

/** {@link podNameOf} as a table of ASCII characters, for ids copied straight from their line. */
const POD_NAME_ASCII = Uint8Array.from({ length: 128 }, (_, c) =>
  c >= 65 && c <= 90 ? c + 32 : c === 95 ? 45 : c,
);

const opt = (v: number): number | undefined => (Number.isNaN(v) ? undefined : v);

/** The row of the fields at `n[at, at + 15)` and the three strings. */
export function dlrmRowOf(n: Float64Array, at: number, name: string, role: string, app: string): DlrmRow {
  // Properties in parseDlrmRow's order (one hidden class for every row).
  return {
    name,
    role,
    app,
    cpu: [n[at + 1]!, n[at + 2]!],
    gpu: [n[at + 3]!, n[at + 4]!],
    rdma: [n[at + 5]!, n[at + 6]!],
    memory: [n[at + 7]!, n[at + 8]!],
    disk: [n[at + 9]!, n[at + 10]!],
    maxPerNode: opt(n[at + 11]!),
    creation: opt(n[at + 12]!),
    scheduled: opt(n[at + 13]!),
    deletion: opt(n[at + 14]!),
    line: n[at]!,
  };
}

/** Writes `r` into `out` (the inverse of {@link dlrmRowOf}). */
export function dlrmFieldsOf(r: DlrmRow, out: DlrmFields): DlrmFields {
  const n = out.nums;
  n[0] = r.line;
  n[1] = r.cpu[0];
  n[2] = r.cpu[1];
  n[3] = r.gpu[0];
  n[4] = r.gpu[1];
  n[5] = r.rdma[0];
  n[6] = r.rdma[1];
  n[7] = r.memory[0];
  n[8] = r.memory[1];
  n[9] = r.disk[0];
  n[10] = r.disk[1];
  n[11] = r.maxPerNode ?? NaN;
  n[12] = r.creation ?? NaN;
  n[13] = r.scheduled ?? NaN;
  n[14] = r.deletion ?? NaN;
  out.nameText = r.name;
  out.nameFrom = 0;
  out.nameEnd = r.name.length;
  out.role = r.role;
  out.app = r.app;
  return out;
}

/** What a delete record names: `refOf` (traces/objects.ts) of an instance's Pod. */
const podRef = (name: string): KObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' } }) as KObject;

/** An instance as the time-faithful sort hands it back: its Pod, its times in µs, its line. */
export interface DlrmTimed {
  readonly pod: KObject;
  /** creation_time (0 when absent: running before the trace). */
  readonly createUs: number;
  /** deletion_time, never before createUs; NaN when the trace never deletes it. */
  readonly deleteUs: number;
  readonly line: number;
}

/**
 * The time-faithful sort's columns of a row (see {@link DlrmFields}): its 15 numbers, the ids of its
 * role and app in this codec's own list of the texts seen (a few hundred apps, however long the trace),
 * and its Pod name, the one string stored per row. A row comes back as its Pod (exactly
 * {@link dlrmPodObject} of parseDlrmRow's row) and its times.
 */
export function dlrmSortCodec(): RunCodec<DlrmTimed, DlrmFields> {
  const ids = new Map<string, number>();
  const texts: string[] = [];
  const idOf = (text: string): number => {
    let id = ids.get(text);
    if (id === undefined) {
      id = texts.push(text) - 1;
      ids.set(text, id);
    }
    return id;
  };
  // The reader hands the same string for the same text, and rows repeat the row before's role and app.
  let lastRole = '';
  let lastRoleId = -1;
  let lastApp = '';
  let lastAppId = -1;
  return {
    numbers: 17,
    strings: 1,
    encode(f, n, at, s) {
      const v = f.nums;
      for (let k = 0; k < 15; k++) n[at + k] = v[k]!;
      if (f.role !== lastRole || lastRoleId < 0) lastRoleId = idOf((lastRole = f.role));
      if (f.app !== lastApp || lastAppId < 0) lastAppId = idOf((lastApp = f.app));
      n[at + 15] = lastRoleId;
      n[at + 16] = lastAppId;
      s.put(f.nameText, f.nameFrom, f.nameEnd, POD_NAME_ASCII);
    },
    decode(n, at, s, sAt) {
      const creation = n[at + 12]!;
      const deletion = n[at + 14]!;
      const createUs = Number.isNaN(creation) ? 0 : Math.round(creation * US);
      return {
        pod: dlrmPodOf(n, at, s.get(sAt), texts[n[at + 15]!]!, texts[n[at + 16]!]!),
        createUs,
        deleteUs: Number.isNaN(deletion) ? NaN : Math.max(createUs, Math.round(deletion * US)),
        line: n[at]!,
      };
    },
  };
}

const scanner = new FieldScanner();
const roleTexts = new SeenTexts(LABEL_RE);
const appTexts = new SeenTexts(LABEL_RE);
/** Whether `text[from, end)` matches {@link LABEL_RE}, read in place. */
function isLabelAt(text: string, from: number, end: number): boolean {
  if (end <= from) return false;
  for (let i = from; i < end; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90)) continue;
    if ((c !== 45 && c !== 46 && c !== 95) || i === from || i === end - 1) return false;
  }
  return true;
}

/**
 * {@link parseDlrmRow} of the line `text[start, end)` read in place into `out`, for the rows it is sure
 * of (plain digits and decimals, ids that pass every check); false for any other row, which the caller
 * then splits and parses the ordinary way (so values, errors and skips are parseDlrmRow's).
 */
export function scanDlrmFields(
  text: string,
  start: number,
  end: number,
  line: number,
  out: DlrmFields,
): boolean {
  const f = scanner;
  if (!f.skip(text, start, end)) return false;
  if (!isLabelAt(text, start, f.end)) return false;
  const nameEnd = f.end;
  const roleStart = f.end + 1;
  if (!f.skip(text, roleStart, end)) return false;
  const role = roleTexts.get(text, roleStart, f.end);
  const appStart = f.end + 1;
  if (role === undefined || !f.skip(text, appStart, end)) return false;
  const app = appTexts.get(text, appStart, f.end);
  if (app === undefined) return false;
  const n = out.nums;
  n[0] = line;
  // cpu, gpu, rdma: integers; memory, disk: decimals; each limit at least its request.
  for (let k = 1; k <= 10; k++) {
    if (f.end >= end) return false;
    const v = k <= 6 ? f.digits(text, f.end + 1, end) : f.decimal(text, f.end + 1, end);
    if (v < 0 || (k % 2 === 0 && v < n[k - 1]!)) return false;
    n[k] = v;
  }
  if (f.end >= end) return false;
  const capStart = f.end + 1;
  if (text.charCodeAt(capStart) === 45 && text.charCodeAt(capStart + 1) === 49 && capStart + 2 <= end) {
    f.end = capStart + 2;
    if (f.end < end && text.charCodeAt(f.end) !== 44) return false;
    n[11] = NaN;
  } else {
    const cap = f.digits(text, capStart, end);
    if (cap <= 0) return false;
    n[11] = cap;
  }
  for (let k = 12; k <= 14; k++) {
    if (f.end >= end) return false;
    const v = f.decimal(text, f.end + 1, end);
    if (v === -2) return false;
    n[k] = v === -1 ? NaN : v;
  }
  if (f.end !== end || n[14]! < n[12]!) return false; // NaN compares false: no check without both
  out.nameText = text;
  out.nameFrom = start;
  out.nameEnd = nameEnd;
  out.role = role;
  out.app = app;
  return true;
}

/** The rows of one instance list as they are read (see readDlrm2025's rowBatches). */
class DlrmRows<T> implements CsvLineSink {
  out: T[] = [];
  header = true;

  constructor(
    readonly file: string,
    readonly skips: SkipCounter,
    readonly sink: (f: DlrmFields) => T | undefined,
  ) {}

  readonly #fields = dlrmFields();

  add(text: string, start: number, end: number, line: number, fields: string[] | undefined): void {
    if (this.header) {
      this.header = false;
      const got = fields?.join(',') ?? text.slice(start, end);
      if (got !== DLRM_COLUMNS.join(','))
        throw new InputError(
          this.file,
          line,
          undefined,
          `unexpected header ${JSON.stringify(got)}; want ${JSON.stringify(DLRM_COLUMNS.join(','))}`,
          'BAD_HEADER',
        );
      return;
    }
    const f = this.#fields;
    try {
      if (fields !== undefined || !scanDlrmFields(text, start, end, line, f))
        dlrmFieldsOf(
          parseDlrmRow(this.file, { line, fields: fields ?? text.slice(start, end).split(',') }),
          f,
        );
    } catch (err) {
      this.skips.handle(err);
      return;
    }
    const v = this.sink(f);
    if (v !== undefined) this.out.push(v);
  }

  take(): T[] {
    const out = this.out;
    this.out = [];
    return out;
  }
}

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
   * The parsed rows of the file, a chunk at a time, each passed to `sink` (then dropped); bad rows fail
   * or are counted as skips. Rows are read in place ({@link scanDlrmRow}); a row that throws hands out
   * the rows before it in its chunk first, as a row-by-row reader would.
   */
  async function* rowBatches<T>(sink: (f: DlrmFields) => T | undefined): AsyncGenerator<T[]> {
    const rows = new DlrmRows(opts.pods, skips, sink);
    try {
      for await (const none of scanCsvLines(opts.pods, rows)) {
        void none;
        if (rows.out.length > 0) yield rows.take();
      }
    } catch (err) {
      if (rows.out.length > 0) yield rows.take();
      throw err;
    }
    if (rows.header)
      throw new InputError(opts.pods, 1, undefined, 'empty file: expected a header line', 'BAD_HEADER');
  }
  async function* arrivalBatches(): AsyncGenerator<TraceRecord[]> {
    loss.notes.push('arrival-only: every pod is created at t=0 in file order and never deleted');
    yield* rowBatches((f): TraceRecord => ({
      timeUs: 0,
      op: 'create',
      object: dlrmPodOf(f.nums, 0, f.name, f.role, f.app),
      source: { file: opts.pods, line: f.nums[0]! },
    }));
  }
  async function* timedBatches(): AsyncGenerator<TraceRecord[]> {
    const sorter = new ExternalSorter(dlrmSortCodec(), { batch: BATCH, ...opts.sort });
    try {
      let before = 0;
      const sink = (f: DlrmFields): undefined => {
        const creation = f.nums[12]!;
        if (Number.isNaN(creation)) before++;
        sorter.add(Number.isNaN(creation) ? 0 : creation, f);
      };
      for await (const none of rowBatches(sink)) void none;
      loss.notes.push(
        `time-faithful: times in trace seconds as they are; ${before} instances without creation_time (running before the trace) are created at t=0; the list is sorted by creation time (stable; an external merge sort beyond 65,536 rows)`,
      );
      // Pending deletes hold only the Pod's name (it lives on in the Pod anyway); the delete's object
      // is built when it is due, so a long-running pod does not keep one more object alive.
      const deletes = new TimeHeap<string>();
      let out: TraceRecord[] = [];
      for (const rows of sorter.sorted()) {
        for (const r of rows) {
          const at = r.createUs;
          while (deletes.size > 0 && deletes.peekTime()! <= at) {
            const d = deletes.pop()!;
            out.push({ timeUs: d.timeUs, op: 'delete', object: podRef(d.value) });
          }
          out.push({ timeUs: at, op: 'create', object: r.pod, source: { file: opts.pods, line: r.line } });
          if (!Number.isNaN(r.deleteUs)) deletes.push(r.deleteUs, r.pod.metadata!.name!);
        }
        if (out.length >= BATCH) {
          yield out;
          out = [];
        }
      }
      for (let d = deletes.pop(); d; d = deletes.pop())
        out.push({ timeUs: d.timeUs, op: 'delete', object: podRef(d.value) });
      yield out;
    } finally {
      sorter.dispose();
    }
  }
  const batches = mode === 'arrival-only' ? arrivalBatches() : timedBatches();
  return { format: 'dlrm2025', records: flattenBatches(batches), loss };
}
