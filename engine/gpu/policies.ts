import { exclusiveGpus, type GpuCluster } from './cluster.js';
import type { FragModel } from './frag.js';
import type { Draw } from './rng.js';
import {
  GPU_MILLI,
  MAX_NODE_SCORE,
  MAX_SPEC_CPU_MILLI,
  MAX_SPEC_GPU_MILLI,
  MIN_NODE_SCORE,
  type GpuPodRequest,
  type GpuPolicy,
} from './types.js';

/**
 * What the score and GPU-selection functions read besides the node and the pod. One per run; the
 * fields marked "in" are kept current by the caller, "out" ones are written by the functions.
 */
export interface PolicyContext {
  readonly cluster: GpuCluster;
  /** FGD: the target workload's fragmentation model. */
  readonly frag: FragModel | undefined;
  /** FGD (in): current fragmentation per node, `frag.nodeFrag(cluster, n)`. */
  readonly fragOf: Float64Array;
  /** Random (in): the node drawn at pre-score; it alone scores 100. */
  randomPick: number;
  /** FGD (out): the GPU the last `scoreNode('fgd', …)` chose for a sharing pod, -1 otherwise. */
  fgdGpu: number;
  /** Random GPU choice for the Random policy's sharing pods (drawn only for the chosen node). */
  readonly gpuDraw: Draw;
  /** Scratch of `cluster.maxGpus` slots for hypothetical GPU states. */
  readonly scratch: Int32Array;
}

/** Builds a context for `cluster`; `frag` is needed for FGD only. */
export function policyContext(cluster: GpuCluster, gpuDraw: Draw, frag?: FragModel): PolicyContext {
  const fragOf = new Float64Array(cluster.size);
  if (frag) for (let n = 0; n < cluster.size; n++) fragOf[n] = frag.nodeFrag(cluster, n);
  return {
    cluster,
    frag,
    fragOf,
    randomPick: -1,
    fgdGpu: -1,
    gpuDraw,
    scratch: new Int32Array(cluster.maxGpus),
  };
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * FGD score: `⌊sigmoid((frag_before − frag_after) / 1000) × 100⌋` where `frag_after` is the node's
 * fragmentation with the pod placed. A sharing pod is tried on every GPU with room (the first of the
 * best wins, recorded in `ctx.fgdGpu`); any other pod takes the lowest-index wholly free GPUs.
 */
function fgdScore(ctx: PolicyContext, node: number, pod: GpuPodRequest): number {
  const c = ctx.cluster;
  const frag = ctx.frag;
  if (!frag) throw new TypeError('the fgd policy needs a FragModel in its context');
  const g = c.gpuCount[node]!;
  const base = node * c.maxGpus;
  const model = c.modelId[node]!;
  const before = ctx.fragOf[node]!;
  const cpuAfter = c.cpuFree[node]! - pod.scoreCpuMilli;
  const s = ctx.scratch;
  for (let i = 0; i < g; i++) s[i] = c.gpuFree[base + i]!;
  ctx.fgdGpu = -1;
  if (pod.sharing) {
    let best = -1;
    for (let i = 0; i < g; i++) {
      const f = c.gpuFree[base + i]!;
      if (f < pod.gpuMilli) continue;
      // An earlier GPU with the same free milli leads to the same node state: it already won or lost.
      let seen = false;
      for (let j = 0; j < i; j++) if (c.gpuFree[base + j] === f) seen = true;
      if (seen) continue;
      s[i] = f - pod.gpuMilli;
      const after = frag.fragOf(model, cpuAfter, s, 0, g);
      s[i] = f;
      const score = Math.trunc(sigmoid((before - after) / 1000) * MAX_NODE_SCORE);
      if (ctx.fgdGpu < 0 || score > best) {
        best = score;
        ctx.fgdGpu = i;
      }
    }
    return ctx.fgdGpu < 0 ? MIN_NODE_SCORE : best;
  }
  let need = pod.numGpu;
  for (let i = 0; i < g && need > 0; i++) {
    if (s[i] === GPU_MILLI) {
      s[i] = 0;
      need--;
    }
  }
  const after = frag.fragOf(model, cpuAfter, s, 0, g);
  return Math.trunc(sigmoid((before - after) / 1000) * MAX_NODE_SCORE);
}

/** DotProd (Tetris-like, the artifact's `merge` dims, `max` norm): `⌊100 × (1 − (ĉ·ĉ_p + ĝ·ĝ_p) / 2)⌋`. */
function dotProdScore(c: GpuCluster, node: number, pod: GpuPodRequest): number {
  if (c.cpuFree[node]! < pod.scoreCpuMilli) return MIN_NODE_SCORE;
  let ip = 0;
  ip += (c.cpuFree[node]! / MAX_SPEC_CPU_MILLI) * (pod.scoreCpuMilli / MAX_SPEC_CPU_MILLI);
  ip += (c.gpuFreeTotal[node]! / MAX_SPEC_GPU_MILLI) * (pod.totalGpuMilli / MAX_SPEC_GPU_MILLI);
  return Math.trunc(MAX_NODE_SCORE * (1 - ip / 2));
}

/** GpuClustering: same-kind pods together; within a band, fuller nodes first. */
function clusteringScore(c: GpuCluster, node: number, pod: GpuPodRequest): number {
  if (pod.numGpu === 0) return MIN_NODE_SCORE;
  const fill = Math.trunc(
    ((MAX_NODE_SCORE / 4) * (MAX_SPEC_GPU_MILLI - c.gpuFreeTotal[node]!)) / MAX_SPEC_GPU_MILLI,
  );
  const tag = node * (c.maxGpus + 1) + (pod.sharing ? 0 : pod.numGpu);
  const kinds = c.affinityKinds[node]!;
  if (c.affinityCount[tag]! > 0) return fill + (kinds === 1 ? 75 : 50);
  return fill + (kinds === 0 ? 25 : 0);
}

/** GpuPacking: shared GPUs first, then free GPUs of used nodes, then idle nodes. */
function packingScore(c: GpuCluster, node: number, pod: GpuPodRequest): number {
  if (pod.numGpu === 0) return MIN_NODE_SCORE;
  const g = c.gpuCount[node]!;
  const full = c.fullyFreeGpus[node]!;
  if (full === g) return Math.max(Math.trunc(MAX_NODE_SCORE / 3) - full, full);
  const base = node * c.maxGpus;
  // Walk GPUs from the fullest up (stable on index), taking those with room, as the artifact does.
  let need = pod.numGpu;
  let wholeUsed = 0;
  let ratio = 0;
  for (let level = 0; need > 0;) {
    // next smallest free value ≥ level among GPUs not yet visited: GPUs are few, scan them.
    let next = Infinity;
    for (let i = 0; i < g; i++) {
      const f = c.gpuFree[base + i]!;
      if (f >= level && f < next) next = f;
    }
    if (next === Infinity) break;
    for (let i = 0; i < g && need > 0; i++) {
      const f = c.gpuFree[base + i]!;
      if (f !== next || f < pod.gpuMilli) continue;
      need--;
      if (f === GPU_MILLI) wholeUsed++;
      ratio += Math.trunc((f * 100) / GPU_MILLI);
    }
    level = next + 1;
  }
  if (need !== 0) return MIN_NODE_SCORE;
  if (wholeUsed > 0)
    return Math.max(Math.trunc(MAX_NODE_SCORE / 2) - wholeUsed, Math.trunc(MAX_NODE_SCORE / 3));
  return Math.max(MAX_NODE_SCORE - Math.trunc(ratio / 10), Math.trunc(MAX_NODE_SCORE / 2));
}

/** BestFit: `⌊100 × (1 − ½·(c − c_p)/128000 − ½·(F − g_p)/8000)⌋`, before min-max normalisation. */
function bestFitScore(c: GpuCluster, node: number, pod: GpuPodRequest): number {
  const cpuLeft = c.cpuFree[node]! - pod.scoreCpuMilli;
  const gpuLeft = c.gpuFreeTotal[node]! - pod.totalGpuMilli;
  if (cpuLeft < 0 || gpuLeft < 0) return -1;
  let score = 0;
  score += (cpuLeft / MAX_SPEC_CPU_MILLI) * 0.5;
  score += (gpuLeft / MAX_SPEC_GPU_MILLI) * 0.5;
  return Math.trunc((1 - score) * MAX_NODE_SCORE);
}

/**
 * The raw score of `policy` for placing `pod` on `node` (which passed `gpuFit`), as the artifact's
 * score plugin returns it: an integer, 0..100 except BestFit before `normalizeScores`. Random scores
 * 100 on `ctx.randomPick` and 0 elsewhere. FGD also records its GPU choice in `ctx.fgdGpu`.
 */
export function scoreNode(policy: GpuPolicy, ctx: PolicyContext, node: number, pod: GpuPodRequest): number {
  switch (policy) {
    case 'random':
      return node === ctx.randomPick ? MAX_NODE_SCORE : MIN_NODE_SCORE;
    case 'dotprod':
      return dotProdScore(ctx.cluster, node, pod);
    case 'clustering':
      return clusteringScore(ctx.cluster, node, pod);
    case 'packing':
      return packingScore(ctx.cluster, node, pod);
    case 'bestfit':
      return bestFitScore(ctx.cluster, node, pod);
    case 'fgd':
      return fgdScore(ctx, node, pod);
    default: {
      const never: never = policy;
      throw new TypeError(`unknown policy ${String(never)}`);
    }
  }
}

/** True for the policies whose plugin has a NormalizeScore step (BestFit: min-max to 0..100). */
export function normalizes(policy: GpuPolicy): boolean {
  return policy === 'bestfit';
}

/**
 * kube-scheduler-style min-max normalisation of `scores[0..count)` to 0..100 in integer arithmetic
 * (`(s − lo) × 100 / (hi − lo)`, all 0 when every score is equal), in place.
 */
export function normalizeScores(scores: Int32Array, count: number): void {
  let hi = -Infinity;
  let lo = Infinity;
  for (let i = 0; i < count; i++) {
    const s = scores[i]!;
    if (s > hi) hi = s;
    if (s < lo) lo = s;
  }
  const range = hi - lo;
  for (let i = 0; i < count; i++) {
    scores[i] =
      range === 0
        ? MIN_NODE_SCORE
        : Math.trunc(((scores[i]! - lo) * MAX_NODE_SCORE) / range) + MIN_NODE_SCORE;
  }
}

/**
 * Which GPUs of `node` the pod gets under `policy` (bit g = GPU g; 0 for a CPU-only pod). A pod of
 * whole GPUs always takes the lowest-index wholly free GPUs. A sharing pod takes: Random — a uniform
 * pick among GPUs with room (`ctx.gpuDraw`); FGD — the GPU its score chose; every other policy — the
 * tightest fit (least free milli that still fits, lowest index among equals).
 */
export function selectGpus(policy: GpuPolicy, ctx: PolicyContext, node: number, pod: GpuPodRequest): number {
  if (pod.numGpu === 0) return 0;
  const c = ctx.cluster;
  if (!pod.sharing) return exclusiveGpus(c, node, pod.numGpu);
  const base = node * c.maxGpus;
  const g = c.gpuCount[node]!;
  let pick = -1;
  if (policy === 'fgd') {
    fgdScore(ctx, node, pod);
    pick = ctx.fgdGpu;
  } else if (policy === 'random') {
    let seen = 0;
    for (let i = 0; i < g; i++) {
      if (c.gpuFree[base + i]! < pod.gpuMilli) continue;
      seen++;
      if (Math.floor(ctx.gpuDraw() * seen) === 0) pick = i;
    }
  } else {
    for (let i = 0; i < g; i++) {
      const f = c.gpuFree[base + i]!;
      if (f >= pod.gpuMilli && (pick < 0 || f < c.gpuFree[base + pick]!)) pick = i;
    }
  }
  return pick < 0 ? 0 : 1 << pick;
}
