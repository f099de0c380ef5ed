import type { LabelSelector, Pod, TopologySpreadConstraint } from '../../../api/types.js';
import {
  MATCH_NOTHING,
  compileRequirements,
  labelSelectorRequirements,
  type LabelMatcher,
  type LabelRequirement,
} from '../../../api/selector.js';
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
import { canonicalJson } from '../../../sim/canonical.js';
import { clusterLookups } from '../cluster-lookups.js';
import { compileLabelMap, compileNodeSelector, type SlotMatcher } from '../node-affinity/index.js';
import { tolerationsTolerateTaint } from '../taint-toleration/index.js';

/** Plugin name. */
export const NAME = 'PodTopologySpread';
/** Filter reason: placing the pod here would exceed maxSkew. */
export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
/** Filter reason: the node lacks a constraint's topology key. */
export const ERR_REASON_NODE_LABEL_NOT_MATCH = ERR_REASON_CONSTRAINTS_NOT_MATCH + ' (missing required label)';

/** The hostname label: per-node counts, computed in Score. */
export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
/** The zone label. */
export const LABEL_ZONE = 'topology.kubernetes.io/zone';

/** kube-scheduler's system default constraints (`defaultingType: System`). */
export const SYSTEM_DEFAULT_CONSTRAINTS: readonly TopologySpreadConstraint[] = Object.freeze([
  { maxSkew: 3, topologyKey: LABEL_HOSTNAME, whenUnsatisfiable: 'ScheduleAnyway' },
  { maxSkew: 5, topologyKey: LABEL_ZONE, whenUnsatisfiable: 'ScheduleAnyway' },
]);

/** PodTopologySpreadArgs. */
export interface PodTopologySpreadArgs {
  /** `System` (kube-scheduler's default) or `List`. */
  readonly defaultingType: 'System' | 'List';
  /** Constraints for pods without their own (no labelSelector: it comes from the pod's owners). */
  readonly defaultConstraints: readonly TopologySpreadConstraint[];
}

const PREFILTER_KEY = 'PreFilter' + NAME;
const PRESCORE_KEY = 'PreScore' + NAME;
const MAX_INT32 = 2147483647;
/** Counters kept per plugin instance (each costs a selector test per pod bound or removed). */
const MAX_COUNTERS = 64;

/** A constraint compiled for one pod. */
export interface Constraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly keyId: number;
  readonly selector: LabelMatcher;
  /** Canonical text of what `selector` was compiled from: equal texts, equal selectors. */
  readonly selectorKey: string;
  readonly minDomains: number;
  readonly honorNodeAffinity: boolean;
  readonly honorNodeTaints: boolean;
}

interface PreFilterState {
  readonly constraints: readonly Constraint[];
  /** Per constraint: topology value id → matching pods (domains of eligible nodes, 0 included). */
  readonly counts: readonly Map<number, number>[];
  readonly inclusion: Inclusion;
}

interface PreScoreState {
  readonly constraints: readonly Constraint[];
  /** Per constraint: matching pods per node slot. */
  readonly perNode: readonly Int32Array[];
  /** Per position of the scored nodes: 1 when the node is ignored (lacks a key). */
  readonly ignored: Uint8Array;
  /** Per constraint (non-hostname): value id → matching pods. */
  readonly pairs: readonly Map<number, number>[];
  /** Per constraint: log(domains + 2). */
  readonly weights: Float64Array;
}

/** Per-pod node inclusion checks (nodeAffinityPolicy / nodeTaintsPolicy). */
interface Inclusion {
  readonly affinity: SlotMatcher;
  readonly tolerates: (slot: number) => boolean;
}

/** Go's math.Round: half away from zero. */
function goRound(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * PodTopologySpread (kube-scheduler's podtopologyspread plugin).
 *
 * Constraints come from `spec.topologySpreadConstraints` or, for pods without any, from the default
 * constraints (with `defaultingType: System`: hostname maxSkew 3 and zone maxSkew 5, ScheduleAnyway),
 * whose selector is the conjunction of the selectors of the pod's Services / RCs / ReplicaSets /
 * StatefulSets ({@link clusterLookups}`.ownerSelectors`; none → no default constraints). `matchLabelKeys`
 * adds `key in (pod's value)` to the selector. Pods count when in the pod's namespace, matching the
 * selector and not terminating.
 *
 * Filter (DoNotSchedule): per constraint, over nodes having every constraint's key and passing the
 * constraint's inclusion policies (nodeAffinityPolicy default Honor, nodeTaintsPolicy default Ignore),
 * `count(domain) + selfMatch − min(counts) ≤ maxSkew`, where the minimum is 0 while there are fewer
 * domains than `minDomains`; a node lacking a key is UnschedulableAndUnresolvable.
 *
 * Score (ScheduleAnyway): per node, Σ over constraints `count × log(domains + 2) + (maxSkew − 1)`,
 * rounded (hostname counts are the node's own pods; other domains count over all eligible nodes,
 * domains taken from the feasible nodes); NormalizeScore `100 × (max + min − s) / max` (integer), nodes
 * lacking a key score 0. PreFilter/PreScore Skip when the pod has no constraint of that kind.
 *
 * The preemption what-if (PreFilter extensions) recomputes the exact minimum over domains, where
 * kube-scheduler keeps the two smallest domains only (which can overstate the minimum after AddPod).
 */
export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  readonly #h: FrameworkHandle;
  readonly #idx: NodeIndex;
  readonly #args: PodTopologySpreadArgs;
  readonly #reasonSkew: number;
  readonly #reasonLabel: number;
  readonly preFilterExtensions: PreFilterExtensions;
  /**
   * Index counters of the pods each recent (namespace, topology key, selector) counts, least recently
   * used first: pods of one workload share them across cycles, so a cycle reads per-node counts
   * instead of matching every bound pod. At most {@link MAX_COUNTERS}; the oldest is released.
   */
  readonly #counters = new Map<string, DomainCounter>();
  readonly #sums: Float64Array[] = [];

  constructor(args: PodTopologySpreadArgs, h: FrameworkHandle) {
    this.#h = h;
    this.#idx = h.index;
    this.#args = args;
    this.#reasonSkew = h.reasons.intern(NAME, [ERR_REASON_CONSTRAINTS_NOT_MATCH]);
    this.#reasonLabel = h.reasons.intern(NAME, [ERR_REASON_NODE_LABEL_NOT_MATCH]);
    this.preFilterExtensions = {
      addPod: (state, pod, added) => this.#updateWithPod(state, pod, added, 1),
      removePod: (state, pod, removed) => this.#updateWithPod(state, pod, removed, -1),
    };
  }

  /** A zeroed scratch array of at least `size` entries, the i-th of this plugin (left zeroed after use). */
  #sumBuffer(i: number, size: number): Float64Array {
    let b = this.#sums[i];
    if (!b || b.length < size) this.#sums[i] = b = new Float64Array(Math.max(size, 2 * (b?.length ?? 0)));
    return b;
  }

  #counter(c: Constraint, namespace: string): DomainCounter {
    const key = `${namespace}\u0000${c.topologyKey}\u0000${c.selectorKey}`;
    let counter = this.#counters.get(key);
    if (counter) {
      this.#counters.delete(key);
    } else {
      const selector = c.selector;
      counter = this.#idx.acquireCounter(`${NAME}\u0000${key}`, c.topologyKey, (p) =>
        counts(p, selector, namespace) ? 1 : 0,
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

  /** The pod's constraints for one action (own ones, else the defaults with the owners' selector). */
  constraints(pod: Pod, action: 'DoNotSchedule' | 'ScheduleAnyway'): Constraint[] {
    const own = pod.spec?.topologySpreadConstraints ?? [];
    if (own.length > 0) return this.#compile(pod, own, action, undefined);
    const defaults = this.#args.defaultConstraints.filter((c) => c.whenUnsatisfiable === action);
    if (defaults.length === 0) return [];
    const reqs: LabelRequirement[] = [];
    const owners = clusterLookups(this.#h).ownerSelectors?.(pod) ?? [];
    for (const sel of owners) {
      try {
        reqs.push(...labelSelectorRequirements(sel));
      } catch {
        // An invalid owner selector is ignored (it would have failed validation).
      }
    }
    if (reqs.length === 0) return [];
    return this.#compile(pod, defaults, action, {
      selector: compileRequirements(reqs),
      key: canonicalJson({ owners }),
    });
  }

  #compile(
    pod: Pod,
    list: readonly TopologySpreadConstraint[],
    action: string,
    fixed: { readonly selector: LabelMatcher; readonly key: string } | undefined,
  ): Constraint[] {
    const out: Constraint[] = [];
    const labels = pod.metadata?.labels ?? {};
    for (const c of list) {
      if (c.whenUnsatisfiable !== action) continue;
      const selector = fixed?.selector ?? compileSpreadSelector(c.labelSelector, c.matchLabelKeys, labels);
      const selectorKey =
        fixed?.key ??
        canonicalJson({
          selector: c.labelSelector ?? null,
          matchLabels: (c.matchLabelKeys ?? []).map((k) => [k, labels[k] ?? null]),
        });
      out.push({
        maxSkew: c.maxSkew,
        topologyKey: c.topologyKey,
        keyId: this.#idx.labelKeyId(c.topologyKey),
        selector,
        selectorKey,
        minDomains: c.minDomains ?? 1,
        honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
        honorNodeTaints: (c.nodeTaintsPolicy ?? 'Ignore') === 'Honor',
      });
    }
    return out;
  }

  #inclusion(pod: Pod): Inclusion {
    const idx = this.#idx;
    const bySelector = compileLabelMap(idx, pod.spec?.nodeSelector ?? {});
    const req = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    const byAffinity = req ? compileNodeSelector(idx, req) : undefined;
    const affinity: SlotMatcher = byAffinity ? (s) => bySelector(s) && byAffinity(s) : bySelector;
    const tolerations = pod.spec?.tolerations ?? [];
    const tolerates = (slot: number): boolean => {
      for (const id of idx.nodeTaints[slot] ?? []) {
        const taint = idx.taints[id]!;
        if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
        if (!tolerationsTolerateTaint(tolerations, taint)) return false;
      }
      return true;
    };
    return { affinity, tolerates };
  }

  /**
   * Whether the per-node pass of PreFilter would count every live node for every constraint: each
   * has every constraint's key, and no inclusion policy can leave one out (no node selector or
   * required node affinity to honour; no taint to honour).
   */
  #everyNodeEligible(pod: Pod, constraints: readonly Constraint[]): boolean {
    const idx = this.#idx;
    const spec = pod.spec;
    const narrowsNodes =
      Object.keys(spec?.nodeSelector ?? {}).length > 0 ||
      spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution !== undefined;
    for (const c of constraints) {
      if (idx.nodesWithKey(c.keyId) !== idx.count) return false;
      if (c.honorNodeAffinity && narrowsNodes) return false;
      if (c.honorNodeTaints && idx.taintedNodes > 0) return false;
    }
    return true;
  }

  preFilter(state: CycleState, pod: PodInfo): PreFilterResult {
    const constraints = this.constraints(pod.pod, 'DoNotSchedule');
    if (constraints.length === 0) return { status: SKIP };
    const idx = this.#idx;
    const inclusion = this.#inclusion(pod.pod);
    if (this.#everyNodeEligible(pod.pod, constraints)) {
      // Every live node counts for every constraint: each domain's count is its counter's, and the
      // domains are those of the key on live nodes; no per-node pass (same counts as the one below).
      const counts = constraints.map((c) => {
        const counter = this.#counter(c, pod.namespace);
        const m = new Map<number, number>();
        for (const v of idx.domainNodes(c.keyId).keys()) m.set(v, counter.inDomain(v));
        return m;
      });
      state.write(PREFILTER_KEY, { constraints, counts, inclusion } satisfies PreFilterState);
      return { status: SUCCESS };
    }
    const cols = constraints.map((c) => idx.labelValues(c.keyId));
    const perNode = constraints.map((c) => this.#counter(c, pod.namespace).nodeCounts());
    // Per constraint, 1 + matching pods per domain value id (0: no eligible node in that domain yet),
    // and the domains in first-seen slot order: typed-array sums instead of a Map update per node.
    const values = idx.labelValuesTable.size;
    const sums = constraints.map((_, i) => this.#sumBuffer(i, values));
    const seen = constraints.map((): number[] => []);
    for (let s = 0; s < idx.size; s++) {
      if (!idx.live[s] || !hasAllKeys(cols, s)) continue;
      for (let i = 0; i < constraints.length; i++) {
        if (!included(constraints[i]!, inclusion, s)) continue;
        const v = cols[i]![s]!;
        const sum = sums[i]!;
        if (sum[v] === 0) {
          sum[v] = 1;
          seen[i]!.push(v);
        }
        sum[v] += perNode[i]![s]!;
      }
    }
    const counts = constraints.map((_, i) => {
      const m = new Map<number, number>();
      const sum = sums[i]!;
      for (const v of seen[i]!) {
        m.set(v, sum[v]! - 1);
        sum[v] = 0;
      }
      return m;
    });
    state.write(PREFILTER_KEY, { constraints, counts, inclusion } satisfies PreFilterState);
    return { status: SUCCESS };
  }

  #updateWithPod(state: CycleState, pod: PodInfo, other: IndexedPod, delta: number): Status {
    const s = state.read<PreFilterState>(PREFILTER_KEY);
    const slot = other.slot;
    if (!s || slot < 0 || other.namespace !== pod.namespace) return SUCCESS;
    if (other.pod.metadata?.deletionTimestamp) return SUCCESS;
    const cols = s.constraints.map((c) => this.#idx.labelValues(c.keyId));
    if (!hasAllKeys(cols, slot)) return SUCCESS;
    const counts = s.counts.map((m, i) => {
      const c = s.constraints[i]!;
      if (!included(c, s.inclusion, slot) || !c.selector(other.pod.metadata?.labels)) return m;
      const copy = new Map(m);
      const v = cols[i]![slot]!;
      copy.set(v, (copy.get(v) ?? 0) + delta);
      return copy;
    });
    state.write(PREFILTER_KEY, { ...s, counts } satisfies PreFilterState);
    return SUCCESS;
  }

  filter(state: CycleState, pod: PodInfo, from: number, to: number, out: FilterOutput): void {
    const s = state.read<PreFilterState>(PREFILTER_KEY);
    if (!s) return;
    const idx = this.#idx;
    const labels = pod.pod.metadata?.labels;
    const n = s.constraints.length;
    const cols = s.constraints.map((c) => idx.labelValues(c.keyId));
    const mins = s.counts.map((m, i) => minMatch(m, s.constraints[i]!.minDomains));
    const self = s.constraints.map((c) => (c.selector(labels) ? 1 : 0));
    for (let slot = from; slot < to; slot++) {
      if (out.code[slot] !== 0) continue;
      for (let i = 0; i < n; i++) {
        const v = cols[i]![slot]!;
        if (v < 0) {
          out.code[slot] = CODE.UnschedulableAndUnresolvable;
          out.reason[slot] = this.#reasonLabel;
          break;
        }
        const skew = (s.counts[i]!.get(v) ?? 0) + self[i]! - mins[i]!;
        if (skew > s.constraints[i]!.maxSkew) {
          out.code[slot] = CODE.Unschedulable;
          out.reason[slot] = this.#reasonSkew;
          break;
        }
      }
    }
  }

  preScore(state: CycleState, pod: PodInfo, nodes: Int32Array, count: number): Status {
    const constraints = this.constraints(pod.pod, 'ScheduleAnyway');
    if (constraints.length === 0) return SKIP;
    const idx = this.#idx;
    const requireAll =
      (pod.pod.spec?.topologySpreadConstraints ?? []).length > 0 || this.#args.defaultingType !== 'System';
    const cols = constraints.map((c) => idx.labelValues(c.keyId));
    const ignored = new Uint8Array(count);
    let ignoredCount = 0;
    const pairs = constraints.map(() => new Map<number, number>());
    for (let j = 0; j < count; j++) {
      const slot = nodes[j]!;
      if (requireAll && !hasAllKeys(cols, slot)) {
        ignored[j] = 1;
        ignoredCount++;
        continue;
      }
      for (let i = 0; i < constraints.length; i++) {
        if (constraints[i]!.topologyKey === LABEL_HOSTNAME) continue;
        const v = cols[i]![slot]!;
        if (v >= 0 && !pairs[i]!.has(v)) pairs[i]!.set(v, 0);
      }
    }
    const weights = new Float64Array(constraints.length);
    for (let i = 0; i < constraints.length; i++) {
      const size = constraints[i]!.topologyKey === LABEL_HOSTNAME ? count - ignoredCount : pairs[i]!.size;
      weights[i] = Math.log(size + 2);
    }
    const inclusion = this.#inclusion(pod.pod);
    const perNode = constraints.map((c) => this.#counter(c, pod.namespace).nodeCounts());
    for (let s = 0; s < idx.size; s++) {
      if (!idx.live[s]) continue;
      if (requireAll && !hasAllKeys(cols, s)) continue;
      for (let i = 0; i < constraints.length; i++) {
        const c = constraints[i]!;
        if (!included(c, inclusion, s)) continue;
        const m = pairs[i]!;
        const v = cols[i]![s]!;
        const cur = m.get(v);
        if (cur === undefined) continue;
        m.set(v, cur + perNode[i]![s]!);
      }
    }
    state.write(PRESCORE_KEY, { constraints, perNode, ignored, pairs, weights } satisfies PreScoreState);
    return SUCCESS;
  }

  score(state: CycleState, pod: PodInfo, nodes: Int32Array, count: number, out: Float64Array): void {
    const s = state.read<PreScoreState>(PRESCORE_KEY);
    if (!s) return;
    const idx = this.#idx;
    const cols = s.constraints.map((c) => idx.labelValues(c.keyId));
    for (let j = 0; j < count; j++) {
      if (s.ignored[j]) {
        out[j] = 0;
        continue;
      }
      const slot = nodes[j]!;
      let score = 0;
      for (let i = 0; i < s.constraints.length; i++) {
        const c = s.constraints[i]!;
        const v = cols[i]![slot]!;
        if (v < 0) continue;
        const cnt = c.topologyKey === LABEL_HOSTNAME ? s.perNode[i]![slot]! : (s.pairs[i]!.get(v) ?? 0);
        score += cnt * s.weights[i]! + (c.maxSkew - 1);
      }
      out[j] = goRound(score);
    }
  }

  normalizeScore(state: CycleState, _pod: PodInfo, scores: Float64Array, count: number): void {
    const s = state.read<PreScoreState>(PRESCORE_KEY);
    if (!s) return;
    let min = Number.MAX_SAFE_INTEGER;
    let max = 0;
    for (let j = 0; j < count; j++) {
      if (s.ignored[j]) continue;
      const v = scores[j]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    for (let j = 0; j < count; j++) {
      if (s.ignored[j]) scores[j] = 0;
      else if (max === 0) scores[j] = MAX_NODE_SCORE;
      else scores[j] = Math.trunc((MAX_NODE_SCORE * (max + min - scores[j]!)) / max);
    }
  }
}

/** A constraint's selector plus `matchLabelKeys` (key in (the pod's value), for keys the pod has). */
export function compileSpreadSelector(
  sel: LabelSelector | undefined,
  matchLabelKeys: readonly string[] | undefined,
  podLabels: Readonly<Record<string, string>>,
): LabelMatcher {
  if (sel === undefined || sel === null) return MATCH_NOTHING;
  try {
    const reqs = labelSelectorRequirements(sel);
    for (const k of matchLabelKeys ?? []) {
      const v = podLabels[k];
      if (v !== undefined) reqs.push({ key: k, operator: 'In', values: [v] });
    }
    return compileRequirements(reqs);
  } catch {
    return MATCH_NOTHING;
  }
}

function hasAllKeys(cols: readonly Int32Array[], slot: number): boolean {
  for (const c of cols) if (c[slot]! < 0) return false;
  return true;
}

function included(c: Constraint, inc: Inclusion, slot: number): boolean {
  if (c.honorNodeAffinity && !inc.affinity(slot)) return false;
  if (c.honorNodeTaints && !inc.tolerates(slot)) return false;
  return true;
}

/** Whether a pod counts: in `namespace`, not terminating, matching `selector` (countPodsMatchSelector). */
function counts(p: IndexedPod, selector: LabelMatcher, namespace: string): boolean {
  return p.namespace === namespace && !p.pod.metadata?.deletionTimestamp && selector(p.pod.metadata?.labels);
}

/** The global minimum of matching pods over domains; 0 while there are fewer than `minDomains` domains. */
function minMatch(counts: ReadonlyMap<number, number>, minDomains: number): number {
  if (counts.size < minDomains) return 0;
  let min = MAX_INT32;
  for (const n of counts.values()) if (n < min) min = n;
  return min;
}

function parseArgs(raw: unknown, path: string): PodTopologySpreadArgs {
  const a = pluginArgs(raw, path);
  a.only(['defaultConstraints', 'defaultingType']);
  const type = a.raw.defaultingType ?? 'System';
  if (type !== 'System' && type !== 'List') a.fail('defaultingType', 'must be "System" or "List"');
  const list = a.raw.defaultConstraints ?? [];
  if (!Array.isArray(list)) return a.fail('defaultConstraints', 'must be a list');
  if (type === 'System' && list.length > 0)
    a.fail('defaultConstraints', 'when .defaultingType is "System", constraints must be empty');
  (list as TopologySpreadConstraint[]).forEach((c, i) => {
    if (typeof c?.maxSkew !== 'number' || !Number.isInteger(c.maxSkew) || c.maxSkew <= 0)
      a.fail(`defaultConstraints[${i}].maxSkew`, 'must be a positive integer');
    if (typeof c.topologyKey !== 'string' || c.topologyKey === '')
      a.fail(`defaultConstraints[${i}].topologyKey`, 'must not be empty');
    if (c.whenUnsatisfiable !== 'DoNotSchedule' && c.whenUnsatisfiable !== 'ScheduleAnyway') {
      a.fail(`defaultConstraints[${i}].whenUnsatisfiable`, 'must be "DoNotSchedule" or "ScheduleAnyway"');
    }
    if (c.labelSelector)
      a.fail(
        `defaultConstraints[${i}].labelSelector`,
        'constraint must not define a selector, as they deduced for each pod',
      );
  });
  return {
    defaultingType: type as 'System' | 'List',
    defaultConstraints: type === 'System' ? SYSTEM_DEFAULT_CONSTRAINTS : (list as TopologySpreadConstraint[]),
  };
}

/** Registry entry. */
export const factory: PluginFactory<PodTopologySpreadArgs> = {
  name: NAME,
  points: ['preFilter', 'filter', 'preScore', 'score'],
  parseArgs,
  create: (args, h) => new PodTopologySpread(args ?? parseArgs(undefined, ''), h),
};
