import type { Pod, PodDisruptionBudget } from '../../api/types.js';
import { compileLabelSelector, labelSelectorRequirements } from '../../api/selector.js';
import {
  CODE,
  type CycleState,
  type Diagnosis,
  type FilterOutput,
  type FrameworkHandle,
  type PodInfo,
} from '../framework/index.js';
import type { IndexedPod } from '../index/index.js';
import { NODE_STATIC_FILTERS } from '../parallel/plugins.js';

/** kube-scheduler's DefaultPreemptionArgs. */
export interface PreemptionArgs {
  /** Candidates to look for, as a percentage of the potential nodes (default 10). */
  readonly minCandidateNodesPercentage: number;
  /** At least this many candidates (default 100). */
  readonly minCandidateNodesAbsolute: number;
}

/** Default args. */
export const DEFAULT_PREEMPTION_ARGS: PreemptionArgs = Object.freeze({
  minCandidateNodesPercentage: 10,
  minCandidateNodesAbsolute: 100,
});

/** A node where preemption would make the pod fit, with the pods to evict. */
export interface Candidate {
  readonly nodeName: string;
  readonly slot: number;
  /** Victims, most important first (priority desc, then earliest start). */
  readonly victims: readonly Pod[];
  readonly numPDBViolations: number;
}

/** Where the preemptor's cluster context comes from. */
export interface PreemptionContext {
  readonly handle: FrameworkHandle;
  /** PDBs of a namespace. */
  readonly pdbs: (namespace: string) => readonly PodDisruptionBudget[];
  /** A draw in [0, 1) for the candidate offset. */
  readonly random: () => number;
}

const MAX_INT32 = 2147483647;
/** kube-scheduler's reason for a node without lower-priority pods. */
export const NO_VICTIMS = 'No preemption victims found for incoming pod';
/** kube-scheduler's reason for a node whose Filter failure preemption cannot fix. */
export const NOT_HELPFUL = 'Preemption is not helpful for scheduling';

/** `spec.priority` (0 when unset). */
export function podPriority(pod: Pod): number {
  return pod.spec?.priority ?? 0;
}

/** Parsed start times by text (pods of one replay share few distinct start times); bounded. */
const startMsByText = new Map<string, number>();

/** `status.startTime` in ms, +∞ when not started (kube-scheduler uses "now", later than any start). */
export function podStartMs(pod: Pod): number {
  const s = pod.status?.startTime;
  if (!s) return Number.POSITIVE_INFINITY;
  let t = startMsByText.get(s);
  if (t === undefined) {
    t = Date.parse(s);
    if (Number.isNaN(t)) t = Number.POSITIVE_INFINITY;
    if (startMsByText.size >= 4096) startMsByText.clear();
    startMsByText.set(s, t);
  }
  return t;
}

/** kube-scheduler's util.MoreImportantPod: higher priority, then earlier start time. */
export function moreImportant(a: Pod, b: Pod): boolean {
  const pa = podPriority(a);
  const pb = podPriority(b);
  if (pa !== pb) return pa > pb;
  return podStartMs(a) < podStartMs(b);
}

/**
 * Sorts most important first (the order of {@link moreImportant}; ties keep their order), reading each
 * pod's priority and start time once instead of per comparison.
 */
function sortByImportance<T>(items: T[], podOf: (item: T) => Pod): void {
  // Often already in order (one priority, no start times): nothing to allocate then.
  let sorted = true;
  for (let i = 1; i < items.length && sorted; i++) {
    const a = podOf(items[i - 1]!);
    const b = podOf(items[i]!);
    const pa = podPriority(a);
    const pb = podPriority(b);
    sorted = pa > pb || (pa === pb && podStartMs(a) <= podStartMs(b));
  }
  if (sorted) return;
  const keyed = items.map((item) => {
    const pod = podOf(item);
    return { item, prio: podPriority(pod), start: podStartMs(pod) };
  });
  keyed.sort((a, b) =>
    a.prio !== b.prio ? b.prio - a.prio : a.start < b.start ? -1 : b.start < a.start ? 1 : 0,
  );
  for (let i = 0; i < keyed.length; i++) items[i] = keyed[i]!.item;
}

/**
 * kube-scheduler's calculateNumCandidates: `n × percentage / 100` (integer), at least `absolute`, at
 * most `n`.
 */
export function numCandidates(n: number, args: PreemptionArgs): number {
  let c = Math.trunc((n * args.minCandidateNodesPercentage) / 100);
  if (c < args.minCandidateNodesAbsolute) c = args.minCandidateNodesAbsolute;
  if (c > n) c = n;
  return c;
}

/**
 * Splits pods (in the given order) into those whose eviction would violate a PDB and the others
 * (kube-scheduler's filterPodsWithPDBViolation): each matching PDB not already counting the pod as
 * disrupted loses one allowed disruption; a pod is violating when one of them drops below 0. PDBs with
 * an empty or missing selector match nothing.
 */
export function splitByPDBViolation(
  pods: readonly Pod[],
  pdbs: readonly PodDisruptionBudget[],
): { violating: Pod[]; nonViolating: Pod[] } {
  const allowed = pdbs.map((p) => p.status?.disruptionsAllowed ?? 0);
  const matchers = pdbs.map((p) => {
    const sel = p.spec?.selector;
    try {
      if (!sel || labelSelectorRequirements(sel).length === 0) return undefined;
      return compileLabelSelector(sel);
    } catch {
      return undefined;
    }
  });
  const violating: Pod[] = [];
  const nonViolating: Pod[] = [];
  for (const pod of pods) {
    let violated = false;
    const labels = pod.metadata?.labels;
    if (labels && Object.keys(labels).length > 0) {
      const ns = pod.metadata?.namespace ?? 'default';
      pdbs.forEach((pdb, i) => {
        if ((pdb.metadata?.namespace ?? 'default') !== ns) return;
        const m = matchers[i];
        if (!m || !m(labels)) return;
        if (pdb.status?.disruptedPods && Object.hasOwn(pdb.status.disruptedPods, pod.metadata?.name ?? ''))
          return;
        allowed[i]!--;
        if (allowed[i]! < 0) violated = true;
      });
    }
    (violated ? violating : nonViolating).push(pod);
  }
  return { violating, nonViolating };
}

/**
 * kube-scheduler's pickOneNodeForPreemption: fewest PDB violations, then the lowest highest-victim
 * priority, then the smallest Σ(priority + 2³¹) (so fewer victims win first), then fewest victims, then
 * the latest earliest-start among the highest-priority victims, then the first candidate.
 */
export function pickOneNode(candidates: readonly Candidate[]): Candidate | undefined {
  if (candidates.length <= 1) return candidates[0];
  const scores: ((c: Candidate) => number)[] = [
    (c) => -c.numPDBViolations,
    (c) => -podPriority(c.victims[0]!),
    (c) => {
      let sum = 0;
      for (const v of c.victims) sum += podPriority(v) + MAX_INT32 + 1;
      return -sum;
    },
    (c) => -c.victims.length,
    (c) => {
      // Earliest start among the highest-priority victims; a later one wins.
      const top = podPriority(c.victims[0]!);
      let earliest = Number.POSITIVE_INFINITY;
      for (const v of c.victims)
        if (podPriority(v) === top && podStartMs(v) < earliest) earliest = podStartMs(v);
      return earliest;
    },
  ];
  let left = candidates.slice();
  for (const f of scores) {
    let best = Number.NEGATIVE_INFINITY;
    let next: Candidate[] = [];
    for (const c of left) {
      const s = f(c);
      if (s > best) {
        best = s;
        next = [c];
      } else if (s === best) next.push(c);
    }
    left = next;
    if (left.length === 1) return left[0];
  }
  return left[0];
}

/**
 * The preemption evaluator (kube-scheduler's preemption.Evaluator with DefaultPreemption's policy).
 *
 * What-ifs mutate the node index (the filters read it) and restore it exactly, pod order included,
 * before returning. Candidate search is sequential from a random offset and stops, as kube-scheduler's
 * DryRunPreemption does, once some non-violating candidate exists and the candidates found reach
 * {@link numCandidates}. Not modelled: filters with nominated pods during the what-if
 * (RunFilterPluginsWithNominatedPods), and clearing the nominations of lower-priority pods on the chosen
 * node (the integrator may do it).
 */
export class Evaluator {
  readonly #ctx: PreemptionContext;
  readonly #args: PreemptionArgs;
  /** Why the last dry runs failed, per node slot (for the preemption message). */
  readonly #failures = new Map<number, readonly string[]>();
  #out: FilterOutput = { code: new Int8Array(0), reason: new Int32Array(0) };

  constructor(ctx: PreemptionContext, args: PreemptionArgs = DEFAULT_PREEMPTION_ARGS) {
    this.#ctx = ctx;
    this.#args = args;
  }

  /** Why the pod may not preempt (kube-scheduler's PodEligibleToPreemptOthers), or undefined. */
  ineligible(pod: Pod): string | undefined {
    if (pod.spec?.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
    const nominated = pod.status?.nominatedNodeName;
    if (nominated) {
      const idx = this.#ctx.handle.index;
      const slot = idx.slotOf(nominated);
      if (slot >= 0) {
        const prio = podPriority(pod);
        for (const p of idx.pods[slot]!) {
          if (p.pod.metadata?.deletionTimestamp && podPriority(p.pod) < prio)
            return 'not eligible due to a terminating pod on the nominated node.';
        }
      }
    }
    return undefined;
  }

  /** Node slots where preemption might help: the Filter verdict was Unschedulable (not Unresolvable). */
  potentialNodes(diagnosis: Diagnosis): number[] {
    const idx = this.#ctx.handle.index;
    const out: number[] = [];
    for (let s = 0; s < diagnosis.size; s++) {
      if (!idx.live[s]) continue;
      // Not evaluated (outside a PreFilterResult) and Unresolvable nodes cannot be helped.
      if (diagnosis.code[s] === CODE.Unschedulable) out.push(s);
    }
    return out;
  }

  /** Dry-runs preemption on the potential nodes: non-violating candidates first, then violating ones. */
  findCandidates(state: CycleState, pod: PodInfo, potential: readonly number[]): Candidate[] {
    const n = potential.length;
    if (n === 0) return [];
    const want = numCandidates(n, this.#args);
    const offset = Math.min(n - 1, Math.floor(this.#ctx.random() * n));
    const nonViolating: Candidate[] = [];
    const violating: Candidate[] = [];
    const idx = this.#ctx.handle.index;
    for (let i = 0; i < n; i++) {
      const slot = potential[(offset + i) % n]!;
      // No lower-priority pod: no candidate (what selectVictimsOnNode would find), without cloning
      // the cycle state — on a cluster of equal priorities this is every node of every failure.
      if (idx.minPodPriority(slot) >= pod.priority) {
        this.#failures.set(slot, [NO_VICTIMS]);
        continue;
      }
      const c = this.selectVictimsOnNode(state.clone(), pod, slot);
      if (!c) continue;
      (c.numPDBViolations === 0 ? nonViolating : violating).push(c);
      if (nonViolating.length > 0 && nonViolating.length + violating.length >= want) break;
    }
    return [...nonViolating, ...violating];
  }

  /**
   * kube-scheduler's SelectVictimsOnNode: remove every lower-priority pod; if the pod then passes the
   * filters, add victims back (PDB-violating ones first, each group most important first) while it
   * still fits. Undefined when there is no lower-priority pod or the pod does not fit even then.
   * `state` must be this dry run's own clone: the what-if changes it.
   */
  selectVictimsOnNode(state: CycleState, pod: PodInfo, slot: number): Candidate | undefined {
    const h = this.#ctx.handle;
    const idx = h.index;
    const original = idx.pods[slot]!.slice();
    const prio = pod.priority;
    const potential = original.filter((p) => podPriority(p.pod) < prio);
    if (potential.length === 0) {
      this.#failures.set(slot, [NO_VICTIMS]);
      return undefined;
    }
    const out = this.#filterOutput(slot);
    const fits = (): boolean => {
      out.code[slot] = 0;
      h.runFilterPlugins(state, pod, slot, slot + 1, out);
      return out.code[slot] === 0;
    };
    // The what-if takes the same pod objects off the node and puts them back (no re-indexing).
    const remove = (p: IndexedPod): void => {
      h.runPreFilterExtensionRemovePod(state, pod, p);
      idx.withdrawPod(p);
    };
    const add = (p: IndexedPod): void => {
      idx.restorePod(p, slot);
      h.runPreFilterExtensionAddPod(state, pod, p);
    };
    const removed = new Set<IndexedPod>();
    try {
      for (const p of potential) {
        remove(p);
        removed.add(p);
      }
      if (!fits()) {
        this.#failures.set(slot, h.reasons.get(out.reason[slot]!).reasons);
        return undefined;
      }
      // Filters that read only the pod and the node passed and cannot change while pods come back:
      // the reprieves run the others (this state is this dry run's own clone).
      for (const name of NODE_STATIC_FILTERS) state.skipFilterPlugins.add(name);
      sortByImportance(potential, (p) => p.pod);
      const pdbs: PodDisruptionBudget[] = [];
      const seenNs = new Set<string>();
      for (const p of potential) {
        if (seenNs.has(p.namespace)) continue;
        seenNs.add(p.namespace);
        pdbs.push(...this.#ctx.pdbs(p.namespace));
      }
      // Without PDBs nothing violates one: every pod is reprieved in importance order.
      let violating: readonly IndexedPod[] = [];
      let nonViolating: readonly IndexedPod[] = potential;
      if (pdbs.length > 0) {
        const indexed = new Map(potential.map((p) => [p.pod, p]));
        const split = splitByPDBViolation(
          potential.map((p) => p.pod),
          pdbs,
        );
        violating = split.violating.map((p) => indexed.get(p)!);
        nonViolating = split.nonViolating.map((p) => indexed.get(p)!);
      }
      const victims: Pod[] = [];
      let numViolating = 0;
      const reprieve = (p: IndexedPod): boolean => {
        add(p);
        removed.delete(p);
        if (fits()) return true;
        remove(p);
        removed.add(p);
        victims.push(p.pod);
        return false;
      };
      for (const p of violating) if (!reprieve(p)) numViolating++;
      for (const p of nonViolating) reprieve(p);
      sortByImportance(victims, (p) => p);
      return { nodeName: idx.names[slot]!, slot, victims, numPDBViolations: numViolating };
    } finally {
      for (const p of removed) idx.restorePod(p, slot);
      // Re-added pods were appended: put the node's pod list back in its original order.
      const list = idx.pods[slot]!;
      list.length = 0;
      for (const p of original) list.push(p);
    }
  }

  /** Filter output arrays reused across dry runs, long enough for `slot`. */
  #filterOutput(slot: number): FilterOutput {
    if (this.#out.code.length <= slot) {
      const n = Math.max(slot + 1, this.#ctx.handle.index.size);
      this.#out = { code: new Int8Array(n), reason: new Int32Array(n) };
    }
    return this.#out;
  }

  /**
   * The whole PostFilter: candidates, then the chosen node. Without one, `message` is kube-scheduler's
   * `preemption: 0/N nodes are available: …` (reasons counted per node and sorted; no final period:
   * the scheduler appends it).
   */
  preempt(
    state: CycleState,
    pod: PodInfo,
    diagnosis: Diagnosis,
  ): { candidate?: Candidate; message?: string } {
    const why = this.ineligible(pod.pod);
    if (why) return { message: why.replace(/\.$/, '') };
    const idx = this.#ctx.handle.index;
    const potential = this.potentialNodes(diagnosis);
    this.#failures.clear();
    const best = pickOneNode(this.findCandidates(state, pod, potential));
    if (best) return { candidate: best };
    const histogram = new Map<string, number>();
    const count = (r: string): void => void histogram.set(r, (histogram.get(r) ?? 0) + 1);
    const isPotential = new Set(potential);
    for (let s = 0; s < idx.size; s++) {
      if (!idx.live[s]) continue;
      if (!isPotential.has(s)) count(NOT_HELPFUL);
      else for (const r of this.#failures.get(s) ?? [NO_VICTIMS]) count(r);
    }
    const parts = [...histogram].map(([r, n]) => `${n} ${r}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return { message: `preemption: 0/${idx.count} nodes are available: ${parts.join(', ')}` };
  }
}
