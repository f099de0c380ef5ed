import { gpuFit, type GpuCluster } from './cluster.js';
import type { FragModel } from './frag.js';
import {
  normalizeScores,
  normalizes,
  policyContext,
  scoreNode,
  selectGpus,
  type PolicyContext,
} from './policies.js';
import { drawIndex, namedStream, type Draw } from './rng.js';
import type { GpuPodRequest, GpuPolicy } from './types.js';

/** Where one pod went: the node index and GPU mask, or node -1 when no node fits. */
export interface Placement {
  readonly node: number;
  readonly gpuMask: number;
}

/** Options of a placer. */
export interface GpuPlacerOptions {
  /** Run seed; the streams are `seed/node-order`, `seed/random-node`, `seed/gpu-select`. */
  readonly seed: number | string;
  /** The target workload's fragmentation model: required for FGD, and for `clusterFragMilli`. */
  readonly frag?: FragModel;
}

/**
 * Places pods one at a time on a GpuCluster with one policy, as the artifact's scheduler does with
 * that policy as its only score plugin: filter every node, score the feasible ones, take the best
 * score, pick the GPUs, bind. Never deletes. Ties go to the node first in a seeded random node order
 * (stream `node-order`, drawn once per run): the artifact's scheduler prefixes node names with a
 * seeded random permutation index and breaks ties by the smallest name.
 *
 * FGD scores are cached per (node, pod score-shape) and dropped when the node changes
 * (`cluster.version`); node fragmentation is cached per node and refreshed only for the node bound.
 */
/** A uniform random permutation of 0..n-1 (Fisher–Yates), as ranks: `rank[i]` is i's position. */
export function seededPermutation(n: number, draw: Draw): Int32Array {
  const rank = new Int32Array(n);
  for (let i = 0; i < n; i++) rank[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = drawIndex(draw, i + 1);
    const t = rank[i]!;
    rank[i] = rank[j]!;
    rank[j] = t;
  }
  return rank;
}

export class GpuPlacer {
  readonly cluster: GpuCluster;
  readonly policy: GpuPolicy;
  readonly context: PolicyContext;
  /** Tie-break priority per node: lower wins. */
  readonly nodeRank: Int32Array;
  #randomNode: Draw;
  #feasible: Int32Array;
  #scores: Int32Array;
  #clusterFrag = 0;
  // FGD score cache, one column per pod score-shape (cpu, gpu milli, gpu count).
  #shapeIds = new Map<number, number>();
  #cacheScore: Int16Array[] = [];
  #cacheGpu: Int8Array[] = [];
  #cacheStamp: Uint32Array[] = [];

  constructor(cluster: GpuCluster, policy: GpuPolicy, opts: GpuPlacerOptions) {
    if (policy === 'fgd' && !opts.frag) throw new TypeError('opts.frag is required for the fgd policy');
    this.cluster = cluster;
    this.policy = policy;
    this.context = policyContext(cluster, namedStream(opts.seed, 'gpu-select'), opts.frag);
    if (opts.frag && policy !== 'fgd') {
      // Other policies still report fragmentation: fill the per-node cache once.
      for (let n = 0; n < cluster.size; n++) this.context.fragOf[n] = opts.frag.nodeFrag(cluster, n);
    }
    for (let n = 0; n < cluster.size; n++) this.#clusterFrag += this.context.fragOf[n]!;
    this.nodeRank = seededPermutation(cluster.size, namedStream(opts.seed, 'node-order'));
    this.#randomNode = namedStream(opts.seed, 'random-node');
    this.#feasible = new Int32Array(cluster.size);
    this.#scores = new Int32Array(cluster.size);
  }

  /** Σ node fragmentation (milli GPU) against the target workload; 0 without a FragModel. */
  get clusterFragMilli(): number {
    return this.#clusterFrag;
  }

  /** Chooses a node and GPUs for `pod` without binding. */
  choose(pod: GpuPodRequest): Placement {
    const c = this.cluster;
    const feasible = this.#feasible;
    let count = 0;
    for (let n = 0; n < c.size; n++) if (gpuFit(c, n, pod)) feasible[count++] = n;
    if (count === 0) return { node: -1, gpuMask: 0 };
    const ctx = this.context;
    if (this.policy === 'random') {
      // Pre-score draws one feasible node; it alone scores 100, so it is the choice.
      const node = feasible[drawIndex(this.#randomNode, count)]!;
      ctx.randomPick = node;
      return { node, gpuMask: selectGpus('random', ctx, node, pod) };
    }
    const scores = this.#scores;
    if (this.policy === 'fgd') this.#fgdScores(pod, count);
    else for (let i = 0; i < count; i++) scores[i] = scoreNode(this.policy, ctx, feasible[i]!, pod);
    if (normalizes(this.policy)) normalizeScores(scores, count);
    const rank = this.nodeRank;
    let best = -Infinity;
    let node = -1;
    for (let i = 0; i < count; i++) {
      const s = scores[i]!;
      const n = feasible[i]!;
      if (s > best || (s === best && rank[n]! < rank[node]!)) {
        best = s;
        node = n;
      }
    }
    let gpuMask: number;
    if (this.policy === 'fgd' && pod.sharing) {
      gpuMask = 1 << this.#cacheGpu[this.#shapeId(pod)]![node]!;
    } else gpuMask = selectGpus(this.policy, ctx, node, pod);
    return { node, gpuMask };
  }

  /** Places `pod`: chooses, binds, refreshes caches. Returns the placement (node -1: failed, nothing bound). */
  place(pod: GpuPodRequest): Placement {
    const p = this.choose(pod);
    if (p.node >= 0) {
      this.cluster.bind(p.node, pod, p.gpuMask);
      const frag = this.context.frag;
      if (frag) {
        const before = this.context.fragOf[p.node]!;
        const after = frag.nodeFrag(this.cluster, p.node);
        this.context.fragOf[p.node] = after;
        this.#clusterFrag += after - before;
      }
    }
    return p;
  }

  #shapeId(pod: GpuPodRequest): number {
    const key = (pod.scoreCpuMilli * 1024 + pod.gpuMilli) * 64 + pod.numGpu;
    let id = this.#shapeIds.get(key);
    if (id === undefined) {
      id = this.#cacheScore.length;
      this.#shapeIds.set(key, id);
      const n = this.cluster.size;
      this.#cacheScore.push(new Int16Array(n));
      this.#cacheGpu.push(new Int8Array(n));
      this.#cacheStamp.push(new Uint32Array(n));
    }
    return id;
  }

  #fgdScores(pod: GpuPodRequest, count: number): void {
    const id = this.#shapeId(pod);
    const score = this.#cacheScore[id]!;
    const gpu = this.#cacheGpu[id]!;
    const stamp = this.#cacheStamp[id]!;
    const version = this.cluster.version;
    const ctx = this.context;
    for (let i = 0; i < count; i++) {
      const n = this.#feasible[i]!;
      const v = version[n]! + 1;
      if (stamp[n] !== v) {
        score[n] = scoreNode('fgd', ctx, n, pod);
        gpu[n] = ctx.fgdGpu;
        stamp[n] = v;
      }
      this.#scores[i] = score[n]!;
    }
  }
}
