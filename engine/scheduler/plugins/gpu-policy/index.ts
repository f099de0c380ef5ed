/**
 * The six GPU placement policies of the ATC'23 fragmentation paper as scheduler score plugins:
 * GpuRandom, GpuDotProd, GpuClustering, GpuPacking, GpuBestFit, GpuFGD. Each wraps `engine/gpu`'s
 * `scoreNode` / `normalizeScores` / `selectGpus` over the shared GpuShare device model, so a score
 * here is the score of the fill experiment for the same cluster state. See docs/gpu-policies.md.
 */
import type { Pod } from '../../../api/types.js';
import {
  drawIndex,
  FragModel,
  namedStream,
  normalizes,
  normalizeScores,
  policyContext,
  scoreNode,
  selectGpus,
  typicalPods,
  type Draw,
  type GpuPodRequest,
  type GpuPodSpec,
  type GpuPolicy,
  type PolicyContext,
  type TypicalPod,
} from '../../../gpu/index.js';
import {
  SUCCESS,
  type CycleState,
  type FrameworkHandle,
  type PluginFactory,
  type PodInfo,
  type PreScorePlugin,
  type ScorePlugin,
  type Status,
} from '../../framework/index.js';
import { cycleDemand, gpuShareState, type GpuDeviceChooser, type GpuShareState } from '../gpu-share/index.js';
import { parseGpuPolicyArgs, type GpuPolicyArgs } from './args.js';

export { parseGpuPolicyArgs, type GpuPolicyArgs } from './args.js';

/** Plugin name per policy. */
export const GPU_POLICY_PLUGIN_NAMES: Readonly<Record<GpuPolicy, string>> = {
  random: 'GpuRandom',
  dotprod: 'GpuDotProd',
  clustering: 'GpuClustering',
  packing: 'GpuPacking',
  bestfit: 'GpuBestFit',
  fgd: 'GpuFGD',
};

const NO_DRAW: Draw = () => 0;
/** Score caches are dropped past this many distinct pod shapes (bounds memory on odd workloads). */
const MAX_CACHED_SHAPES = 256;

/** Online estimate of the target workload: distinct pod shapes of the pods seen, by count. */
class LearnedWorkload {
  readonly #seen = new Set<string>();
  readonly #shapes = new Map<string, { spec: GpuPodSpec; n: number }>();
  #total = 0;
  /** Set when the shape distribution should be re-derived. */
  stale = false;

  observe(key: string, spec: GpuPodSpec): void {
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    const shapeKey = `${spec.cpuMilli}/${spec.numGpu === 0 ? 0 : spec.gpuMilli}/${spec.numGpu}/${spec.gpuSpec.join('|')}`;
    const e = this.#shapes.get(shapeKey);
    if (e) e.n++;
    else {
      this.#shapes.set(shapeKey, { spec, n: 1 });
      this.stale = true;
    }
    const t = ++this.#total;
    // Re-derive at 1, 2, 4, …, 1024 pods, then every 1024: each costs one pass over the nodes.
    if ((t <= 1024 && (t & (t - 1)) === 0) || t % 1024 === 0) this.stale = true;
  }

  shapes(threshold: number, includeCpuPods: boolean): TypicalPod[] {
    this.stale = false;
    const list: GpuPodSpec[] = [];
    for (const { spec, n } of this.#shapes.values()) for (let i = 0; i < n; i++) list.push(spec);
    return typicalPods(list, { popularityThreshold: threshold, includeCpuPods });
  }
}

/**
 * One GPU policy as PreScore + Score (+ NormalizeScore for BestFit), and the device choice for
 * `gpuAssignment`. CPU-only pods are scored too, as in the artifact (DotProd, BestFit and FGD see
 * their CPU; Clustering and Packing give them 0 everywhere).
 */
export class GpuPolicyScore implements PreScorePlugin, ScorePlugin, GpuDeviceChooser {
  readonly name: string;
  readonly policy: GpuPolicy;
  readonly gpuDeviceChooser = true as const;
  readonly normalizeScore?: (state: CycleState, pod: PodInfo, scores: Float64Array, count: number) => void;
  readonly #args: GpuPolicyArgs;
  readonly #shared: GpuShareState;
  readonly #learned: LearnedWorkload | undefined;
  #generation = -1;
  #ctx: PolicyContext | undefined;
  #int = new Int32Array(0);
  // FGD: node fragmentation stamps (version + 1 when fragOf was computed) and per-shape score caches.
  #fragStamp = new Uint32Array(0);
  #shapeIds = new Map<number, number>();
  #cacheScore: Int16Array[] = [];
  #cacheStamp: Uint32Array[] = [];

  constructor(policy: GpuPolicy, args: GpuPolicyArgs, h: FrameworkHandle) {
    this.policy = policy;
    this.name = GPU_POLICY_PLUGIN_NAMES[policy];
    this.#args = args;
    this.#shared = gpuShareState(h.index);
    if (policy === 'fgd' && !args.workload) {
      const learned = new LearnedWorkload();
      this.#learned = learned;
      h.index.subscribe({
        podAdded: (p) => {
          const d = this.#shared.demandOf(p.pod, p.resources);
          if (d.ok) learned.observe(p.key, d.spec);
        },
      });
    }
    if (normalizes(policy)) {
      this.normalizeScore = (_s, _p, scores, count) => {
        if (this.#int.length < count) this.#int = new Int32Array(scores.length);
        const ints = this.#int;
        for (let i = 0; i < count; i++) ints[i] = scores[i]!;
        normalizeScores(ints, count);
        for (let i = 0; i < count; i++) scores[i] = ints[i]!;
      };
    }
  }

  /** The policy context for the current device model (rebuilt with it, or when FGD's workload moves). */
  #context(): PolicyContext {
    const gen = this.#shared.generation;
    const learned = this.#learned;
    if (this.#ctx && gen === this.#generation && !learned?.stale) return this.#ctx;
    const c = this.#shared.cluster;
    let frag: FragModel | undefined;
    if (this.policy === 'fgd') {
      const shapes =
        this.#args.workload ?? learned!.shapes(this.#args.popularityThreshold, this.#args.includeCpuPods);
      frag = new FragModel(c, shapes);
    }
    this.#ctx = policyContext(c, NO_DRAW, frag);
    this.#generation = gen;
    this.#fragStamp = new Uint32Array(c.size);
    for (let n = 0; n < c.size; n++) this.#fragStamp[n] = c.version[n]! + 1;
    this.#shapeIds.clear();
    this.#cacheScore = [];
    this.#cacheStamp = [];
    return this.#ctx;
  }

  #observe(pod: PodInfo): void {
    if (!this.#learned) return;
    const d = this.#shared.demandOf(pod.pod, pod.resources);
    if (d.ok) this.#learned.observe(pod.key, d.spec);
  }

  /** FGD: brings `fragOf[node]` up to date with the node's binds. */
  #freshFrag(ctx: PolicyContext, node: number): void {
    const v = ctx.cluster.version[node]! + 1;
    if (this.#fragStamp[node] !== v) {
      ctx.fragOf[node] = ctx.frag!.nodeFrag(ctx.cluster, node);
      this.#fragStamp[node] = v;
    }
  }

  preScore(state: CycleState, pod: PodInfo, _nodes: Int32Array, _count: number): Status {
    this.#observe(pod);
    cycleDemand(state, pod, this.#shared);
    return SUCCESS;
  }

  score(state: CycleState, pod: PodInfo, nodes: Int32Array, count: number, out: Float64Array): void {
    this.#observe(pod);
    const req = cycleDemand(state, pod, this.#shared);
    if (!req) return;
    const ctx = this.#context();
    switch (this.policy) {
      case 'random': {
        // Pre-score's uniform pick among the feasible nodes, drawn from a per-pod stream.
        const draw = namedStream(this.#args.seed, `random-node/${pod.key}`);
        const pick = nodes[drawIndex(draw, count)]!;
        for (let i = 0; i < count; i++) out[i] = nodes[i] === pick ? 100 : 0;
        return;
      }
      case 'fgd':
        this.#fgdScores(ctx, req, nodes, count, out);
        return;
      default:
        for (let i = 0; i < count; i++) out[i] = scoreNode(this.policy, ctx, nodes[i]!, req);
    }
  }

  #fgdScores(
    ctx: PolicyContext,
    req: GpuPodRequest,
    nodes: Int32Array,
    count: number,
    out: Float64Array,
  ): void {
    const key = (req.scoreCpuMilli * 1024 + req.gpuMilli) * 64 + req.numGpu;
    let id = this.#shapeIds.get(key);
    const size = ctx.cluster.size;
    if (id === undefined) {
      if (this.#shapeIds.size >= MAX_CACHED_SHAPES) {
        this.#shapeIds.clear();
        this.#cacheScore = [];
        this.#cacheStamp = [];
      }
      id = this.#cacheScore.length;
      this.#shapeIds.set(key, id);
      this.#cacheScore.push(new Int16Array(size));
      this.#cacheStamp.push(new Uint32Array(size));
    }
    const score = this.#cacheScore[id]!;
    const stamp = this.#cacheStamp[id]!;
    const version = ctx.cluster.version;
    for (let i = 0; i < count; i++) {
      const n = nodes[i]!;
      const v = version[n]! + 1;
      if (stamp[n] !== v) {
        this.#freshFrag(ctx, n);
        score[n] = scoreNode('fgd', ctx, n, req);
        stamp[n] = v;
      }
      out[i] = score[n]!;
    }
  }

  /** The devices this policy gives `pod` on node `slot` (engine/gpu `selectGpus`). */
  chooseGpus(pod: Pod, req: GpuPodRequest, slot: number): number {
    const ctx = this.#context();
    if (this.policy === 'fgd') this.#freshFrag(ctx, slot);
    if (this.policy !== 'random') return selectGpus(this.policy, ctx, slot, req);
    const key = `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`;
    const gpuDraw = namedStream(this.#args.seed, `gpu-select/${key}/${this.#shared.index.names[slot]}`);
    return selectGpus('random', { ...ctx, gpuDraw }, slot, req);
  }
}

function policyFactory(policy: GpuPolicy): PluginFactory<GpuPolicyArgs> {
  return {
    name: GPU_POLICY_PLUGIN_NAMES[policy],
    points: ['preScore', 'score'],
    parseArgs: (raw, path) => parseGpuPolicyArgs(policy, raw, path),
    create: (args, h) => new GpuPolicyScore(policy, args, h),
  };
}

/** Registry entries, in the paper's order. */
export const factories: readonly PluginFactory<GpuPolicyArgs>[] = (
  ['random', 'dotprod', 'clustering', 'packing', 'bestfit', 'fgd'] as const
).map(policyFactory);
