import type { Pod, PodAffinityTerm, WeightedPodAffinityTerm } from '../../../api/types.js';
import {
  MATCH_NOTHING,
  compileLabelSelector,
  type LabelMatcher,
  type Labels,
} from '../../../api/selector.js';
import type { NodeIndex } from '../../index/index.js';
import { canonicalJson } from '../../../sim/canonical.js';

/**
 * A pod affinity term compiled once per pod (kube-scheduler's framework.AffinityTerm): the namespaces
 * it names, its namespace selector (undefined = none), its label selector and its topology key as an
 * index label-key id.
 */
export interface AffinityTerm {
  readonly topologyKey: string;
  readonly keyId: number;
  readonly namespaces: ReadonlySet<string>;
  readonly namespaceSelector: LabelMatcher | undefined;
  readonly selector: LabelMatcher;
  /** Weight of a preferred term (1 for required terms). */
  readonly weight: number;
  /** Canonical text of the namespaces and label selector: equal texts, equal matches. */
  readonly matchKey: string;
}

/** A pod's four term lists. */
export interface PodAffinityTerms {
  readonly requiredAffinity: readonly AffinityTerm[];
  readonly requiredAntiAffinity: readonly AffinityTerm[];
  readonly preferredAffinity: readonly AffinityTerm[];
  readonly preferredAntiAffinity: readonly AffinityTerm[];
  /** kube-scheduler's PodsWithAffinity membership: podAffinity or podAntiAffinity is set. */
  readonly hasAffinity: boolean;
}

function safeSelector(compile: () => LabelMatcher): LabelMatcher {
  try {
    return compile();
  } catch {
    // Invalid selectors are rejected at admission; a stray one matches nothing.
    return MATCH_NOTHING;
  }
}

function compileTerm(idx: NodeIndex, pod: Pod, t: PodAffinityTerm, weight: number): AffinityTerm {
  const ns = pod.metadata?.namespace ?? 'default';
  const names = new Set(t.namespaces ?? []);
  // kube-scheduler's GetNamespacesFromPodAffinityTerm: no namespaces and no selector = the pod's own.
  if (names.size === 0 && (t.namespaceSelector === undefined || t.namespaceSelector === null)) names.add(ns);
  const nsSel = t.namespaceSelector;
  return {
    topologyKey: t.topologyKey,
    keyId: idx.labelKeyId(t.topologyKey),
    namespaces: names,
    namespaceSelector:
      nsSel === undefined || nsSel === null ? undefined : safeSelector(() => compileLabelSelector(nsSel)),
    selector: safeSelector(() => compileLabelSelector(t.labelSelector)),
    weight,
    matchKey: canonicalJson({
      namespaces: [...names].sort(),
      namespaceSelector: nsSel ?? null,
      selector: t.labelSelector ?? null,
    }),
  };
}

function required(idx: NodeIndex, pod: Pod, ts: readonly PodAffinityTerm[] | undefined): AffinityTerm[] {
  return (ts ?? []).map((t) => compileTerm(idx, pod, t, 1));
}

function preferred(
  idx: NodeIndex,
  pod: Pod,
  ts: readonly WeightedPodAffinityTerm[] | undefined,
): AffinityTerm[] {
  return (ts ?? []).map((t) => compileTerm(idx, pod, t.podAffinityTerm, t.weight));
}

const cache = new WeakMap<Pod, PodAffinityTerms>();
/**
 * Compiled terms shared by every pod of an index with the same namespace and the same (by content)
 * pod (anti-)affinity: pods of one workload then share term objects, which lets a cycle test each
 * distinct term once. Bounded: cleared when it reaches SHARED_LIMIT entries.
 */
const shared = new WeakMap<NodeIndex, Map<string, PodAffinityTerms>>();
const SHARED_LIMIT = 4096;

const NO_TERMS: PodAffinityTerms = Object.freeze({
  requiredAffinity: Object.freeze([]),
  requiredAntiAffinity: Object.freeze([]),
  preferredAffinity: Object.freeze([]),
  preferredAntiAffinity: Object.freeze([]),
  hasAffinity: false,
});

/** The compiled terms of a pod (cached per pod object). */
export function podAffinityTerms(idx: NodeIndex, pod: Pod): PodAffinityTerms {
  const a = pod.spec?.affinity;
  // Most pods have no pod (anti-)affinity at all: one shared empty value, nothing to cache.
  if (!a || (!a.podAffinity && !a.podAntiAffinity)) return NO_TERMS;
  let c = cache.get(pod);
  if (c) return c;
  let byContent = shared.get(idx);
  if (!byContent) shared.set(idx, (byContent = new Map()));
  const key = `${pod.metadata?.namespace ?? 'default'}\u0000${canonicalJson([a.podAffinity ?? null, a.podAntiAffinity ?? null])}`;
  c = byContent.get(key);
  if (c) {
    cache.set(pod, c);
    return c;
  }
  c = {
    requiredAffinity: required(idx, pod, a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    requiredAntiAffinity: required(
      idx,
      pod,
      a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
    ),
    preferredAffinity: preferred(idx, pod, a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    preferredAntiAffinity: preferred(
      idx,
      pod,
      a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
    ),
    hasAffinity: !!a && (!!a.podAffinity || !!a.podAntiAffinity),
  };
  cache.set(pod, c);
  if (byContent.size >= SHARED_LIMIT) byContent.clear();
  byContent.set(key, c);
  return c;
}

/**
 * Whether `pod` matches term `t` (kube-scheduler's AffinityTerm.Matches): its namespace is named by the
 * term or selected by the term's namespace selector (evaluated on `nsLabels`, the labels of the pod's
 * namespace), and its labels match the selector.
 */
export function termMatches(t: AffinityTerm, pod: Pod, nsLabels: Labels): boolean {
  const ns = pod.metadata?.namespace ?? 'default';
  if (!t.namespaces.has(ns) && !(t.namespaceSelector !== undefined && t.namespaceSelector(nsLabels)))
    return false;
  return t.selector(pod.metadata?.labels);
}

/** Whether `pod` matches every term (false for an empty list, as kube-scheduler's podMatchesAllAffinityTerms). */
export function matchesAll(terms: readonly AffinityTerm[], pod: Pod, nsLabels: Labels): boolean {
  if (terms.length === 0) return false;
  for (const t of terms) if (!termMatches(t, pod, nsLabels)) return false;
  return true;
}
