import {
  CODE,
  MAX_NODE_SCORE,
  SUCCESS,
  pluginArgs,
  type CycleState,
  type FilterOutput,
  type FilterPlugin,
  type FrameworkHandle,
  type PluginFactory,
  type PodInfo,
  type PreFilterPlugin,
  type PreFilterResult,
  type PreScorePlugin,
  type ScorePlugin,
  type Status,
} from '../../framework/index.js';
import { RES_CPU, RES_EPHEMERAL_STORAGE, RES_MEMORY, RES_PODS, type NodeIndex } from '../../index/index.js';
import {
  ResourceVector,
  isExtendedResourceName,
  isScalarResourceName,
  parseResources,
  type ResourceSpec,
} from './resource-allocation.js';

export {
  ResourceVector,
  DEFAULT_RESOURCES,
  isExtendedResourceName,
  isScalarResourceName,
  parseResources,
} from './resource-allocation.js';
export type { ResourceSpec } from './resource-allocation.js';

/** Plugin name. */
export const NAME = 'NodeResourcesFit';

/** Scoring strategies of NodeResourcesFit. */
export type ScoringStrategyType = 'LeastAllocated' | 'MostAllocated' | 'RequestedToCapacityRatio';

/** One point of a RequestedToCapacityRatio shape: utilization 0..100 → score 0..10. */
export interface ShapePoint {
  readonly utilization: number;
  readonly score: number;
}

/** NodeResourcesFit args, validated and defaulted. */
export interface NodeResourcesFitArgs {
  readonly ignoredResources: readonly string[];
  readonly ignoredResourceGroups: readonly string[];
  readonly scoringStrategy: {
    readonly type: ScoringStrategyType;
    readonly resources: readonly ResourceSpec[];
    readonly requestedToCapacityRatio?: { readonly shape: readonly ShapePoint[] };
  };
}

/** The defaults: LeastAllocated over cpu and memory, weight 1. */
export const DEFAULT_FIT_ARGS: NodeResourcesFitArgs = {
  ignoredResources: [],
  ignoredResourceGroups: [],
  scoringStrategy: {
    type: 'LeastAllocated',
    resources: [
      { name: 'cpu', weight: 1 },
      { name: 'memory', weight: 1 },
    ],
  },
};

/** `(capacity − requested) × 100 / capacity`, 0 when over capacity. */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** `min(requested, capacity) × 100 / capacity`. */
export function mostRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  if (requested > capacity) requested = capacity;
  return Math.trunc((requested * MAX_NODE_SCORE) / capacity);
}

/** kube-scheduler's BuildBrokenLinearFunction over (utilization, score×10) points. */
export function brokenLinear(shape: readonly ShapePoint[], p: number): number {
  for (let i = 0; i < shape.length; i++) {
    if (p <= shape[i]!.utilization) {
      if (i === 0) return shape[0]!.score;
      const a = shape[i - 1]!;
      const b = shape[i]!;
      return (
        a.score + Math.trunc(((b.score - a.score) * (p - a.utilization)) / (b.utilization - a.utilization))
      );
    }
  }
  return shape[shape.length - 1]!.score;
}

/** A strategy scorer over the loaded vector: integer score 0..100. */
type Scorer = (req: Float64Array, alloc: Float64Array, weights: Float64Array) => number;

function weightedMean(f: (req: number, cap: number) => number): Scorer {
  return (req, alloc, weights) => {
    let score = 0;
    let weightSum = 0;
    for (let i = 0; i < req.length; i++) {
      if (alloc[i] === 0) continue;
      score += f(req[i]!, alloc[i]!) * weights[i]!;
      weightSum += weights[i]!;
    }
    return weightSum === 0 ? 0 : Math.trunc(score / weightSum);
  };
}

function rtcrScorer(shapeIn: readonly ShapePoint[]): Scorer {
  // Shape scores are 0..10 (MaxCustomPriorityScore); scaled to MaxNodeScore.
  const shape = shapeIn.map((p) => ({ utilization: p.utilization, score: p.score * (MAX_NODE_SCORE / 10) }));
  const resourceScore = (req: number, cap: number): number =>
    cap === 0 || req > cap ? brokenLinear(shape, 100) : brokenLinear(shape, Math.trunc((req * 100) / cap));
  return (req, alloc, weights) => {
    let score = 0;
    let weightSum = 0;
    for (let i = 0; i < req.length; i++) {
      if (alloc[i] === 0) continue;
      const s = resourceScore(req[i]!, alloc[i]!);
      // A resource whose shaped score is 0 drops out of numerator and weight sum (as upstream).
      if (s > 0) {
        score += s * weights[i]!;
        weightSum += weights[i]!;
      }
    }
    return weightSum === 0 ? 0 : Math.round(score / weightSum);
  };
}

/** Builds the scorer of a strategy. */
export function strategyScorer(args: NodeResourcesFitArgs['scoringStrategy']): Scorer {
  switch (args.type) {
    case 'LeastAllocated':
      return weightedMean(leastRequestedScore);
    case 'MostAllocated':
      return weightedMean(mostRequestedScore);
    case 'RequestedToCapacityRatio':
      return rtcrScorer(args.requestedToCapacityRatio!.shape);
  }
}

/**
 * Filter: the node must have room for every requested resource (cpu, memory, ephemeral-storage, and
 * scalar/extended resources except ignored ones) and for one more pod; all shortfalls are reported
 * ("Too many pods", "Insufficient cpu", ...), status Unschedulable. Score: the configured strategy
 * over the configured resources, with non-zero defaults for cpu/memory.
 */
export class NodeResourcesFit implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  readonly #h: FrameworkHandle;
  readonly #idx: NodeIndex;
  readonly #args: NodeResourcesFitArgs;
  readonly #vector: ResourceVector;
  readonly #scorer: Scorer;
  readonly #reasonCache = new Map<string, number>();
  readonly #singleReason: (number | undefined)[] = [];
  // Filter scratch for the current pod: resource ids and amounts actually checked, in upstream order.
  #checkPod: PodInfo | undefined;
  #checkIds = new Int32Array(8);
  #checkAmounts = new Float64Array(8);
  #checkCount = 0;
  #failed = new Int32Array(8);
  readonly #allocCols: Float64Array[] = [];
  readonly #reqCols: Float64Array[] = [];

  constructor(args: NodeResourcesFitArgs, h: FrameworkHandle) {
    this.#h = h;
    this.#idx = h.index;
    this.#args = args;
    this.#vector = new ResourceVector(args.scoringStrategy.resources, false);
    this.#scorer = strategyScorer(args.scoringStrategy);
  }

  preFilter(): PreFilterResult {
    return { status: SUCCESS };
  }

  #prepareChecks(pod: PodInfo): void {
    this.#checkPod = pod;
    const r = pod.resources;
    const n = r.ids.length;
    if (this.#checkIds.length < n + 3) {
      this.#checkIds = new Int32Array(n + 8);
      this.#checkAmounts = new Float64Array(n + 8);
      this.#failed = new Int32Array(n + 9);
    }
    let c = 0;
    const push = (id: number, amount: number): void => {
      this.#checkIds[c] = id;
      this.#checkAmounts[c] = amount;
      c++;
    };
    // Upstream checks cpu, memory, ephemeral-storage first, then scalar resources (map order in Go;
    // kreplay uses the pod spec's order, which is deterministic).
    if (r.milliCpu > 0) push(RES_CPU, r.milliCpu);
    if (r.memoryBytes > 0) push(RES_MEMORY, r.memoryBytes);
    if (r.ephemeralBytes > 0) push(RES_EPHEMERAL_STORAGE, r.ephemeralBytes);
    const ignored = this.#args.ignoredResources;
    const groups = this.#args.ignoredResourceGroups;
    for (let k = 0; k < n; k++) {
      const id = r.ids[k]!;
      if (id === RES_CPU || id === RES_MEMORY || id === RES_EPHEMERAL_STORAGE || id === RES_PODS) continue;
      const name = this.#idx.resources.name(id);
      if (!isScalarResourceName(name)) continue;
      if (isExtendedResourceName(name) && (ignored.includes(name) || groups.includes(name.split('/')[0]!)))
        continue;
      push(id, r.amounts[k]!);
    }
    this.#checkCount = c;
  }

  filter(_s: CycleState, pod: PodInfo, from: number, to: number, out: FilterOutput): void {
    if (this.#checkPod !== pod) this.#prepareChecks(pod);
    const idx = this.#idx;
    const podCount = idx.podCount;
    const allowedPods = idx.allocatable[RES_PODS]!;
    const ids = this.#checkIds;
    const amounts = this.#checkAmounts;
    const n = this.#checkCount;
    const failed = this.#failed;
    // The checked columns, fetched per call (the index replaces them when it grows).
    const allocCols = this.#allocCols;
    const reqCols = this.#reqCols;
    allocCols.length = n;
    reqCols.length = n;
    for (let k = 0; k < n; k++) {
      allocCols[k] = idx.allocatable[ids[k]!]!;
      reqCols[k] = idx.requested[ids[k]!]!;
    }
    const code = out.code;
    for (let i = from; i < to; i++) {
      if (code[i] !== 0) continue;
      let nf = 0;
      if (podCount[i]! + 1 > allowedPods[i]!) failed[nf++] = RES_PODS;
      for (let k = 0; k < n; k++) {
        if (amounts[k]! > allocCols[k]![i]! - reqCols[k]![i]!) failed[nf++] = ids[k]!;
      }
      if (nf === 0) continue;
      code[i] = CODE.Unschedulable;
      out.reason[i] = this.#reasonFor(failed, nf);
    }
  }

  #reasonFor(failed: Int32Array, n: number): number {
    // One shortfall (the usual case): by resource id, without building a key.
    if (n === 1) {
      const r = failed[0]!;
      let id = this.#singleReason[r];
      if (id === undefined) {
        id = this.#h.reasons.intern(NAME, [
          r === RES_PODS ? 'Too many pods' : `Insufficient ${this.#idx.resources.name(r)}`,
        ]);
        this.#singleReason[r] = id;
      }
      return id;
    }
    let key = '';
    for (let k = 0; k < n; k++) key += `${failed[k]},`;
    let id = this.#reasonCache.get(key);
    if (id === undefined) {
      const reasons: string[] = [];
      for (let k = 0; k < n; k++) {
        const r = failed[k]!;
        reasons.push(r === RES_PODS ? 'Too many pods' : `Insufficient ${this.#idx.resources.name(r)}`);
      }
      id = this.#h.reasons.intern(NAME, reasons);
      this.#reasonCache.set(key, id);
    }
    return id;
  }

  preScore(_s: CycleState, pod: PodInfo): Status {
    this.#vector.prepare(this.#idx, pod);
    return SUCCESS;
  }

  score(_s: CycleState, pod: PodInfo, nodes: Int32Array, count: number, out: Float64Array): void {
    const v = this.#vector;
    // PreScore may be disabled in a custom profile; prepare here then (idempotent and cheap).
    v.prepare(this.#idx, pod);
    const type = this.#args.scoringStrategy.type;
    if (type !== 'RequestedToCapacityRatio') {
      // LeastAllocated / MostAllocated over the prepared columns: the strategy's own per-resource score.
      const resourceScore = type === 'LeastAllocated' ? leastRequestedScore : mostRequestedScore;
      const n = v.ids.length;
      const { allocCols, reqCols, podRequest, weights, skip } = v;
      if (n === 2 && !skip[0] && !skip[1]) {
        this.#scoreTwo(resourceScore, nodes, count, out);
        return;
      }
      for (let j = 0; j < count; j++) {
        const slot = nodes[j]!;
        let score = 0;
        let weightSum = 0;
        for (let i = 0; i < n; i++) {
          if (skip[i]) continue;
          const cap = allocCols[i]![slot]!;
          if (cap === 0) continue;
          score += resourceScore(reqCols[i]![slot]! + podRequest[i]!, cap) * weights[i]!;
          weightSum += weights[i]!;
        }
        out[j] = weightSum === 0 ? 0 : Math.trunc(score / weightSum);
      }
      return;
    }
    for (let j = 0; j < count; j++) {
      v.load(this.#idx, nodes[j]!);
      out[j] = this.#scorer(v.req, v.alloc, v.weights);
    }
  }

  /**
   * The common case (cpu and memory, neither skipped) of the loop above, unrolled: same arithmetic,
   * term for term (per resource trunc(score) × weight, summed, then trunc(sum / weight sum)).
   */
  #scoreTwo(
    resourceScore: (requested: number, capacity: number) => number,
    nodes: Int32Array,
    count: number,
    out: Float64Array,
  ): void {
    const v = this.#vector;
    const [a0, a1] = v.allocCols as [Float64Array, Float64Array];
    const [r0, r1] = v.reqCols as [Float64Array, Float64Array];
    const p0 = v.podRequest[0]!;
    const p1 = v.podRequest[1]!;
    const w0 = v.weights[0]!;
    const w1 = v.weights[1]!;
    for (let j = 0; j < count; j++) {
      const slot = nodes[j]!;
      const c0 = a0[slot]!;
      const c1 = a1[slot]!;
      let score = 0;
      let weightSum = 0;
      if (c0 !== 0) {
        score += resourceScore(r0[slot]! + p0, c0) * w0;
        weightSum += w0;
      }
      if (c1 !== 0) {
        score += resourceScore(r1[slot]! + p1, c1) * w1;
        weightSum += w1;
      }
      out[j] = weightSum === 0 ? 0 : Math.trunc(score / weightSum);
    }
  }
}

const STRATEGIES: readonly ScoringStrategyType[] = [
  'LeastAllocated',
  'MostAllocated',
  'RequestedToCapacityRatio',
];

/** Validates and defaults NodeResourcesFit args (kube-scheduler's ValidateNodeResourcesFitArgs). */
export function parseFitArgs(raw: unknown, path: string): NodeResourcesFitArgs {
  const a = pluginArgs(raw, path);
  a.only(['ignoredResources', 'ignoredResourceGroups', 'scoringStrategy']);
  const strList = (field: string): string[] => {
    const v = a.raw[field];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) a.fail(field, 'must be a list of strings');
    return v as string[];
  };
  const ignoredResources = strList('ignoredResources');
  const ignoredResourceGroups = strList('ignoredResourceGroups');
  ignoredResourceGroups.forEach((g, i) => {
    if (g.includes('/')) a.fail(`ignoredResourceGroups[${i}]`, `resource group name can't contain '/'`);
  });
  const ss = a.raw.scoringStrategy;
  if (ss === undefined || ss === null)
    return { ignoredResources, ignoredResourceGroups, scoringStrategy: DEFAULT_FIT_ARGS.scoringStrategy };
  if (typeof ss !== 'object' || Array.isArray(ss)) a.fail('scoringStrategy', 'must be an object');
  const s = ss as Record<string, unknown>;
  for (const k of Object.keys(s)) {
    if (!['type', 'resources', 'requestedToCapacityRatio'].includes(k))
      a.fail(`scoringStrategy.${k}`, `unknown field ${JSON.stringify(k)}`);
  }
  const type = (s.type ?? 'LeastAllocated') as ScoringStrategyType;
  if (!STRATEGIES.includes(type))
    a.fail(
      'scoringStrategy.type',
      `unknown strategy ${JSON.stringify(s.type)} (supported: ${STRATEGIES.join(', ')})`,
    );
  const resources = parseResources(a, 'scoringStrategy.resources', s.resources);
  if (type !== 'RequestedToCapacityRatio')
    return { ignoredResources, ignoredResourceGroups, scoringStrategy: { type, resources } };
  const rtcr = s.requestedToCapacityRatio as { shape?: unknown } | undefined;
  if (!rtcr || !Array.isArray(rtcr.shape) || rtcr.shape.length === 0) {
    a.fail('scoringStrategy.requestedToCapacityRatio.shape', 'at least one point must be specified');
  }
  const shape: ShapePoint[] = [];
  (rtcr!.shape as unknown[]).forEach((pt, i) => {
    const p = pt as { utilization?: unknown; score?: unknown };
    const f = `scoringStrategy.requestedToCapacityRatio.shape[${i}]`;
    const u = p?.utilization ?? 0;
    const sc = p?.score ?? 0;
    if (typeof u !== 'number' || !Number.isInteger(u) || u < 0 || u > 100)
      a.fail(`${f}.utilization`, 'must be an integer in the range 0-100');
    if (typeof sc !== 'number' || !Number.isInteger(sc) || sc < 0 || sc > 10)
      a.fail(`${f}.score`, 'must be an integer in the range 0-10');
    if (i > 0 && (u as number) <= shape[i - 1]!.utilization)
      a.fail(`${f}.utilization`, 'utilization values must be sorted in increasing order');
    shape.push({ utilization: u as number, score: sc as number });
  });
  return {
    ignoredResources,
    ignoredResourceGroups,
    scoringStrategy: { type, resources, requestedToCapacityRatio: { shape } },
  };
}

/** Registry entry. */
export const factory: PluginFactory<NodeResourcesFitArgs> = {
  name: NAME,
  points: ['preFilter', 'filter', 'preScore', 'score'],
  parseArgs: parseFitArgs,
  create: (args, h) => new NodeResourcesFit(args, h),
};
