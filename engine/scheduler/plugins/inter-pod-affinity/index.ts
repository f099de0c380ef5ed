import type { Pod } from '../../../api/types.js';
import type { Labels } from '../../../api/selector.js';
import {
  CODE,
  SKIP,
  SUCCESS,
  pluginArgs,
  type CycleState,
  type FilterOutput,
  type FilterPlugin,
  type FrameworkHandle,
  type PluginFactory,
  type PodInfo,
  type PreFilterExtensions,
  type PreFilterPlugin,
  type PreFilterResult,
  type PreScorePlugin,
  type ScorePlugin,
  type Status,
} from '../../framework/index.js';
import { MAX_NODE_SCORE } from '../../framework/types.js';
import type { DomainCounter, IndexedPod, NodeIndex } from '../../index/index.js';
import { clusterLookups } from '../cluster-lookups.js';
import { PodGroups, type PodGroup } from './pod-groups.js';
import { TopologyCounts } from './topology-counts.js';
import {
  matchesAll,
  podAffinityTerms,
  termMatches,
  type AffinityTerm,
  type PodAffinityTerms,
} from './terms.js';

export { podAffinityTerms, termMatches, matchesAll } from './terms.js';
export type { AffinityTerm, PodAffinityTerms } from './terms.js';

/** Plugin name. */
export const NAME = 'InterPodAffinity';
/** Filter reason: an existing pod's required anti-affinity term matches the incoming pod in this domain. */
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
/** Filter reason: the pod's required affinity terms are not satisfied on this node. */
export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
/** Filter reason: the pod's required anti-affinity terms are violated on this node. */
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";

/** InterPodAffinityArgs (kube-scheduler defaults: hardPodAffinityWeight 1, ignorePreferredTermsOfExistingPods false). */
export interface InterPodAffinityArgs {
  readonly hardPodAffinityWeight: number;
  readonly ignorePreferredTermsOfExistingPods: boolean;
}

const PREFILTER_KEY = 'PreFilter' + NAME;
/** Counters kept per plugin instance (each costs a selector test per pod bound or removed). */
const MAX_COUNTERS = 64;
const PRESCORE_KEY = 'PreScore' + NAME;

/**
 * `termMatches(t, incoming, nsLabels)` remembered per term object for one cycle: pods of a workload
 * share their compiled terms (terms.ts), so each distinct term is tested against the pod once.
 */
function incomingMatcher(incoming: Pod, nsLabels: Labels): (t: AffinityTerm) => boolean {
  const memo = new Map<AffinityTerm, boolean>();
  return (t) => {
    let m = memo.get(t);
    if (m === undefined) memo.set(t, (m = termMatches(t, incoming, nsLabels)));
    return m;
  };
}

/** Counts the pod on `slot` once (`delta`) in the domain of that node for topology key `keyId`. */
function bump(m: TopologyCounts, idx: NodeIndex, slot: number, keyId: number, delta: number): void {
  m.add(keyId, idx.labelValues(keyId)[slot]!, delta);
}

interface PreFilterState {
  readonly terms: PodAffinityTerms;
  /** Labels of the incoming pod's namespace. */
  readonly nsLabels: Labels;
  /** Domains where an existing pod's required anti-affinity term matches the incoming pod. */
  readonly existingAnti: TopologyCounts;
  /** Domains with pods matching all the incoming pod's required affinity terms (one entry per term). */
  readonly affinity: TopologyCounts;
  /** Domains with pods matching one of the incoming pod's required anti-affinity terms. */
  readonly anti: TopologyCounts;
  /** Distinct key ids in `existingAnti`. */
  readonly existingAntiKeys: readonly number[];
  /** Whether `existingAnti` / `anti` / `affinity` count anything at all. */
  readonly anyExistingAnti: boolean;
  readonly anyAnti: boolean;
  readonly anyAffinity: boolean;
}

interface PreScoreState {
  /** topology key id → value id → score. */
  readonly scores: Map<number, Map<number, number>>;
}

/**
 * InterPodAffinity (kube-scheduler's interpodaffinity plugin).
 *
 * PreFilter counts, per topology domain, (1) existing pods whose required anti-affinity terms match
 * the incoming pod, (2) existing pods matching all of the incoming pod's required affinity terms, (3)
 * existing pods matching any of its required anti-affinity terms; Skip when there is nothing to check.
 * Filter rejects a node (in this order) whose domain lacks the affinity pods (Unresolvable; a node
 * lacking a topology key too, and the first pod of a self-affine group may land anywhere), holds pods
 * the incoming pod is anti-affine to, or holds pods anti-affine to the incoming pod (Unschedulable).
 *
 * PreScore sums, per domain of the existing pods' nodes, the weights of the incoming pod's preferred
 * terms matched by existing pods (anti-affinity negative), `hardPodAffinityWeight` for existing pods'
 * required affinity terms matched by the incoming pod, and existing pods' preferred terms matched by
 * the incoming pod; Skip when no term matched anything. Score is the sum over a node's domains;
 * NormalizeScore is min–max with min and max starting at 0: `⌊100 × ((s − min) / (max − min))⌋` in
 * float64, as kube-scheduler computes it.
 *
 * Namespace selectors are evaluated on namespace labels from {@link clusterLookups}. Not modelled:
 * `matchLabelKeys` / `mismatchLabelKeys` of affinity terms (alpha in kube-scheduler 1.29–1.30).
 */
export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  readonly #h: FrameworkHandle;
  readonly #idx: NodeIndex;
  readonly #args: InterPodAffinityArgs;
  readonly #reasonAffinity: number;
  readonly #reasonAnti: number;
  readonly #reasonExisting: number;
  /**
   * Bound pods with required anti-affinity terms (PodsWithRequiredAntiAffinity), grouped by their
   * shared compiled terms, with per-domain counts for those terms' topology keys.
   */
  readonly #antiGroups: PodGroups;
  /**
   * Bound pods whose own terms can score an incoming pod (required affinity, preferred affinity or
   * anti-affinity; required anti-affinity alone never adds to a score), grouped the same way.
   */
  readonly #scoringGroups: PodGroups;
  /** Index counters for the preferred terms of recent pods, least recently used first (at most 64). */
  readonly #counters = new Map<string, DomainCounter>();

  readonly preFilterExtensions: PreFilterExtensions;

  constructor(args: InterPodAffinityArgs, h: FrameworkHandle) {
    this.#h = h;
    this.#idx = h.index;
    this.#args = args;
    this.#reasonAffinity = h.reasons.intern(NAME, [ERR_REASON_AFFINITY]);
    this.#reasonAnti = h.reasons.intern(NAME, [ERR_REASON_ANTI_AFFINITY]);
    this.#reasonExisting = h.reasons.intern(NAME, [ERR_REASON_EXISTING_ANTI_AFFINITY]);
    const idx = this.#idx;
    this.#antiGroups = new PodGroups(idx, (t) => t.requiredAntiAffinity.map((a) => a.keyId));
    // Scoring groups keep their pods per domain of each key their terms use: a cycle adds a group's
    // weight per domain instead of per node.
    this.#scoringGroups = new PodGroups(idx, (t) =>
      [...t.requiredAffinity, ...t.preferredAffinity, ...t.preferredAntiAffinity].map((a) => a.keyId),
    );
    for (let s = 0; s < idx.size; s++) if (idx.live[s]) for (const p of idx.pods[s]!) this.#track(p, 1);
    idx.subscribe({
      podAdded: (p) => this.#track(p, 1),
      podRemoved: (p) => this.#track(p, -1),
      nodeChanged: (slot) => {
        this.#antiGroups.nodeChanged(slot);
        this.#scoringGroups.nodeChanged(slot);
      },
    });
    this.preFilterExtensions = {
      addPod: (state, pod, added) => this.#updateWithPod(state, pod.pod, added, 1),
      removePod: (state, pod, removed) => this.#updateWithPod(state, pod.pod, removed, -1),
    };
  }

  #track(p: IndexedPod, delta: 1 | -1): void {
    const t = podAffinityTerms(this.#idx, p.pod);
    if (!t.hasAffinity) return;
    if (t.requiredAffinity.length > 0 || t.preferredAffinity.length > 0 || t.preferredAntiAffinity.length > 0)
      this.#scoringGroups.track(t, p.slot, delta);
    if (t.requiredAntiAffinity.length > 0) this.#antiGroups.track(t, p.slot, delta);
  }

  /**
   * The index counter, per domain of `t`'s topology key, of existing pods matching `t` — or, with
   * `all`, matching every term of `all` (required affinity). Terms without a namespace selector only.
   */
  #counter(t: AffinityTerm, all?: readonly AffinityTerm[]): DomainCounter {
    const key = `${t.topologyKey}\u0000${all ? all.map((a) => a.matchKey).join('\u0000') : t.matchKey}`;
    let counter = this.#counters.get(key);
    if (counter) {
      this.#counters.delete(key);
    } else {
      counter = this.#idx.acquireCounter(
        `${NAME}\u0000${all ? 'all' : 'one'}\u0000${key}`,
        t.topologyKey,
        (p) => ((all ? matchesAll(all, p.pod, undefined) : termMatches(t, p.pod, undefined)) ? 1 : 0),
      );
      if (this.#counters.size >= MAX_COUNTERS) {
        const [oldest, old] = this.#counters.entries().next().value!;
        this.#counters.delete(oldest);
        old.release();
      }
    }
    this.#counters.set(key, counter);
    return counter;
  }

  #nsLabels(namespace: string): Labels {
    return clusterLookups(this.#h).namespaceLabels?.(namespace) as Labels;
  }

  preFilter(state: CycleState, pod: PodInfo): PreFilterResult {
    const idx = this.#idx;
    const terms = podAffinityTerms(idx, pod.pod);
    // No required terms of its own and no bound pod with required anti-affinity: nothing to count
    // (the Skip below, without building empty counts every cycle).
    if (
      terms.requiredAffinity.length === 0 &&
      terms.requiredAntiAffinity.length === 0 &&
      this.#antiGroups.size === 0
    )
      return { status: SKIP };
    const nsLabels = this.#nsLabels(pod.namespace);
    // Existing pods' required anti-affinity: each group's terms tested once; a matching term counts
    // the group's pods per domain (by reference: the groups keep them current).
    const existingAnti = new TopologyCounts();
    const matchesIncoming = incomingMatcher(pod.pod, nsLabels);
    for (const g of this.#antiGroups.values()) {
      for (const t of g.terms.requiredAntiAffinity)
        if (matchesIncoming(t)) existingAnti.addBase(t.keyId, g.domains(t.keyId));
    }
    const affinity = new TopologyCounts();
    const anti = new TopologyCounts();
    const reqAff = terms.requiredAffinity;
    const reqAnti = terms.requiredAntiAffinity;
    const counted = (list: readonly AffinityTerm[]): boolean =>
      list.every((t) => t.namespaceSelector === undefined);
    if (counted(reqAff) && counted(reqAnti)) {
      // From index counters kept across cycles: per affinity term, the pods matching all the terms in
      // that term's domains; per anti-affinity term, the pods matching it.
      for (const t of reqAff) affinity.addBase(t.keyId, this.#counter(t, reqAff).domainCounts());
      for (const t of reqAnti) anti.addBase(t.keyId, this.#counter(t).domainCounts());
    } else if (reqAff.length > 0 || reqAnti.length > 0) {
      // Namespace selectors follow namespace labels: count by visiting every pod.
      for (let s = 0; s < idx.size; s++) {
        if (!idx.live[s]) continue;
        for (const p of idx.pods[s]!) this.#countIncoming(terms, p, s, affinity, anti, 1);
      }
    }
    if (reqAff.length === 0 && reqAnti.length === 0 && existingAnti.isEmpty()) return { status: SKIP };
    state.write(PREFILTER_KEY, makeState(terms, nsLabels, existingAnti, affinity, anti));
    return { status: SUCCESS };
  }

  #countIncoming(
    terms: PodAffinityTerms,
    p: IndexedPod,
    slot: number,
    affinity: TopologyCounts,
    anti: TopologyCounts,
    delta: number,
  ): void {
    const idx = this.#idx;
    let nsLabels: Labels;
    let nsLooked = false;
    const lazyNs = (): Labels => {
      if (!nsLooked) {
        nsLabels = this.#nsLabels(p.namespace);
        nsLooked = true;
      }
      return nsLabels;
    };
    if (terms.requiredAffinity.length > 0 && matchesAllLazy(terms.requiredAffinity, p.pod, lazyNs)) {
      for (const t of terms.requiredAffinity) bump(affinity, idx, slot, t.keyId, delta);
    }
    for (const t of terms.requiredAntiAffinity) {
      if (termMatchesLazy(t, p.pod, lazyNs)) bump(anti, idx, slot, t.keyId, delta);
    }
  }

  /** PreFilter extension: the what-if of adding/removing `other` (preemption). Copy-on-write state. */
  #updateWithPod(state: CycleState, incoming: Pod, other: IndexedPod, delta: number): Status {
    const s = state.read<PreFilterState>(PREFILTER_KEY);
    if (!s || other.slot < 0) return SUCCESS;
    const idx = this.#idx;
    const existingAnti = s.existingAnti.withChanges();
    for (const t of podAffinityTerms(idx, other.pod).requiredAntiAffinity) {
      if (termMatches(t, incoming, s.nsLabels)) bump(existingAnti, idx, other.slot, t.keyId, delta);
    }
    const affinity = s.affinity.withChanges();
    const anti = s.anti.withChanges();
    this.#countIncoming(s.terms, other, other.slot, affinity, anti, delta);
    state.write(PREFILTER_KEY, makeState(s.terms, s.nsLabels, existingAnti, affinity, anti));
    return SUCCESS;
  }

  filter(state: CycleState, pod: PodInfo, from: number, to: number, out: FilterOutput): void {
    const s = state.read<PreFilterState>(PREFILTER_KEY);
    if (!s) return;
    const idx = this.#idx;
    const reqAff = s.terms.requiredAffinity;
    const reqAnti = s.terms.requiredAntiAffinity;
    // "First pod of a self-affine group": nothing matches anywhere and the pod matches its own terms.
    const selfAffine = reqAff.length > 0 && !s.anyAffinity && matchesAll(reqAff, pod.pod, s.nsLabels);
    const affCols = reqAff.map((t) => idx.labelValues(t.keyId));
    const antiCols = reqAnti.map((t) => idx.labelValues(t.keyId));
    const existingCols = s.existingAntiKeys.map((k) => idx.labelValues(k));
    for (let i = from; i < to; i++) {
      if (out.code[i] !== 0) continue;
      // Required affinity: every topology key present, and every domain holding matching pods.
      let ok = true;
      let podsExist = true;
      for (let j = 0; j < reqAff.length; j++) {
        const v = affCols[j]![i]!;
        if (v < 0) {
          ok = false;
          break;
        }
        if (s.affinity.count(reqAff[j]!.keyId, v) <= 0) podsExist = false;
      }
      if (ok && !podsExist) ok = selfAffine;
      if (!ok) {
        out.code[i] = CODE.UnschedulableAndUnresolvable;
        out.reason[i] = this.#reasonAffinity;
        continue;
      }
      if (s.anyAnti) {
        let bad = false;
        for (let j = 0; j < reqAnti.length && !bad; j++) {
          const v = antiCols[j]![i]!;
          if (v >= 0 && s.anti.count(reqAnti[j]!.keyId, v) > 0) bad = true;
        }
        if (bad) {
          out.code[i] = CODE.Unschedulable;
          out.reason[i] = this.#reasonAnti;
          continue;
        }
      }
      if (s.anyExistingAnti) {
        for (let j = 0; j < existingCols.length; j++) {
          const v = existingCols[j]![i]!;
          if (v >= 0 && s.existingAnti.count(s.existingAntiKeys[j]!, v) > 0) {
            out.code[i] = CODE.Unschedulable;
            out.reason[i] = this.#reasonExisting;
            break;
          }
        }
      }
    }
  }

  preScore(state: CycleState, pod: PodInfo): Status {
    const idx = this.#idx;
    const terms = podAffinityTerms(idx, pod.pod);
    const hasConstraints = terms.preferredAffinity.length > 0 || terms.preferredAntiAffinity.length > 0;
    if (this.#args.ignorePreferredTermsOfExistingPods && !hasConstraints) return SKIP;
    // No preferred terms of its own and no bound pod with scoring terms: no score anywhere (the Skip
    // below, without building the maps every cycle).
    if (!hasConstraints && this.#scoringGroups.size === 0) return SKIP;
    const nsLabels = this.#nsLabels(pod.namespace);
    const scores = new Map<number, Map<number, number>>();
    // kube-scheduler skips existing pods on label-less nodes; such a node has no topology value
    // (v < 0), so `add` skips them too.
    const add = (t: AffinityTerm, slot: number, w: number): void => {
      const v = idx.labelValues(t.keyId)[slot]!;
      if (v < 0) return;
      let m = scores.get(t.keyId);
      if (!m) scores.set(t.keyId, (m = new Map()));
      m.set(v, (m.get(v) ?? 0) + w);
    };
    // The pod's own preferred terms against every existing pod: from index counters per term
    // (a counter's domains are the term's topology domains), except terms with a namespace
    // selector, whose matches follow namespace labels: those visit every pod.
    const scanned: AffinityTerm[][] = [[], []];
    [terms.preferredAffinity, terms.preferredAntiAffinity].forEach((list, k) => {
      const sign = k === 0 ? 1 : -1;
      for (const t of list) {
        if (t.namespaceSelector !== undefined) {
          scanned[k]!.push(t);
          continue;
        }
        let m = scores.get(t.keyId);
        for (const [v, n] of this.#counter(t).domainCounts()) {
          if (!m) scores.set(t.keyId, (m = new Map()));
          m.set(v, (m.get(v) ?? 0) + sign * t.weight * n);
        }
      }
    });
    if (scanned[0]!.length + scanned[1]!.length > 0) {
      for (let s = 0; s < idx.size; s++) {
        if (!idx.live[s]) continue;
        for (const p of idx.pods[s]!) {
          const exNs = this.#nsLabels(p.namespace);
          for (const t of scanned[0]!) if (termMatches(t, p.pod, exNs)) add(t, s, t.weight);
          for (const t of scanned[1]!) if (termMatches(t, p.pod, exNs)) add(t, s, -t.weight);
        }
      }
    }
    // Existing pods' terms matched by the incoming pod: each group's terms tested once, then
    // weighted by the group's pods per domain of the term's key (nodes without the key hold none).
    const matchesIncoming = incomingMatcher(pod.pod, nsLabels);
    const hard = this.#args.hardPodAffinityWeight;
    const addGroup = (t: AffinityTerm, g: PodGroup, w: number): void => {
      if (!matchesIncoming(t)) return;
      let m = scores.get(t.keyId);
      for (const [v, n] of g.domains(t.keyId)) {
        if (!m) scores.set(t.keyId, (m = new Map()));
        m.set(v, (m.get(v) ?? 0) + w * n);
      }
    };
    for (const g of this.#scoringGroups.values()) {
      const ex = g.terms;
      if (hard > 0) for (const t of ex.requiredAffinity) addGroup(t, g, hard);
      for (const t of ex.preferredAffinity) addGroup(t, g, t.weight);
      for (const t of ex.preferredAntiAffinity) addGroup(t, g, -t.weight);
    }
    if (scores.size === 0) return SKIP;
    state.write(PRESCORE_KEY, { scores } satisfies PreScoreState);
    return SUCCESS;
  }

  score(state: CycleState, _pod: PodInfo, nodes: Int32Array, count: number, out: Float64Array): void {
    const s = state.read<PreScoreState>(PRESCORE_KEY);
    if (!s) return;
    const idx = this.#idx;
    const entries = [...s.scores].map(([k, m]) => [idx.labelValues(k), m] as const);
    for (let j = 0; j < count; j++) {
      const slot = nodes[j]!;
      let sum = 0;
      for (const [col, m] of entries) {
        const v = col[slot]!;
        if (v >= 0) sum += m.get(v) ?? 0;
      }
      out[j] = sum;
    }
  }

  normalizeScore(state: CycleState, _pod: PodInfo, scores: Float64Array, count: number): void {
    const s = state.read<PreScoreState>(PRESCORE_KEY);
    if (!s || s.scores.size === 0) return;
    minMaxNormalize(scores, count);
  }
}

/**
 * kube-scheduler's InterPodAffinity NormalizeScore: min and max start at 0, then
 * `int64(100 × (float64(s − min) / float64(max − min)))`, all 0 when max = min.
 */
export function minMaxNormalize(scores: Float64Array, count: number): void {
  let max = 0;
  let min = 0;
  for (let i = 0; i < count; i++) {
    const v = scores[i]!;
    if (v > max) max = v;
    if (v < min) min = v;
  }
  const diff = max - min;
  for (let i = 0; i < count; i++)
    scores[i] = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((scores[i]! - min) / diff)) : 0;
}

function makeState(
  terms: PodAffinityTerms,
  nsLabels: Labels,
  existingAnti: TopologyCounts,
  affinity: TopologyCounts,
  anti: TopologyCounts,
): PreFilterState {
  return {
    terms,
    nsLabels,
    existingAnti,
    affinity,
    anti,
    existingAntiKeys: existingAnti.keys(),
    anyExistingAnti: !existingAnti.isEmpty(),
    anyAnti: !anti.isEmpty(),
    anyAffinity: !affinity.isEmpty(),
  };
}

function termMatchesLazy(t: AffinityTerm, pod: Pod, ns: () => Labels): boolean {
  // Only consult namespace labels when the namespace is not named by the term.
  const own = t.namespaces.has(pod.metadata?.namespace ?? 'default');
  return termMatches(t, pod, own || t.namespaceSelector === undefined ? undefined : ns());
}

function matchesAllLazy(terms: readonly AffinityTerm[], pod: Pod, ns: () => Labels): boolean {
  for (const t of terms) if (!termMatchesLazy(t, pod, ns)) return false;
  return terms.length > 0;
}

function parseArgs(raw: unknown, path: string): InterPodAffinityArgs {
  const a = pluginArgs(raw, path);
  a.only(['hardPodAffinityWeight', 'ignorePreferredTermsOfExistingPods']);
  const w = a.raw.hardPodAffinityWeight ?? 1;
  if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > 100)
    a.fail('hardPodAffinityWeight', 'must be an integer in the range 0-100');
  const ig = a.raw.ignorePreferredTermsOfExistingPods ?? false;
  if (typeof ig !== 'boolean') a.fail('ignorePreferredTermsOfExistingPods', 'must be a boolean');
  return { hardPodAffinityWeight: w as number, ignorePreferredTermsOfExistingPods: ig as boolean };
}

/** Registry entry. */
export const factory: PluginFactory<InterPodAffinityArgs> = {
  name: NAME,
  points: ['preFilter', 'filter', 'preScore', 'score'],
  parseArgs,
  create: (args, h) => new InterPodAffinity(args ?? parseArgs(undefined, ''), h),
};
