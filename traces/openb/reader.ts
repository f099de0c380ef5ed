/**
 * openb rows -> Kubernetes Nodes and bare Pods -> TraceRecords (mapping in docs/traces.md).
 */
import type { KObject } from '../../engine/api/types.js';
import {
  flattenBatches,
  plainDecimalAt,
  readLineBatches,
  SkipCounter,
  splitCsvLine,
  type OnInvalid,
} from '../input.js';
import { TimeHeap } from '../heap.js';
import {
  ANN_DURATION,
  ANN_EXIT,
  ANN_GPU_COUNT,
  ANN_GPU_MILLI_PER_GPU,
  ANN_GPU_SPEC,
  ANN_TRACE_PHASE,
  ANN_TRACE_SCHEDULED_TIME,
  DEFAULT_MAX_PODS,
  durationString,
  GPU_MILLI,
  GPU_MODEL_LABEL,
  makeNode,
  NVIDIA_GPU,
  refOf,
  TRACE_IMAGE,
} from '../objects.js';
import type { LossReport, TraceMode, TraceRecord, TraceSource } from '../types.js';
import { openbNodeRowBatches, openbPodRowBatches, type OpenbNodeRow, type OpenbPodRow } from './rows.js';

/** Options of {@link readOpenb}. */
export interface OpenbOptions {
  /** Node list (`sn,cpu_milli,memory_mib,gpu,model`). */
  readonly nodes?: string;
  /** Pod list (11 columns, or the 5 of the `multigpu*` lists). */
  readonly pods?: string;
  /** `time-faithful` (default): create at creation_time, delete at deletion_time; `arrival-only`: creates at t=0 in file order. */
  readonly mode?: TraceMode;
  readonly onInvalid?: OnInvalid;
}

const US = 1_000_000;
/** Rows per batch when a sorted in-memory list is handed out. */
const SORTED_BATCH = 1024;

/** The Node of one node row. */
export function openbNodeObject(row: OpenbNodeRow): KObject {
  const name = /^\d+$/.test(row.sn) ? `openb-node-${row.sn.padStart(4, '0')}` : row.sn;
  const resources: Record<string, string> = {
    cpu: `${row.cpuMilli}m`,
    memory: `${row.memoryMib}Mi`,
    pods: DEFAULT_MAX_PODS,
  };
  if (row.gpu > 0) {
    resources[NVIDIA_GPU] = String(row.gpu);
    resources[GPU_MILLI] = String(row.gpu * 1000);
  }
  return makeNode(name, resources, row.model ? { [GPU_MODEL_LABEL]: row.model } : {});
}

/** `<n><suffix>` for the integers pods ask for, each made once (lists repeat a few hundred values). */
class IntTexts {
  readonly #texts = new Map<number, string>();
  constructor(readonly suffix: string) {}

  get(n: number): string {
    let t = this.#texts.get(n);
    if (t === undefined) {
      t = `${n}${this.suffix}`;
      if (this.#texts.size < 65_536) this.#texts.set(n, t);
    }
    return t;
  }
}

const cpuTexts = new IntTexts('m');
const memoryTexts = new IntTexts('Mi');
const intTexts = new IntTexts('');

/** The bare Pod of one pod row (namespace `default`, one container `main`). */
export function openbPodObject(row: OpenbPodRow): KObject {
  const cpu = cpuTexts.get(row.cpuMilli);
  const memory = memoryTexts.get(row.memoryMib);
  let resources: Record<string, unknown>;
  const annotations: Record<string, string> = {};
  let hasAnnotations = false;
  if (row.numGpu > 0) {
    const milli = intTexts.get(row.numGpu * row.gpuMilli);
    // Kubernetes rejects an extended-resource request without an equal limit: keep the pod valid.
    resources = { requests: { cpu, memory, [GPU_MILLI]: milli }, limits: { [GPU_MILLI]: milli } };
    annotations[ANN_GPU_COUNT] = intTexts.get(row.numGpu);
    annotations[ANN_GPU_MILLI_PER_GPU] = intTexts.get(row.gpuMilli);
    hasAnnotations = true;
  } else resources = { requests: { cpu, memory } };
  const gpuSpec = row.gpuSpec.length > 0;
  if (gpuSpec) {
    annotations[ANN_GPU_SPEC] = row.gpuSpec.join('|');
    hasAnnotations = true;
  }
  if (row.phase !== undefined) {
    annotations[ANN_TRACE_PHASE] = row.phase;
    hasAnnotations = true;
  }
  if (row.scheduledTime !== undefined) {
    annotations[ANN_TRACE_SCHEDULED_TIME] = String(row.scheduledTime);
    // A pod the trace saw running runs for (deletion − scheduled): its work, whatever its wait here.
    if (row.deletionTime !== undefined) {
      annotations[ANN_DURATION] = durationString(Math.max(0, row.deletionTime - row.scheduledTime));
      // It ends as the trace saw it end: a Failed pod fails after its run (as alibaba2018's instances).
      if (row.phase === 'Failed') annotations[ANN_EXIT] = 'failed';
    }
    hasAnnotations = true;
  }
  const metadata: Record<string, unknown> = row.qos
    ? { name: row.name, namespace: 'default', labels: { 'alibaba.com/qos': row.qos } }
    : { name: row.name, namespace: 'default' };
  if (hasAnnotations) metadata.annotations = annotations;
  const containers = [{ name: 'main', image: TRACE_IMAGE, resources }];
  if (!gpuSpec) return { apiVersion: 'v1', kind: 'Pod', metadata, spec: { containers } } as KObject;
  const affinity = {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          { matchExpressions: [{ key: GPU_MODEL_LABEL, operator: 'In', values: [...row.gpuSpec] }] },
        ],
      },
    },
  };
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: { containers, affinity } } as KObject;
}

/** The creation_time of a data row that is not quoted, read in place; NaN when it has none (ignored). */
function creationTimeOf(text: string): number {
  let from = 0;
  for (let k = 0; k < 8; k++) {
    const comma = text.indexOf(',', from);
    if (comma < 0) return NaN;
    from = comma + 1;
  }
  const comma = text.indexOf(',', from);
  const end = comma < 0 ? text.length : comma;
  if (end === from) return NaN;
  const t = plainDecimalAt(text, from, end);
  return Number.isNaN(t) ? Number(text.slice(from, end)) : t;
}

/**
 * One cheap pass over a pod list: the earliest creation_time and whether rows are in creation order.
 * Unparseable values are ignored here; the real pass reports them.
 */
async function scanCreationTimes(file: string): Promise<{ min: number; sorted: boolean; hasTimes: boolean }> {
  let min = Infinity;
  let prev = -Infinity;
  let sorted = true;
  let first = true;
  for await (const batch of readLineBatches(file)) {
    for (const { line, text } of batch) {
      if (first) {
        first = false;
        if (splitCsvLine(file, line, text).length <= 5) return { min: 0, sorted, hasTimes: false };
        continue;
      }
      let t: number;
      if (text.includes('"')) {
        const f8 = splitCsvLine(file, line, text)[8];
        t = f8 === '' ? NaN : Number(f8);
      } else t = creationTimeOf(text);
      if (!Number.isFinite(t) || t < 0) continue;
      if (t < min) min = t;
      if (t < prev) sorted = false;
      prev = t;
    }
  }
  return { min: min === Infinity ? 0 : min, sorted, hasTimes: !first };
}

/** What becomes of a pod the trace ran, in either mode (a loss-report clause). */
const RAN =
  'a pod the trace ran (scheduled_time and deletion_time set) runs for deletion − scheduled seconds once started, then ends Failed if its pod_phase is Failed (kreplay.io/exit: failed), else Succeeded';

/**
 * Opens an openb node list and/or pod list as a stream of TraceRecords: nodes are created at t=0 (before
 * any pod), then pods per `mode`. Memory holds the pending deletes of live pods only, except for a pod
 * list whose rows are not in creation order: those rows are sorted in memory (and the loss report says so).
 */
export function readOpenb(opts: OpenbOptions): TraceSource {
  const skips = new SkipCounter(opts.onInvalid);
  const loss: LossReport = { format: 'openb', notes: [], skipped: skips.skipped };
  const mode = opts.mode ?? 'time-faithful';
  if (opts.nodes) {
    loss.notes.push(
      'nodes: allocatable = capacity (the node list has no system reservations); pods capacity 110',
    );
  }
  if (opts.pods) {
    loss.notes.push(
      'no owner column: every pod is a bare Pod in namespace default',
      'GPU demand is the extended resource kreplay.io/gpu-milli; devices and share per device are in annotations',
      'the trace placement is unknown (no node column); pod_phase and scheduled_time are kept as annotations for comparison',
    );
  }
  async function* recordBatches(): AsyncGenerator<TraceRecord[]> {
    if (opts.nodes) {
      const file = opts.nodes;
      for await (const rows of openbNodeRowBatches(file, { skips }))
        yield rows.map((row) => ({
          timeUs: 0,
          op: 'create',
          object: openbNodeObject(row),
          source: { file, line: row.line },
        }));
    }
    if (!opts.pods) return;
    const podFile = opts.pods;
    const scan = mode === 'time-faithful' ? await scanCreationTimes(opts.pods) : undefined;
    if (!scan || !scan.hasTimes) {
      loss.notes.push(
        scan
          ? 'the pod list has no times (5 columns): pods arrive at t=0 in file order and are never deleted'
          : `arrival-only: every pod is created at t=0 in file order and never deleted; ${RAN}`,
      );
      for await (const rows of openbPodRowBatches(opts.pods, { skips }))
        yield rows.map((row) => ({
          timeUs: 0,
          op: 'create',
          object: openbPodObject(row),
          source: { file: podFile, line: row.line },
        }));
      return;
    }
    loss.notes.push(
      `time-faithful: times shifted so that the earliest creation_time (${scan.min} s) is t=0; ${RAN}; only pods deleted without ever running are deleted at deletion_time`,
    );
    let batches: AsyncIterable<OpenbPodRow[]> = openbPodRowBatches(opts.pods, { skips });
    if (!scan.sorted) {
      loss.notes.push('rows are not in creation_time order: the pod list was sorted in memory (stable)');
      const all: OpenbPodRow[] = [];
      for await (const rows of batches) for (const r of rows) all.push(r);
      all.sort((a, b) => a.creationTime! - b.creationTime!);
      batches = (async function* () {
        for (let i = 0; i < all.length; i += SORTED_BATCH) yield all.slice(i, i + SORTED_BATCH);
      })();
    }
    const deletes = new TimeHeap<KObject>();
    for await (const rows of batches) {
      const out: TraceRecord[] = [];
      for (const row of rows) {
        const createUs = Math.round((row.creationTime! - scan.min) * US);
        // Deletes due at or before this create go first: a pod that ends when another starts frees its room.
        while (deletes.size > 0 && deletes.peekTime()! <= createUs) {
          const d = deletes.pop()!;
          out.push({ timeUs: d.timeUs, op: 'delete', object: d.value });
        }
        const pod = openbPodObject(row);
        out.push({ timeUs: createUs, op: 'create', object: pod, source: { file: podFile, line: row.line } });
        if (row.deletionTime !== undefined && row.scheduledTime === undefined)
          deletes.push(Math.round((row.deletionTime - scan.min) * US), refOf(pod));
      }
      yield out;
    }
    const out: TraceRecord[] = [];
    for (let d = deletes.pop(); d; d = deletes.pop())
      out.push({ timeUs: d.timeUs, op: 'delete', object: d.value });
    yield out;
  }
  return { format: 'openb', records: flattenBatches(recordBatches()), loss };
}
