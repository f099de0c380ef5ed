import {
  MAX_NODE_SCORE,
  SUCCESS,
  pluginArgs,
  type CycleState,
  type FrameworkHandle,
  type PluginFactory,
  type PodInfo,
  type PreScorePlugin,
  type ScorePlugin,
  type Status,
} from '../../framework/index.js';
import type { NodeIndex } from '../../index/index.js';
import { ResourceVector, parseResources, type ResourceSpec } from '../node-resources-fit/index.js';

/** Plugin name. */
export const NAME = 'NodeResourcesBalancedAllocation';

/** Args: the resources whose requested fractions are balanced (default cpu, memory). */
export interface BalancedAllocationArgs {
  readonly resources: readonly ResourceSpec[];
}

/**
 * `int((1 − std) × 100)` of the requested fractions (requested / allocatable, capped at 1) of the
 * configured resources; for two resources std = |f1 − f2| / 2. Resources with allocatable 0 are left out.
 */
export function balancedScore(req: Float64Array, alloc: Float64Array): number {
  let n = 0;
  let total = 0;
  let f0 = 0;
  let f1 = 0;
  for (let i = 0; i < req.length; i++) {
    if (alloc[i] === 0) continue;
    let f = req[i]! / alloc[i]!;
    if (f > 1) f = 1;
    if (n === 0) f0 = f;
    else if (n === 1) f1 = f;
    total += f;
    n++;
  }
  let std = 0;
  if (n === 2) std = Math.abs((f0 - f1) / 2);
  else if (n > 2) {
    const mean = total / n;
    let sum = 0;
    for (let i = 0; i < req.length; i++) {
      if (alloc[i] === 0) continue;
      let f = req[i]! / alloc[i]!;
      if (f > 1) f = 1;
      sum += (f - mean) * (f - mean);
    }
    std = Math.sqrt(sum / n);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

/** Favors nodes whose resource fractions stay balanced after placing the pod (actual requests, no non-zero defaults). */
export class NodeResourcesBalancedAllocation implements PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  readonly #idx: NodeIndex;
  readonly #vector: ResourceVector;
  constructor(args: BalancedAllocationArgs, h: FrameworkHandle) {
    this.#idx = h.index;
    this.#vector = new ResourceVector(args.resources, true);
  }
  preScore(_s: CycleState, pod: PodInfo): Status {
    this.#vector.prepare(this.#idx, pod);
    return SUCCESS;
  }
  score(_s: CycleState, pod: PodInfo, nodes: Int32Array, count: number, out: Float64Array): void {
    const v = this.#vector;
    v.prepare(this.#idx, pod);
    if (v.ids.length === 2 && !v.skip[0] && !v.skip[1]) {
      // The common two-resource case inlined: std = |f1 − f2| / 2.
      const [a0, a1] = v.allocCols as [Float64Array, Float64Array];
      const [r0, r1] = v.reqCols as [Float64Array, Float64Array];
      const p0 = v.podRequest[0]!;
      const p1 = v.podRequest[1]!;
      for (let j = 0; j < count; j++) {
        const slot = nodes[j]!;
        const c0 = a0[slot]!;
        const c1 = a1[slot]!;
        if (c0 === 0 || c1 === 0) {
          v.load(this.#idx, slot);
          out[j] = balancedScore(v.req, v.alloc);
          continue;
        }
        let f0 = (r0[slot]! + p0) / c0;
        let f1 = (r1[slot]! + p1) / c1;
        if (f0 > 1) f0 = 1;
        if (f1 > 1) f1 = 1;
        out[j] = Math.trunc((1 - Math.abs((f0 - f1) / 2)) * MAX_NODE_SCORE);
      }
      return;
    }
    for (let j = 0; j < count; j++) {
      v.load(this.#idx, nodes[j]!);
      out[j] = balancedScore(v.req, v.alloc);
    }
  }
}

/** Registry entry. */
export const factory: PluginFactory<BalancedAllocationArgs> = {
  name: NAME,
  points: ['preScore', 'score'],
  parseArgs(raw, path) {
    const a = pluginArgs(raw, path);
    a.only(['resources']);
    return { resources: parseResources(a, 'resources', a.raw.resources) };
  },
  create: (args, h) => new NodeResourcesBalancedAllocation(args, h),
};
