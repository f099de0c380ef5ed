import {
  FragModel,
  GpuCluster,
  GpuPlacer,
  namedStream,
  drawIndex,
  typicalPods,
} from '../../engine/gpu/index.js';
import type { GpuNodeSpec, GpuPodSpec, GpuPolicy } from '../../engine/gpu/index.js';

/** A pod of the input list: its name (copies are drawn from the list in name order) and demand. */
export interface FillPod extends GpuPodSpec {
  readonly name: string;
}

/** One cell of the experiment: one pod list, one policy, one seed. */
export interface FillCellInput {
  /** Workload label, e.g. `openb_pod_list_default`. */
  readonly workload: string;
  readonly nodes: readonly GpuNodeSpec[];
  readonly pods: readonly FillPod[];
  readonly policy: GpuPolicy;
  readonly seed: number;
  /** Arrived GPU request to reach, in % of cluster GPU capacity (default 130). */
  readonly maxLoad: number;
}

/** The curves of one cell, sampled at each integer percent of arrived GPU request 0..maxLoad. */
export interface FillCellResult {
  readonly workload: string;
  readonly policy: GpuPolicy;
  readonly seed: number;
  /** Allocated GPU % of cluster capacity at arrived = index %; NaN where no arrival rounds there. */
  readonly alloc: number[];
  /** Fragmented GPU % of cluster capacity (FGD's measure against the workload), same sampling. */
  readonly frag: number[];
  /** Pods that arrived (originals ± tuning copies). */
  readonly arrivedPods: number;
  /** Pods that fit nowhere when they arrived (skipped). */
  readonly failedPods: number;
}

/** Python's `round(x)`: half to even, as the artifact's analysis rounds the arrived ratio. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/**
 * The arrival sequence of a cell, in the artifact's order: the pods of the list in a Fisher–Yates
 * shuffle (stream `seed/shuffle`), then copies drawn uniformly (stream `seed/inflate`, from the list
 * in name order) until the next copy would push total GPU request above `maxLoad`% of
 * `clusterGpuMilli`, in the order drawn. If the list alone is above the target, pods are removed at
 * random until it is not, and the rest are shuffled.
 */
export function arrivals(
  pods: readonly FillPod[],
  clusterGpuMilli: number,
  maxLoad: number,
  seed: number,
): FillPod[] {
  const target = (maxLoad / 100) * clusterGpuMilli;
  const out = pods.slice();
  let total = 0;
  for (const p of out) total += p.numGpu * p.gpuMilli;
  const inflate = namedStream(seed, 'inflate');
  if (total > target) {
    while (total > target && out.length > 0) {
      const [p] = out.splice(drawIndex(inflate, out.length), 1);
      total -= p!.numGpu * p!.gpuMilli;
    }
  } else if (pods.length > 0) {
    const byName = pods.slice().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (let i = 0; ; i++) {
      const src = byName[drawIndex(inflate, byName.length)]!;
      const add = src.numGpu * src.gpuMilli;
      if (total + add > target) break;
      total += add;
      out.push({ ...src, name: `${src.name}-tuned-${i}` });
      if (out.length > 100 * pods.length + 1_000_000)
        throw new RangeError('maxLoad unreachable: no GPU pods to copy');
    }
  }
  // The artifact shuffles the original list and appends the copies after it (its "tune" step);
  // shuffling copies in with the originals instead moves every policy 0.1–0.4 points off the paper.
  const shuffle = namedStream(seed, 'shuffle');
  for (let i = Math.min(pods.length, out.length) - 1; i > 0; i--) {
    const j = drawIndex(shuffle, i + 1);
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

/**
 * Runs one cell of the fill experiment: place the arrivals one at a time with `policy`, never delete,
 * record after each arrival the cumulative arrived GPU request, the allocated GPU and the cluster
 * fragmentation, then sample as the artifact's analysis does: at each integer percent p, the mean
 * over arrivals whose arrived % rounds (half to even) to p, else over those within p ± 1.
 */
export function runFillCell(input: FillCellInput): FillCellResult {
  const { nodes, pods, policy, seed, maxLoad } = input;
  if (!Number.isInteger(maxLoad) || maxLoad < 1 || maxLoad > 1000) {
    throw new RangeError('maxLoad must be an integer in 1..1000');
  }
  const cluster = new GpuCluster(nodes);
  const capacity = cluster.totalGpuMilli;
  if (capacity === 0) throw new RangeError('the node list has no GPUs');
  if (pods.length === 0) throw new RangeError('the pod list has no pods');
  const frag = new FragModel(cluster, typicalPods(pods));
  const placer = new GpuPlacer(cluster, policy, { seed, frag });
  const seq = arrivals(pods, capacity, maxLoad, seed);
  const buckets = maxLoad + 1;
  const allocSum = new Float64Array(buckets);
  const fragSum = new Float64Array(buckets);
  const cnt = new Int32Array(buckets);
  let arrived = 0;
  let failed = 0;
  for (const spec of seq) {
    const pod = cluster.request(spec);
    arrived += pod.totalGpuMilli;
    if (placer.place(pod).node < 0) failed++;
    const b = roundHalfEven((arrived / capacity) * 100);
    if (b >= 0 && b < buckets) {
      allocSum[b]! += round2((cluster.allocatedGpuMilli / capacity) * 100);
      fragSum[b]! += round2((placer.clusterFragMilli / capacity) * 100);
      cnt[b]!++;
    }
  }
  const alloc: number[] = [];
  const fragRow: number[] = [];
  for (let p = 0; p < buckets; p++) {
    let a = 0;
    let f = 0;
    let n = 0;
    for (let q = cnt[p]! > 0 ? p : p - 1; q <= (cnt[p]! > 0 ? p : p + 1); q++) {
      if (q < 0 || q >= buckets) continue;
      a += allocSum[q]!;
      f += fragSum[q]!;
      n += cnt[q]!;
    }
    alloc.push(n > 0 ? round2(a / n) : NaN);
    fragRow.push(n > 0 ? round2(f / n) : NaN);
  }
  return {
    workload: input.workload,
    policy,
    seed,
    alloc,
    frag: fragRow,
    arrivedPods: seq.length,
    failedPods: failed,
  };
}
