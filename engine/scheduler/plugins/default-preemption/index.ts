import {
  SUCCESS,
  pluginArgs,
  unschedulable,
  type CycleState,
  type Diagnosis,
  type FrameworkHandle,
  type PluginFactory,
  type PodInfo,
  type PostFilterPlugin,
  type PostFilterResult,
} from '../../framework/index.js';
import { DEFAULT_PREEMPTION_ARGS, Evaluator, type PreemptionArgs } from '../../preemption/index.js';
import { clusterLookups } from '../cluster-lookups.js';

/** Plugin name. */
export const NAME = 'DefaultPreemption';

/** FNV-1a of a string, in [0, 1): the candidate offset when no random stream was provided. */
function hashUnit(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 0x1_0000_0000;
}

/**
 * DefaultPreemption (PostFilter): when no node passed Filter, finds nodes where evicting lower-priority
 * pods makes the pod fit and returns the chosen node as `nominatedNodeName` with its victims; the
 * integrator deletes the victims through the store and sets the nomination. See
 * {@link Evaluator} for the algorithm.
 *
 * The candidate search starts at a random offset, as kube-scheduler's does: drawn from
 * {@link clusterLookups}`.preemptionRandom` (a seeded stream the integrator provides), or, without one,
 * from a hash of the pod's key (deterministic, seed-independent).
 */
export class DefaultPreemption implements PostFilterPlugin {
  readonly name = NAME;
  readonly #h: FrameworkHandle;
  readonly #args: PreemptionArgs;

  constructor(args: PreemptionArgs, h: FrameworkHandle) {
    this.#h = h;
    this.#args = args;
  }

  postFilter(state: CycleState, pod: PodInfo, diagnosis: Diagnosis): PostFilterResult {
    const lookups = clusterLookups(this.#h);
    const ev = new Evaluator(
      {
        handle: this.#h,
        pdbs: (ns) => lookups.podDisruptionBudgets?.(ns) ?? [],
        random: lookups.preemptionRandom ?? (() => hashUnit(pod.key)),
      },
      this.#args,
    );
    const r = ev.preempt(state, pod, diagnosis);
    if (!r.candidate)
      return { status: unschedulable(NAME, r.message ?? 'preemption did not find a candidate') };
    return { status: SUCCESS, nominatedNodeName: r.candidate.nodeName, victims: r.candidate.victims };
  }
}

function parseArgs(raw: unknown, path: string): PreemptionArgs {
  const a = pluginArgs(raw, path);
  a.only(['minCandidateNodesPercentage', 'minCandidateNodesAbsolute']);
  const pct = a.raw.minCandidateNodesPercentage ?? DEFAULT_PREEMPTION_ARGS.minCandidateNodesPercentage;
  const abs = a.raw.minCandidateNodesAbsolute ?? DEFAULT_PREEMPTION_ARGS.minCandidateNodesAbsolute;
  if (typeof pct !== 'number' || !Number.isInteger(pct) || pct < 0 || pct > 100)
    a.fail('minCandidateNodesPercentage', 'not in valid range [0, 100]');
  if (typeof abs !== 'number' || !Number.isInteger(abs) || abs < 0)
    a.fail('minCandidateNodesAbsolute', 'not in valid range [0, inf)');
  if (pct === 0 && abs === 0)
    a.fail('', 'minCandidateNodesPercentage and minCandidateNodesAbsolute cannot be both 0');
  return { minCandidateNodesPercentage: pct as number, minCandidateNodesAbsolute: abs as number };
}

/** Registry entry. */
export const factory: PluginFactory<PreemptionArgs> = {
  name: NAME,
  points: ['postFilter'],
  parseArgs,
  create: (args, h) => new DefaultPreemption(args ?? DEFAULT_PREEMPTION_ARGS, h),
};
