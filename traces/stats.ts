/**
 * `trace stats`: counts and totals of a trace, folded over its records in one pass. Memory holds one
 * entry per node and per distinct pod shape (requests + placement constraints), never one per pod.
 */
import { nodeAllocatable, podRequests } from '../engine/api/resources.js';
import type {
  KObject,
  Node,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  Pod,
  Taint,
  Toleration,
} from '../engine/api/types.js';
import { ANN_GPU_COUNT, ANN_GPU_MILLI_PER_GPU, GPU_MILLI, GPU_MODEL_LABEL, NVIDIA_GPU } from './objects.js';
import type { LossReport, RecordSource, TraceRecord } from './types.js';
import { inBatches } from './input.js';
import { InputError, ValidationError } from '../engine/api/errors.js';

const MIB = 1024 * 1024;

/** Pods by GPU demand. */
export interface PodKinds {
  /** No GPU. */
  cpuOnly: number;
  /** A fraction (< 1000 milli) of one GPU. */
  gpuSharing: number;
  /** Exactly one whole GPU. */
  oneGpu: number;
  /** Two or more whole GPUs. */
  multiGpu: number;
}

/** What `trace stats --json` prints (keys are part of the CLI contract: add, never rename). */
export interface TraceStats {
  format: string;
  records: number;
  ops: { create: number; update: number; delete: number };
  /** Objects created, by Kubernetes kind. */
  objectsByKind: Record<string, number>;
  nodes: number;
  cpuMilli: number;
  memoryMib: number;
  gpus: number;
  gpusByModel: Record<string, number>;
  /** Pod objects of the trace. */
  pods: number;
  /**
   * Pods the trace's workload objects would have their controllers create ({@link controllerPods}):
   * counted in podsByKind, requested and podsFitNoNode with the trace's own pods.
   */
  podsFromControllers: number;
  podsByKind: PodKinds;
  requested: { cpuMilli: number; memoryMib: number; gpuMilli: number };
  timeSpan: { firstUs: number; lastUs: number; seconds: number };
  /** Pods that no node of the trace could hold even when empty (resources, affinity, taints, GPUs). */
  podsFitNoNode: number;
  loss: LossReport;
}

interface NodeShape {
  alloc: Map<string, number>;
  labels: Record<string, string>;
  taints: Taint[];
  gpus: number;
}

interface PodShape {
  count: number;
  requests: Map<string, number>;
  nodeSelector: Record<string, string>;
  terms: NodeSelectorTerm[];
  tolerations: Toleration[];
  gpuCount: number;
  gpuMilliPerGpu: number;
}

/**
 * Pods that share placement constraints (node selector, required node affinity, tolerations), with
 * the count of each distinct demand (requests and GPU devices) among them. A demand is kept as one
 * short string (see {@link demandKey}), not as objects: a long trace has hundreds of thousands of them.
 */
interface ConstraintGroup {
  readonly nodeSelector: Record<string, string>;
  readonly terms: NodeSelectorTerm[];
  readonly tolerations: Toleration[];
  readonly demands: Map<string, number>;
}

const NO_SELECTOR: Record<string, string> = {};
const NO_TERMS: NodeSelectorTerm[] = [];
const NO_TOLERATIONS: Toleration[] = [];

/** `gpuCount gpuMilliPerGpu resource value resource value …`: a pod's demand as one string. */
function demandKey(requests: Map<string, number>, gpu: { count: number; milliPerGpu: number }): string {
  let key = `${gpu.count} ${gpu.milliPerGpu}`;
  for (const [r, v] of requests) key += ` ${r} ${v}`;
  return key;
}

/** The PodShape of a group's demand key (the inverse of {@link demandKey}). */
function shapeOf(group: ConstraintGroup, key: string, count: number): PodShape {
  const parts = key.split(' ');
  const requests = new Map<string, number>();
  for (let i = 2; i < parts.length; i += 2) requests.set(parts[i]!, Number(parts[i + 1]));
  return {
    count,
    requests,
    nodeSelector: group.nodeSelector,
    terms: group.terms,
    tolerations: group.tolerations,
    gpuCount: Number(parts[0]),
    gpuMilliPerGpu: Number(parts[1]),
  };
}

/** A pod's GPU demand: devices and thousandths of each, from kreplay's annotations or its requests. */
export function podGpuDemand(
  pod: Pod,
  requests: Map<string, number>,
): { count: number; milliPerGpu: number } {
  const ann = pod.metadata?.annotations ?? {};
  const count = Number(ann[ANN_GPU_COUNT]);
  const per = Number(ann[ANN_GPU_MILLI_PER_GPU]);
  if (count > 0 && per > 0) return { count, milliPerGpu: per };
  const whole = requests.get(NVIDIA_GPU) ?? 0;
  if (whole > 0) return { count: whole, milliPerGpu: 1000 };
  const milli = requests.get(GPU_MILLI) ?? 0;
  if (milli <= 0) return { count: 0, milliPerGpu: 0 };
  return milli < 1000
    ? { count: 1, milliPerGpu: milli }
    : { count: Math.ceil(milli / 1000), milliPerGpu: 1000 };
}

function matchExpr(labels: Record<string, string>, e: NodeSelectorRequirement): boolean {
  const v = labels[e.key];
  switch (e.operator) {
    case 'In':
      return v !== undefined && (e.values ?? []).includes(v);
    case 'NotIn':
      return v === undefined || !(e.values ?? []).includes(v);
    case 'Exists':
      return v !== undefined;
    case 'DoesNotExist':
      return v === undefined;
    case 'Gt':
    case 'Lt': {
      const n = Number(v);
      const bound = Number(e.values?.[0]);
      if (v === undefined || !Number.isInteger(n) || !Number.isInteger(bound)) return false;
      return e.operator === 'Gt' ? n > bound : n < bound;
    }
    default:
      return false;
  }
}

function tolerates(tolerations: Toleration[], taint: Taint): boolean {
  return tolerations.some(
    (t) =>
      (t.effect === undefined || t.effect === '' || t.effect === taint.effect) &&
      (t.key === undefined || t.key === '' ? t.operator === 'Exists' : t.key === taint.key) &&
      (t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '')),
  );
}

function fits(p: PodShape, n: NodeShape): boolean {
  for (const [r, v] of p.requests) if (v > 0 && (n.alloc.get(r) ?? 0) < v) return false;
  if ((n.alloc.get('pods') ?? 1) < 1) return false;
  if (p.gpuCount > 0 && n.gpus > 0 && n.gpus < p.gpuCount) return false;
  for (const [k, v] of Object.entries(p.nodeSelector)) if (n.labels[k] !== v) return false;
  if (
    p.terms.length > 0 &&
    !p.terms.some((t) => (t.matchExpressions ?? []).every((e) => matchExpr(n.labels, e)))
  )
    return false;
  for (const taint of n.taints) {
    if ((taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') && !tolerates(p.tolerations, taint))
      return false;
  }
  return true;
}

/** Folds records into {@link TraceStats}; `loss` is read after the last record. */
export async function traceStats(
  format: string,
  records: AsyncIterable<TraceRecord>,
  loss: LossReport,
): Promise<TraceStats> {
  const ops = { create: 0, update: 0, delete: 0 };
  const objectsByKind: Record<string, number> = {};
  const nodes = new Map<string, Node>();
  const podKinds: PodKinds = { cpuOnly: 0, gpuSharing: 0, oneGpu: 0, multiGpu: 0 };
  const requested = { cpuMilli: 0, memoryMib: 0, gpuMilli: 0 };
  const podShapes = new Map<string, ConstraintGroup>();
  let pods = 0;
  let podsFromControllers = 0;
  let n = 0;
  let firstUs = 0;
  let lastUs = 0;
  // Where each node came from: a quantity that cannot be counted is reported at its line.
  const nodeSources = new Map<string, RecordSource | undefined>();
  for await (const batch of inBatches(records))
    for (const rec of batch) {
      if (n === 0) firstUs = rec.timeUs;
      lastUs = rec.timeUs;
      n++;
      ops[rec.op]++;
      const kind = rec.object.kind ?? '';
      if (kind === 'Node' && rec.op !== 'delete') {
        nodes.set(rec.object.metadata?.name ?? '', rec.object as Node);
        nodeSources.set(rec.object.metadata?.name ?? '', rec.source);
      }
      if (rec.op !== 'create') continue;
      objectsByKind[kind] = (objectsByKind[kind] ?? 0) + 1;
      if (kind !== 'Pod') {
        const made = controllerPods(rec.object);
        if (made !== undefined) {
          podsFromControllers += made.count;
          atSource(rec.source, () => addPod(made.template, podKinds, requested, podShapes, made.count));
        }
        continue;
      }
      pods++;
      atSource(rec.source, () => addPod(rec.object, podKinds, requested, podShapes));
    }
  let cpuMilli = 0;
  let memoryBytes = 0;
  let gpus = 0;
  const gpusByModel: Record<string, number> = {};
  const nodeShapes = new Map<string, NodeShape>();
  for (const [name, node] of nodes) {
    const alloc = atSource(nodeSources.get(name), () => nodeAllocatable(node));
    cpuMilli += alloc.get('cpu') ?? 0;
    memoryBytes += alloc.get('memory') ?? 0;
    const g = alloc.get(NVIDIA_GPU) ?? Math.floor((alloc.get(GPU_MILLI) ?? 0) / 1000);
    if (g > 0) {
      gpus += g;
      const model = node.metadata?.labels?.[GPU_MODEL_LABEL] ?? 'unknown';
      gpusByModel[model] = (gpusByModel[model] ?? 0) + g;
    }
    const labels = { ...(node.metadata?.labels ?? {}) };
    delete labels['kubernetes.io/hostname']; // per-node, would make every shape unique
    const taints = node.spec?.taints ?? [];
    const key = JSON.stringify([[...alloc], labels, taints]);
    if (!nodeShapes.has(key)) nodeShapes.set(key, { alloc, labels, taints, gpus: g });
  }
  let podsFitNoNode = 0;
  const shapes = [...nodeShapes.values()];
  for (const group of podShapes.values()) {
    for (const [key, count] of group.demands) {
      const p = shapeOf(group, key, count);
      if (!shapes.some((s) => fits(p, s))) podsFitNoNode += p.count;
    }
  }
  return {
    format,
    records: n,
    ops,
    objectsByKind,
    nodes: nodes.size,
    cpuMilli,
    memoryMib: memoryBytes / MIB,
    gpus,
    gpusByModel: Object.fromEntries(
      Object.entries(gpusByModel).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    ),
    pods,
    podsFromControllers,
    podsByKind: podKinds,
    requested: { ...requested, memoryMib: requested.memoryMib },
    timeSpan: { firstUs, lastUs, seconds: (lastUs - firstUs) / 1e6 },
    podsFitNoNode,
    loss: { format: loss.format, notes: [...loss.notes], skipped: { ...loss.skipped } },
  };
}

function addPod(
  obj: KObject,
  kinds: PodKinds,
  requested: TraceStats['requested'],
  groups: Map<string, ConstraintGroup>,
  times = 1,
): void {
  const pod = obj as Pod;
  const req = podRequests(pod);
  const gpu = podGpuDemand(pod, req);
  if (gpu.count === 0) kinds.cpuOnly += times;
  else if (gpu.count === 1 && gpu.milliPerGpu < 1000) kinds.gpuSharing += times;
  else if (gpu.count === 1) kinds.oneGpu += times;
  else kinds.multiGpu += times;
  requested.cpuMilli += times * (req.get('cpu') ?? 0);
  requested.memoryMib += (times * (req.get('memory') ?? 0)) / MIB;
  requested.gpuMilli += times * gpu.count * gpu.milliPerGpu;
  const spec = pod.spec;
  const nodeSelector = spec?.nodeSelector ?? NO_SELECTOR;
  const terms =
    spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ??
    NO_TERMS;
  const tolerations = spec?.tolerations ?? NO_TOLERATIONS;
  const unconstrained =
    terms.length === 0 && tolerations.length === 0 && Object.keys(nodeSelector).length === 0;
  const groupKey = unconstrained ? '' : JSON.stringify([nodeSelector, terms, tolerations]);
  let group = groups.get(groupKey);
  if (!group) {
    group = { nodeSelector, terms, tolerations, demands: new Map() };
    groups.set(groupKey, group);
  }
  const key = demandKey(req, gpu);
  group.demands.set(key, (group.demands.get(key) ?? 0) + times);
}

/**
 * The pods a workload object's controller creates from its template over the run, and the template:
 * Deployment, ReplicaSet and StatefulSet `replicas` (default 1), a Job's `completions` (else its
 * `parallelism`, default 1; none when `parallelism` is 0, as for the Jobs whose pods a trace creates).
 * DaemonSets (one per matching node) and CronJobs (one Job per schedule time) are not counted.
 */
export function controllerPods(obj: KObject): { count: number; template: KObject } | undefined {
  const spec = (obj as { spec?: Record<string, unknown> }).spec;
  const template = spec?.template as { metadata?: unknown; spec?: unknown } | undefined;
  if (!template?.spec) return undefined;
  const int = (v: unknown, dflt: number): number =>
    typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : dflt;
  let count: number;
  switch (obj.kind) {
    case 'Deployment':
    case 'ReplicaSet':
    case 'StatefulSet':
      count = int(spec!.replicas, 1);
      break;
    case 'Job':
      count = int(spec!.parallelism, 1) === 0 ? 0 : int(spec!.completions, int(spec!.parallelism, 1));
      break;
    default:
      return undefined;
  }
  if (count === 0) return undefined;
  return {
    count,
    template: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: template.metadata ?? {},
      spec: template.spec,
    } as KObject,
  };
}

/** Runs `f`; a field it cannot read is reported at the record's file and line when the reader gave one. */
function atSource<T>(source: RecordSource | undefined, f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (source && err instanceof ValidationError)
      throw new InputError(source.file, source.line, err.path || undefined, err.detail, err.code);
    throw err;
  }
}
