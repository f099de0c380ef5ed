import { KreplayError } from '../api/errors.js';
import type { Node, Pod } from '../api/types.js';
import {
  CODE,
  CODE_NAMES,
  CODE_NOT_EVALUATED,
  Framework,
  ReasonTable,
  makePodInfo,
  type CodeName,
  type CycleState,
  type FilterOutput,
  type PodInfo,
  type Registry,
  type SchedulerConfig,
  type Status,
} from './framework/index.js';
import { NodeIndex } from './index/index.js';
import { selectHost } from './select-host.js';
import { defaultRegistry } from './plugins/index.js';

/** kube-scheduler's minFeasibleNodesToFind. */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
/** kube-scheduler's minFeasibleNodesPercentageToFind. */
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;
/** The profile a pod without `spec.schedulerName` uses. */
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

/**
 * How many feasible nodes to look for before scoring (kube-scheduler's numFeasibleNodesToFind):
 * all when N < 100; otherwise `percentage` of N (adaptive `max(5, 50 − ⌊N/125⌋)` when 0), at least 100.
 */
export function numFeasibleNodesToFind(percentage: number, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND || percentage >= 100) return numAllNodes;
  let p = percentage;
  if (p === 0) {
    p = 50 - Math.trunc(numAllNodes / 125);
    if (p < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) p = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  const n = Math.trunc((numAllNodes * p) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

/** Options of {@link Scheduler}. */
export interface SchedulerOptions {
  /** Parsed profiles (`loadSchedulerConfig` / `presetConfig`). */
  readonly config: SchedulerConfig;
  /** Seeded stream in [0, 1) for breaking ties among top-scoring nodes. */
  readonly random: () => number;
  /** Plugin registry; defaults to the in-tree plugins. */
  readonly registry?: Registry;
}

/** A placement decision. */
export interface ScheduleSuccess {
  readonly code: 'Success';
  readonly nodeName: string;
  /** The chosen node's total score (Σ weight × normalized score); 0 when chosen without scoring. */
  readonly score: number;
  readonly feasibleNodes: number;
  readonly evaluatedNodes: number;
}

/** No node fits (or an error happened), with kube-scheduler's diagnosis. */
export interface ScheduleFailure {
  readonly code: 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Error';
  /** Distinct reasons per rejecting plugin. */
  readonly reasons: Record<string, string[]>;
  /** Number of nodes per reason, per plugin. */
  readonly reasonCounts: Record<string, Record<string, number>>;
  /** kube-scheduler's FitError text: `0/5 nodes are available: 3 Insufficient cpu, 2 node(s) had untolerated taint {k: v}.` */
  readonly message: string;
  readonly evaluatedNodes: number;
  /** Set by a PostFilter (preemption) plugin. */
  readonly nominatedNodeName?: string;
  /** Pods a PostFilter (preemption) plugin wants deleted. */
  readonly victims?: readonly Pod[];
}

/** The outcome of one scheduling attempt. */
export type ScheduleResult = ScheduleSuccess | ScheduleFailure;

/** One node of `kreplay explain --output json`. */
export interface ExplainNode {
  readonly name: string;
  readonly feasible: boolean;
  readonly status: CodeName;
  /** The rejecting plugin (infeasible nodes). */
  readonly plugin?: string;
  readonly reasons: string[];
  /** Each score plugin's NormalizeScore output, before weights. */
  readonly scores: Record<string, number>;
  /** Σ weight × score (feasible nodes). */
  readonly totalScore?: number;
}

/** `kreplay explain --output json` (CLI.md contract; keys are only ever added). */
export interface ExplainResult {
  readonly pod: string;
  readonly profile: string;
  readonly nodes: ExplainNode[];
  readonly preScoreSkipped: string[];
  /** Highest total score; ties go to the first in node order (explain draws no random numbers). */
  readonly selected: string | null;
  /** Nodes tied at the highest score (the scheduler would pick one of them at random). */
  readonly tiedNodes: string[];
  /** Score weights of the profile. */
  readonly weights: Record<string, number>;
  /** Plugins of the profile this build does not implement (skipped). */
  readonly unavailablePlugins: string[];
  /** Set when PreFilter rejected the pod on every node. */
  readonly preFilter?: {
    readonly status: CodeName;
    readonly plugin: string;
    readonly reasons: readonly string[];
  };
}

const MIN_CHUNK = 64;

/**
 * The scheduling cycle over the node index: kube-scheduler's schedulePod (PreFilter → Filter with
 * percentageOfNodesToScore and the round-robin start index → PostFilter on failure → PreScore → Score →
 * NormalizeScore → selectHost → Reserve → Permit → Bind). `scheduleOne` does not mutate the index:
 * the integrator calls `addPod` once the binding is written.
 *
 * The one deliberate difference from kube-scheduler: ties at the maximum total score are broken by one
 * draw from the seeded `random` stream, uniform over the tied nodes in node-slot order (kube-scheduler
 * samples a reservoir from an unseeded source, one draw per tie: the same uniform choice). See
 * `selectHost`.
 */
export class Scheduler {
  /** The node index (read-only for callers; mutate through the methods below). */
  readonly index = new NodeIndex();
  /** Interned filter reasons. */
  readonly reasons = new ReasonTable();
  readonly #config: SchedulerConfig;
  readonly #random: () => number;
  readonly #frameworks = new Map<string, Framework>();
  #nextStartNodeIndex = 0;
  #code = new Int8Array(0);
  #reason = new Int32Array(0);
  #feasible = new Int32Array(0);
  #scratch = new Float64Array(0);
  #total = new Float64Array(0);
  #rotate = new Int32Array(0);

  constructor(opts: SchedulerOptions) {
    this.#config = opts.config;
    this.#random = opts.random;
    const registry = opts.registry ?? defaultRegistry();
    for (const p of opts.config.profiles)
      this.#frameworks.set(p.schedulerName, new Framework(p, registry, this.index, this.reasons));
  }

  /** The framework of a profile (for the queue's PreEnqueue/QueueSort and for preemption). */
  framework(schedulerName: string): Framework | undefined {
    return this.#frameworks.get(schedulerName);
  }

  /** Profile names, in configuration order. */
  get profileNames(): string[] {
    return [...this.#frameworks.keys()];
  }

  /** The round-robin start index of the next cycle (kube-scheduler's nextStartNodeIndex). */
  get nextStartNodeIndex(): number {
    return this.#nextStartNodeIndex;
  }

  /** Adds a node. */
  addNode(node: Node): void {
    this.index.addNode(node);
  }
  /** Updates a node. */
  updateNode(node: Node): void {
    this.index.updateNode(node);
  }
  /** Removes a node. */
  removeNode(name: string): void {
    this.index.removeNode(name);
  }
  /** Accounts a pod bound to `pod.spec.nodeName`. */
  addPod(pod: Pod): void {
    this.index.addPod(pod);
  }
  /** Removes a bound pod (deleted or finished). */
  removePod(pod: Pod): void {
    this.index.removePod(pod);
  }

  #ensureBuffers(): void {
    const cap = this.index.capacity;
    if (this.#code.length < cap) {
      this.#code = new Int8Array(cap);
      this.#reason = new Int32Array(cap);
      this.#feasible = new Int32Array(cap);
      this.#scratch = new Float64Array(cap);
      this.#total = new Float64Array(cap);
      this.#rotate = new Int32Array(cap);
    }
  }

  /** Runs one scheduling cycle for `pod` (see the class comment). */
  scheduleOne(pod: Pod): ScheduleResult {
    const fw = this.#frameworks.get(pod.spec?.schedulerName || DEFAULT_SCHEDULER_NAME);
    if (!fw) {
      const msg = `no profile for scheduler name ${JSON.stringify(pod.spec?.schedulerName)}`;
      return {
        code: 'UnschedulableAndUnresolvable',
        reasons: {},
        reasonCounts: {},
        message: msg,
        evaluatedNodes: 0,
      };
    }
    const idx = this.index;
    this.#ensureBuffers();
    const pi = makePodInfo(idx, pod);
    const state = fw.newCycleState();
    if (idx.count === 0) {
      return {
        code: 'Unschedulable',
        reasons: {},
        reasonCounts: {},
        message: 'no nodes available to schedule pods',
        evaluatedNodes: 0,
      };
    }
    const pre = fw.runPreFilter(state, pi);
    if (pre.status.code !== 'Success') return this.#preFilterFailure(pre.status, fw, state, pi);

    const code = this.#code;
    const reason = this.#reason;
    const out: FilterOutput = { code, reason };
    const feasible = this.#feasible;
    const size = idx.size;
    const live = idx.live;
    const pct = fw.profile.percentageOfNodesToScore ?? this.#config.percentageOfNodesToScore;
    let feasibleCount = 0;
    let examined = 0;
    const start = this.#nextStartNodeIndex;

    if (pre.nodeNames) {
      // PreFilterResult: only the named nodes, in slot order, with the start index taken modulo their number.
      const subset: number[] = [];
      for (const n of pre.nodeNames) {
        const s = idx.slotOf(n);
        if (s >= 0) subset.push(s);
      }
      subset.sort((a, b) => a - b);
      const numToFind = numFeasibleNodesToFind(pct, subset.length);
      code.fill(CODE_NOT_EVALUATED, 0, size);
      for (let k = 0; k < subset.length && feasibleCount < numToFind; k++) {
        const s = subset[(start + k) % subset.length]!;
        code[s] = 0;
        reason[s] = 0;
        if (fw.filterPlugins.length > 0) fw.runFilters(state, pi, s, s + 1, out);
        examined++;
        if (code[s] === 0) feasible[feasibleCount++] = s;
      }
      if (fw.filterPlugins.length > 0 && size > 0) this.#nextStartNodeIndex = (start + examined) % size;
    } else {
      const numToFind = numFeasibleNodesToFind(pct, idx.count);
      let pos = size === 0 ? 0 : start % size;
      let scanned = 0;
      const hasFilters = fw.filterPlugins.length > 0;
      // No free slot in the index (the usual case): every slot is a live node.
      const allLive = idx.count === size;
      while (scanned < size && feasibleCount < numToFind) {
        // Chunk size: the first chunk is exactly what is needed (in most clusters most nodes fit, and
        // filter work past the last needed node is wasted); later ones extrapolate the share of
        // feasible slots seen so far, with a quarter to spare. Chunking never changes a result.
        const need = numToFind - feasibleCount;
        const want = scanned === 0 ? need : Math.ceil((1.25 * need * scanned) / Math.max(feasibleCount, 1));
        const len = Math.min(size - scanned, size - pos, Math.max(MIN_CHUNK, want));
        const from = pos;
        const to = pos + len;
        reason.fill(0, from, to);
        if (allLive) code.fill(0, from, to);
        else for (let i = from; i < to; i++) code[i] = live[i] ? 0 : CODE_NOT_EVALUATED;
        if (hasFilters) fw.runFilters(state, pi, from, to, out);
        let i = from;
        for (; i < to; i++) {
          if (!allLive && !live[i]) continue;
          examined++;
          if (code[i] === 0) {
            feasible[feasibleCount++] = i;
            if (feasibleCount === numToFind) {
              i++;
              break;
            }
          }
        }
        // Nodes of the chunk past the last one needed count as not examined (sequential semantics).
        for (let k = i; k < to; k++) code[k] = CODE_NOT_EVALUATED;
        scanned += i - from;
        pos = i === size ? 0 : i;
      }
      // kube-scheduler leaves the start index alone when the profile has no filter plugins.
      if (hasFilters && size > 0) this.#nextStartNodeIndex = (start + scanned) % size;
    }

    if (feasibleCount === 0) return this.#filterFailure(fw, state, pi, examined);
    if (feasibleCount === 1) {
      return this.#finish(fw, state, pi, feasible[0]!, 0, 1, examined);
    }
    const nodes = feasible.subarray(0, feasibleCount);
    // Slot order for the tie-break (and for determinism whatever the chunking). The scan visits slots
    // in increasing order from the start index and wraps at most once, so the list is one sorted run
    // rotated: undo the rotation in O(n) instead of sorting.
    this.#toSlotOrder(nodes);
    const ps = fw.runPreScore(state, pi, nodes, feasibleCount);
    if (ps.code !== 'Success' && ps.code !== 'Skip') return this.#statusFailure(ps, examined);
    const total = this.#total;
    fw.runScore(state, pi, nodes, feasibleCount, this.#scratch, total);
    const pick = selectHost(total, feasibleCount, this.#random);
    return this.#finish(fw, state, pi, nodes[pick.index]!, pick.score, feasibleCount, examined);
  }

  #toSlotOrder(nodes: Int32Array): void {
    const n = nodes.length;
    let k = 0;
    for (let j = 1; j < n; j++) {
      if (nodes[j]! < nodes[j - 1]!) {
        if (k !== 0) {
          // More than one descent: not a rotated run (never expected); sort.
          nodes.sort();
          return;
        }
        k = j;
      }
    }
    if (k === 0) return;
    if (nodes[n - 1]! > nodes[0]!) {
      nodes.sort();
      return;
    }
    const rot = this.#rotate;
    rot.set(nodes.subarray(k), 0);
    rot.set(nodes.subarray(0, k), n - k);
    nodes.set(rot.subarray(0, n));
  }

  #finish(
    fw: Framework,
    state: CycleState,
    pi: PodInfo,
    slot: number,
    score: number,
    feasibleNodes: number,
    evaluatedNodes: number,
  ): ScheduleResult {
    const nodeName = this.index.names[slot]!;
    for (const s of [
      fw.runReserve(state, pi, nodeName),
      fw.runPermit(state, pi, nodeName),
      fw.runBind(state, pi, nodeName),
    ]) {
      if (s.code === 'Success' || s.code === 'Skip') continue;
      fw.runUnreserve(state, pi, nodeName);
      return this.#statusFailure(s, evaluatedNodes);
    }
    return { code: 'Success', nodeName, score, feasibleNodes, evaluatedNodes };
  }

  #statusFailure(s: Status, evaluatedNodes: number): ScheduleFailure {
    const plugin = 'plugin' in s ? s.plugin : '';
    const reasons = 'reasons' in s ? [...s.reasons] : [];
    const code = s.code === 'Unschedulable' || s.code === 'UnschedulableAndUnresolvable' ? s.code : 'Error';
    return {
      code,
      reasons: { [plugin]: reasons },
      reasonCounts: {},
      message: reasons.join(', '),
      evaluatedNodes,
    };
  }

  #preFilterFailure(s: Status, fw: Framework, state: CycleState, pi: PodInfo): ScheduleResult {
    if (s.code === 'Error' || s.code === 'Wait' || s.code === 'Skip' || s.code === 'Success')
      return this.#statusFailure(s, 0);
    // Every node carries the PreFilter status (kube-scheduler's diagnosis), so preemption sees it too.
    const n = this.index.count;
    const reasonId = this.reasons.intern(s.plugin, s.reasons);
    const size = this.index.size;
    for (let i = 0; i < size; i++) {
      this.#code[i] = this.index.live[i] ? CODE[s.code] : CODE_NOT_EVALUATED;
      this.#reason[i] = reasonId;
    }
    const counts: Record<string, Record<string, number>> = { [s.plugin]: {} };
    for (const r of s.reasons) counts[s.plugin]![r] = n;
    const base: ScheduleFailure = {
      code: s.code,
      reasons: { [s.plugin]: [...s.reasons] },
      reasonCounts: counts,
      message: `0/${n} nodes are available: ${s.reasons.join(', ')}.`,
      evaluatedNodes: 0,
    };
    return this.#postFilter(fw, state, pi, base, s);
  }

  #filterFailure(fw: Framework, state: CycleState, pi: PodInfo, examined: number): ScheduleResult {
    const code = this.#code;
    const size = this.index.size;
    const reasonCounts: Record<string, Record<string, number>> = {};
    const histogram = new Map<string, number>();
    let allUnresolvable = true;
    for (let i = 0; i < size; i++) {
      const c = code[i]!;
      if (c === CODE_NOT_EVALUATED || c === 0) continue;
      if (c === CODE.Error) {
        const e = this.reasons.get(this.#reason[i]!);
        return this.#statusFailure({ code: 'Error', plugin: e.plugin, reasons: e.reasons }, examined);
      }
      if (c !== CODE.UnschedulableAndUnresolvable) allUnresolvable = false;
      const e = this.reasons.get(this.#reason[i]!);
      const per = (reasonCounts[e.plugin] ??= {});
      for (const r of e.reasons) {
        per[r] = (per[r] ?? 0) + 1;
        histogram.set(r, (histogram.get(r) ?? 0) + 1);
      }
    }
    // Nodes outside a PreFilterResult: kube-scheduler reports them as not satisfying the narrowing plugins.
    const reasons: Record<string, string[]> = {};
    for (const [p, m] of Object.entries(reasonCounts)) reasons[p] = Object.keys(m);
    // Go sorts "<count> <reason>" strings lexicographically.
    const parts = [...histogram].map(([r, n]) => `${n} ${r}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const n = this.index.count;
    const base: ScheduleFailure = {
      code: allUnresolvable ? 'UnschedulableAndUnresolvable' : 'Unschedulable',
      reasons,
      reasonCounts,
      message: `0/${n} nodes are available${parts.length ? `: ${parts.join(', ')}` : ''}.`,
      evaluatedNodes: examined,
    };
    return this.#postFilter(fw, state, pi, base, undefined);
  }

  #postFilter(
    fw: Framework,
    state: CycleState,
    pi: PodInfo,
    base: ScheduleFailure,
    preFilterStatus: Status | undefined,
  ): ScheduleResult {
    if (fw.postFilterPlugins.length === 0) return base;
    const diagnosis = {
      code: this.#code,
      reason: this.#reason,
      size: this.index.size,
      ...(preFilterStatus ? { preFilterStatus } : {}),
    };
    for (const p of fw.postFilterPlugins) {
      const r = p.postFilter(state, pi, diagnosis);
      if (r.status.code === 'Success') {
        return {
          ...base,
          ...(r.nominatedNodeName !== undefined ? { nominatedNodeName: r.nominatedNodeName } : {}),
          ...(r.victims ? { victims: r.victims } : {}),
        };
      }
      if (r.status.code === 'Error') return this.#statusFailure(r.status, base.evaluatedNodes);
      if ('reasons' in r.status && r.status.reasons.length > 0) {
        // FitError appends the PostFilter message as " <msg>."; avoid a doubled period.
        return { ...base, message: `${base.message} ${r.status.reasons.join(', ').replace(/\.$/, '')}.` };
      }
    }
    return base;
  }

  /**
   * Explains a decision for `pod` (CLI.md `explain --output json`): every node is filtered (no
   * sampling) and every feasible node scored, even a single one. Draws no random numbers and does not
   * move the round-robin start index.
   */
  explain(pod: Pod, profileName?: string): ExplainResult {
    const name = profileName ?? (pod.spec?.schedulerName || DEFAULT_SCHEDULER_NAME);
    const fw = this.#frameworks.get(name);
    if (!fw)
      throw new KreplayError(
        'UNKNOWN_PROFILE',
        `no profile named ${JSON.stringify(name)} (profiles: ${this.profileNames.join(', ')})`,
      );
    const idx = this.index;
    this.#ensureBuffers();
    const pi = makePodInfo(idx, pod);
    const state = fw.newCycleState();
    const size = idx.size;
    const weights: Record<string, number> = {};
    fw.scorePlugins.forEach((p, i) => (weights[p.name] = fw.scoreWeights[i]!));
    const result = {
      pod: pi.key,
      profile: name,
      nodes: [] as ExplainNode[],
      preScoreSkipped: [] as string[],
      selected: null as string | null,
      tiedNodes: [] as string[],
      weights,
      unavailablePlugins: [...fw.profile.unavailable],
    };
    const pre = fw.runPreFilter(state, pi);
    if (pre.status.code !== 'Success') {
      const s = pre.status;
      const plugin = 'plugin' in s ? s.plugin : '';
      const reasons = 'reasons' in s ? [...s.reasons] : [];
      for (let i = 0; i < size; i++) {
        if (!idx.live[i]) continue;
        result.nodes.push({
          name: idx.names[i]!,
          feasible: false,
          status: s.code,
          plugin,
          reasons,
          scores: {},
        });
      }
      return { ...result, preFilter: { status: s.code, plugin, reasons } };
    }
    const code = this.#code;
    const reason = this.#reason;
    for (let i = 0; i < size; i++) {
      code[i] = idx.live[i] && (!pre.nodeNames || pre.nodeNames.has(idx.names[i]!)) ? 0 : CODE_NOT_EVALUATED;
      reason[i] = 0;
    }
    fw.runFilters(state, pi, 0, size, { code, reason });
    const feasible = this.#feasible;
    let count = 0;
    for (let i = 0; i < size; i++) if (idx.live[i] && code[i] === 0) feasible[count++] = i;
    const nodes = feasible.subarray(0, count);
    const perPlugin = new Map<string, Float64Array>();
    if (count > 0) {
      const ps = fw.runPreScore(state, pi, nodes, count);
      if (ps.code !== 'Success')
        throw new KreplayError('PRESCORE_FAILED', `PreScore failed: ${JSON.stringify(ps)}`);
      fw.runScore(state, pi, nodes, count, this.#scratch, this.#total, perPlugin);
      result.preScoreSkipped = [...state.skipScorePlugins];
    }
    const total = this.#total;
    let j = 0;
    let bestScore = -Infinity;
    for (let i = 0; i < size; i++) {
      if (!idx.live[i]) continue;
      const nodeName = idx.names[i]!;
      if (code[i] === 0) {
        const scores: Record<string, number> = {};
        for (const [p, arr] of perPlugin) scores[p] = arr[j]!;
        const t = total[j]!;
        result.nodes.push({
          name: nodeName,
          feasible: true,
          status: 'Success',
          reasons: [],
          scores,
          totalScore: t,
        });
        if (t > bestScore) {
          bestScore = t;
          result.selected = nodeName;
          result.tiedNodes = [nodeName];
        } else if (t === bestScore) result.tiedNodes.push(nodeName);
        j++;
      } else if (code[i] === CODE_NOT_EVALUATED) {
        result.nodes.push({
          name: nodeName,
          feasible: false,
          status: 'UnschedulableAndUnresolvable',
          plugin: pre.narrowedBy.join(','),
          reasons: [`node(s) didn't satisfy plugin(s) [${pre.narrowedBy.join(' ')}]`],
          scores: {},
        });
      } else {
        const e = this.reasons.get(reason[i]!);
        result.nodes.push({
          name: nodeName,
          feasible: false,
          status: CODE_NAMES[code[i]!]!,
          plugin: e.plugin,
          reasons: [...e.reasons],
          scores: {},
        });
      }
    }
    return result;
  }
}
