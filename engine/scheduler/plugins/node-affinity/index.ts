import type {
  NodeAffinity as NodeAffinitySpec,
  NodeSelectorTerm,
  PreferredSchedulingTerm,
} from 'kubernetes-types/core/v1.js';
import {
  CODE,
  SKIP,
  SUCCESS,
  defaultNormalizeScore,
  pluginArgs,
  unresolvable,
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
import type { NodeIndex } from '../../index/index.js';
import { compileLabelMap, compileNodeSelector, compileTerm, type SlotMatcher } from './node-selector.js';

export { compileNodeSelector, compileTerm, compileLabelMap } from './node-selector.js';
export type { SlotMatcher } from './node-selector.js';

/** Plugin name. */
export const NAME = 'NodeAffinity';
/** Reason when the pod's nodeSelector / required node affinity does not match. */
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
/** Reason when the profile's `addedAffinity` does not match. */
export const ERR_REASON_ENFORCED = "node(s) didn't match scheduler-enforced node affinity";
/** Reason when required terms pin the pod to conflicting node names. */
export const ERR_REASON_CONFLICT = 'pod affinity terms conflict';

/** NodeAffinity args: `addedAffinity` applies to every pod of the profile. */
export interface NodeAffinityArgs {
  readonly addedAffinity?: NodeAffinitySpec;
}

const PREFILTER_KEY = 'PreFilter' + NAME;
const PRESCORE_KEY = 'PreScore' + NAME;

interface PreferredTerm {
  readonly weight: number;
  readonly match: SlotMatcher;
}

function compilePreferred(idx: NodeIndex, terms: readonly PreferredSchedulingTerm[]): PreferredTerm[] {
  // Weight-0 terms never count (kube-scheduler skips them when compiling).
  return terms
    .filter((t) => t.weight !== 0)
    .map((t) => ({ weight: t.weight, match: compileTerm(idx, t.preference) }));
}

/**
 * Filter: `spec.nodeSelector` AND required node affinity (terms ORed, requirements ANDed; In, NotIn,
 * Exists, DoesNotExist, Gt, Lt; matchFields `metadata.name`), plus the profile's `addedAffinity`.
 * PreFilter narrows to named nodes when every required term pins `metadata.name`. Score: sum of
 * weights of matching preferred terms, normalized `score × 100 / max`; PreScore skips pods without
 * preferred terms.
 */
export class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  readonly #h: FrameworkHandle;
  readonly #idx: NodeIndex;
  readonly #args: NodeAffinityArgs;
  readonly #reasonPod: number;
  readonly #reasonEnforced: number;

  constructor(args: NodeAffinityArgs, h: FrameworkHandle) {
    this.#h = h;
    this.#idx = h.index;
    this.#args = args;
    this.#reasonPod = h.reasons.intern(NAME, [ERR_REASON_POD]);
    this.#reasonEnforced = h.reasons.intern(NAME, [ERR_REASON_ENFORCED]);
  }

  preFilter(state: CycleState, pod: PodInfo): PreFilterResult {
    const spec = pod.pod.spec;
    const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    const added = this.#args.addedAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (!required && !added && !spec?.nodeSelector) return { status: SKIP };
    const byLabels = compileLabelMap(this.#idx, spec?.nodeSelector ?? {});
    const byAffinity = required ? compileNodeSelector(this.#idx, required) : undefined;
    const match: SlotMatcher = byAffinity ? (s) => byLabels(s) && byAffinity(s) : byLabels;
    const enforced = added ? compileNodeSelector(this.#idx, added) : undefined;
    state.write(PREFILTER_KEY, { match, enforced });
    if (!required || required.nodeSelectorTerms.length === 0) return { status: SUCCESS };
    // Node names pinned by every term (terms are ORed, so one unpinned term means all nodes).
    let names: Set<string> | undefined;
    for (const t of required.nodeSelectorTerms) {
      const termNames = pinnedNames(t);
      if (!termNames) return { status: SUCCESS };
      names ??= new Set();
      for (const n of termNames) names.add(n);
    }
    if (names && names.size === 0) return { status: unresolvable(NAME, ERR_REASON_CONFLICT) };
    return { status: SUCCESS, nodeNames: names };
  }

  filter(state: CycleState, _pod: PodInfo, from: number, to: number, out: FilterOutput): void {
    const s = state.read<{ match: SlotMatcher; enforced: SlotMatcher | undefined }>(PREFILTER_KEY);
    if (!s) return;
    const { match, enforced } = s;
    for (let i = from; i < to; i++) {
      if (out.code[i] !== 0) continue;
      if (enforced && !enforced(i)) {
        out.code[i] = CODE.UnschedulableAndUnresolvable;
        out.reason[i] = this.#reasonEnforced;
      } else if (!match(i)) {
        out.code[i] = CODE.UnschedulableAndUnresolvable;
        out.reason[i] = this.#reasonPod;
      }
    }
  }

  preScore(state: CycleState, pod: PodInfo): Status {
    const preferred = pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
    // kube-scheduler skips on the pod's own preferred terms only: addedAffinity's preferred terms
    // count only for pods that have some of their own.
    if (preferred === undefined || preferred === null) return SKIP;
    const addedPref = this.#args.addedAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    state.write(PRESCORE_KEY, [
      ...compilePreferred(this.#idx, addedPref),
      ...compilePreferred(this.#idx, preferred),
    ]);
    return SUCCESS;
  }

  score(state: CycleState, _pod: PodInfo, nodes: Int32Array, count: number, out: Float64Array): void {
    const terms = state.read<PreferredTerm[]>(PRESCORE_KEY) ?? [];
    for (let j = 0; j < count; j++) {
      const slot = nodes[j]!;
      let sum = 0;
      for (const t of terms) if (t.match(slot)) sum += t.weight;
      out[j] = sum;
    }
  }

  normalizeScore(_s: CycleState, _p: PodInfo, scores: Float64Array, count: number): void {
    defaultNormalizeScore(scores, count, false);
  }

  /** The handle (for colleagues' plugins composing node affinity, e.g. PodTopologySpread's node inclusion). */
  get handle(): FrameworkHandle {
    return this.#h;
  }
}

function pinnedNames(t: NodeSelectorTerm): Set<string> | undefined {
  let names: Set<string> | undefined;
  for (const r of t.matchFields ?? []) {
    if (r.key !== 'metadata.name' || r.operator !== 'In') continue;
    const s = new Set(r.values ?? []);
    if (!names) names = s;
    else for (const n of names) if (!s.has(n)) names.delete(n);
  }
  return names;
}

function parseArgs(raw: unknown, path: string): NodeAffinityArgs {
  const a = pluginArgs(raw, path);
  a.only(['addedAffinity']);
  const added = a.raw.addedAffinity;
  if (added === undefined || added === null) return {};
  if (typeof added !== 'object' || Array.isArray(added)) a.fail('addedAffinity', 'must be an object');
  const aff = added as NodeAffinitySpec;
  const req = aff.requiredDuringSchedulingIgnoredDuringExecution;
  if (req !== undefined && (!req || !Array.isArray(req.nodeSelectorTerms))) {
    a.fail(
      'addedAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms',
      'must be a list',
    );
  }
  const pref = aff.preferredDuringSchedulingIgnoredDuringExecution;
  if (pref !== undefined) {
    if (!Array.isArray(pref))
      a.fail('addedAffinity.preferredDuringSchedulingIgnoredDuringExecution', 'must be a list');
    pref.forEach((p, i) => {
      if (typeof p?.weight !== 'number' || p.weight < 1 || p.weight > 100) {
        a.fail(
          `addedAffinity.preferredDuringSchedulingIgnoredDuringExecution[${i}].weight`,
          'must be in the range 1-100',
        );
      }
    });
  }
  return { addedAffinity: aff };
}

/** Registry entry. */
export const factory: PluginFactory<NodeAffinityArgs> = {
  name: NAME,
  points: ['preFilter', 'filter', 'preScore', 'score'],
  parseArgs,
  create: (args, h) => new NodeAffinity(args, h),
};
