import type { Node, Pod } from '../../api/types.js';
import type { Labels } from '../../api/selector.js';
import { makePodInfo, type Framework, type FilterOutput } from '../framework/index.js';
import { clusterLookups } from '../plugins/cluster-lookups.js';
import { podAffinityTerms, termMatches } from '../plugins/inter-pod-affinity/index.js';
import {
  DEFAULT_SCHEDULER_NAME,
  Scheduler,
  type ScheduleResult,
  type SchedulerOptions,
} from '../scheduler.js';
import {
  INTER_POD_AFFINITY,
  NODE_LOCAL_FILTERS,
  NODE_LOCAL_SCORE_PLUGINS,
  NODE_STATIC_FILTERS,
  STABLE_SCORE_PLUGINS,
  STATELESS_BIND_PLUGINS,
} from './plugins.js';
import { selectHost } from '../select-host.js';
import { speculatePod } from './evaluate.js';
import { SpeculationPool } from './pool.js';
import type { IndexOp, LookupsSnapshot, ScoredSpeculation, SpeculateRequest } from './protocol.js';

/** Options of {@link ParallelScheduler}. */
export interface ParallelSchedulerOptions extends SchedulerOptions {
  /** Worker threads; 1 (or an ineligible configuration) schedules sequentially on this thread. */
  readonly workers: number;
  /** Pods evaluated per speculative batch (the driver asks for this many). */
  readonly batchSize?: number;
  /** Passed to the pool: how long to wait for one worker answer before failing the run. */
  readonly answerTimeoutMs?: number;
}

/** Default pods per batch: enough work per thread round trip, few enough conflicts. */
export const DEFAULT_BATCH_SIZE = 16;

/** Counters of what the speculative path did (for benchmarks and docs, not for results). */
export interface ParallelStats {
  batches: number;
  speculated: number;
  /** Committed from speculation without any patch (nothing changed since the snapshot). */
  committedClean: number;
  /** Committed from speculation after patching nodes touched by earlier commits. */
  committedPatched: number;
  /** Recomputed by the sequential cycle (worker fallback or invalid speculation). */
  recomputed: number;
}

/**
 * Why a configuration cannot use speculation (undefined = it can). Exactness rule, part 1: every
 * profile scores exhaustively (percentageOfNodesToScore ≥ 100), so a decision never depends on the
 * round-robin start index; plugins come from the default registry (workers rebuild them by name); no
 * Reserve/Permit plugins and only stateless binders, so the owner can finish a speculative cycle.
 */
export function speculationIneligibility(opts: SchedulerOptions, sched: Scheduler): string | undefined {
  if (opts.registry) return 'a custom plugin registry cannot be rebuilt in worker threads';
  for (const name of sched.profileNames) {
    const fw = sched.framework(name)!;
    const pct = fw.profile.percentageOfNodesToScore ?? opts.config.percentageOfNodesToScore;
    if (pct < 100)
      return `profile ${name}: percentageOfNodesToScore ${pct} < 100 (sampling depends on the start index)`;
    if (fw.reservePlugins.length > 0 || fw.permitPlugins.length > 0)
      return `profile ${name}: Reserve/Permit plugins need the cycle state`;
    for (const b of fw.bindPlugins)
      if (!STATELESS_BIND_PLUGINS.has(b.name)) return `profile ${name}: bind plugin ${b.name}`;
  }
  return undefined;
}

function lowerBound(a: Int32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface Added {
  readonly pod: Pod;
  readonly slot: number;
}

const ADAPT_WINDOW = 4;
const ADAPT_PAUSE = 64;

/**
 * The Scheduler with speculative batches on worker threads. Decisions, tie-break draws, the start
 * index and everything the integrator logs are identical to `Scheduler`'s for any worker count and
 * batch size (docs/parallel.md):
 *
 * 1. `prepareBatch(pods)` (the next pods the queue will pop, in order) snapshots the index: workers
 *    replay the index mutations since the last batch on their replicas, then run PreFilter, Filter over
 *    every live node, PreScore and Score for their share of the pods.
 * 2. `scheduleOne(pod)` (called by the driver in queue order, binds in between as usual) commits a
 *    speculated pod: unchanged since the snapshot → pick from the worker's totals; only pods added on
 *    live nodes since → patch the touched nodes (resources/ports re-filtered, node-local scores
 *    recomputed, required anti-affinity domains dropped) when the pod's plugins allow it; otherwise, or
 *    for pods without speculation, the sequential `Scheduler.scheduleOne` runs. The tie-break is
 *    drawn here, in slot order, exactly as the sequential loop draws it.
 */
export class ParallelScheduler extends Scheduler {
  readonly batchSize: number;
  /** Why speculation is off for this configuration (undefined = on). */
  readonly ineligible: string | undefined;
  readonly stats: ParallelStats = {
    batches: 0,
    speculated: 0,
    committedClean: 0,
    committedPatched: 0,
    recomputed: 0,
  };
  readonly #opts: ParallelSchedulerOptions;
  readonly #rand: () => number;
  #pool: SpeculationPool | undefined;
  #ops: IndexOp[] = [];
  readonly #namespaces = new Set<string>();
  #pending = new Map<Pod, ScoredSpeculation>();
  /** Mutations since the snapshot: pods added on live slots; `dirty` for anything else. */
  #added: Added[] = [];
  #dirty = false;
  #recent: number[] = [];
  #pause = 0;
  #code = new Int8Array(1);
  #reason = new Int32Array(1);
  #one = new Int32Array(1);
  #out1 = new Float64Array(1);
  #totals = new Float64Array(0);

  constructor(opts: ParallelSchedulerOptions) {
    super(opts);
    if (!Number.isInteger(opts.workers) || opts.workers < 1)
      throw new RangeError('options.workers must be a positive integer');
    const batch = opts.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(batch) || batch < 1)
      throw new RangeError('options.batchSize must be a positive integer');
    this.batchSize = batch;
    this.#opts = opts;
    this.#rand = opts.random;
    this.ineligible = opts.workers < 2 ? 'one worker: sequential' : speculationIneligibility(opts, this);
  }

  /** Whether batches are evaluated on worker threads (after {@link start}). */
  get speculative(): boolean {
    return this.#pool !== undefined;
  }

  /** Starts the worker threads (no-op when sequential). Call before the run, await it. */
  async start(): Promise<void> {
    if (this.ineligible !== undefined || this.#pool) return;
    this.#pool = await SpeculationPool.start({
      threads: this.#opts.workers - 1, // the owner is the Nth evaluator
      config: this.#opts.config,
      ...(this.#opts.answerTimeoutMs !== undefined ? { answerTimeoutMs: this.#opts.answerTimeoutMs } : {}),
    });
  }

  /** Stops the worker threads. */
  async close(): Promise<void> {
    const p = this.#pool;
    this.#pool = undefined;
    this.#pending.clear();
    if (p) await p.close();
  }

  // ---- index mutations: applied here, recorded for the replicas and for validation ----

  #record(op: IndexOp): void {
    if (this.#pool) this.#ops.push(op);
    else if (this.ineligible === undefined) this.#ops.push(op); // replayed once the pool starts
  }

  override addNode(node: Node): void {
    super.addNode(node);
    this.#record({ op: 'addNode', node });
    this.#dirty = true;
  }
  override updateNode(node: Node): void {
    super.updateNode(node);
    this.#record({ op: 'updateNode', node });
    this.#dirty = true;
  }
  override removeNode(name: string): void {
    super.removeNode(name);
    this.#record({ op: 'removeNode', name });
    this.#dirty = true;
  }
  override addPod(pod: Pod): void {
    super.addPod(pod);
    this.#record({ op: 'addPod', pod });
    this.#namespaces.add(pod.metadata?.namespace ?? 'default');
    if (this.#pending.size === 0) return;
    const ip = this.index.getPod(`${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`);
    if (ip && ip.slot >= 0) this.#added.push({ pod, slot: ip.slot });
    else this.#dirty = true;
  }
  override removePod(pod: Pod): void {
    super.removePod(pod);
    this.#record({ op: 'removePod', pod });
    this.#dirty = true;
  }

  /** Whether `pod` (this object) has a speculation waiting to be committed. */
  hasSpeculation(pod: Pod): boolean {
    return this.#pending.has(pod);
  }

  /**
   * Evaluates `pods` (the next pods the queue will pop, in order) on the workers against the current
   * index. Blocks until every worker answers. A no-op when sequential, for fewer than two pods, or
   * while speculation has recently not paid (mostly recomputed) — none of which changes results.
   */
  prepareBatch(pods: readonly Pod[]): void {
    this.#pending.clear();
    this.#added = [];
    this.#dirty = false;
    const pool = this.#pool;
    if (!pool || pods.length < 2) return;
    if (this.#pause > 0) {
      this.#pause--;
      return;
    }
    this.#adapt();
    // The owner evaluates the first share itself while the pool threads evaluate the others: with
    // `workers` = N there are N - 1 pool threads, so N evaluators run at once. Every pool thread gets a
    // request, with or without pods: its replica must see every mutation.
    const threads = pool.threads;
    const shares = threads + 1;
    const per = Math.ceil(pods.length / Math.min(shares, pods.length));
    const lookups = this.#lookups(pods);
    const requests: SpeculateRequest[] = [];
    for (let t = 0; t < threads; t++) {
      const from = (t + 1) * per;
      const chunk = pods.slice(from, from + per);
      requests.push({
        type: 'speculate',
        ops: this.#ops,
        lookups: {
          namespaceLabels: lookups.namespaceLabels,
          ownerSelectors: lookups.ownerSelectors ? lookups.ownerSelectors.slice(from, from + per) : null,
        },
        pods: chunk,
      });
    }
    const answers = pool.post(requests);
    // Nothing is committed before every answer is in: the owner's index is the snapshot.
    const own = pods.slice(0, per).map((p) => speculatePod(this, p));
    const results = [own, ...answers.collect()];
    this.#ops = [];
    this.#added = [];
    this.#dirty = false;
    this.stats.batches++;
    let k = 0;
    for (const rs of results) {
      for (const r of rs) {
        const pod = pods[k++]!;
        if (r.kind === 'scored') this.#pending.set(pod, r);
      }
    }
    this.stats.speculated += this.#pending.size;
  }

  #lookups(pods: readonly Pod[]): LookupsSnapshot {
    const fw = this.framework(this.profileNames[0]!)!;
    const l = clusterLookups(fw.handle);
    for (const p of pods) this.#namespaces.add(p.metadata?.namespace ?? 'default');
    const ns = l.namespaceLabels;
    const owners = l.ownerSelectors;
    return {
      namespaceLabels: ns ? [...this.#namespaces].map((n) => [n, ns(n)] as const) : null,
      ownerSelectors: owners ? pods.map((p) => owners(p)) : null,
    };
  }

  /** Pauses speculation for a while when most recent speculated pods had to be recomputed. */
  #adapt(): void {
    if (this.#recent.length >= ADAPT_WINDOW) {
      const useful = this.#recent.reduce((a, b) => a + b, 0) / this.#recent.length;
      this.#recent = [];
      if (useful < 0.5) this.#pause = ADAPT_PAUSE;
    }
  }

  override scheduleOne(pod: Pod): ScheduleResult {
    const spec = this.#pending.get(pod);
    if (!spec) return super.scheduleOne(pod);
    this.#pending.delete(pod);
    const r = this.#commit(pod, spec);
    this.#recent.push(r ? 1 : 0);
    if (r) return r;
    this.stats.recomputed++;
    return super.scheduleOne(pod);
  }

  /** Commits a speculation if it is still exact (see the class comment); undefined = recompute. */
  #commit(pod: Pod, s: ScoredSpeculation): ScheduleResult | undefined {
    const idx = this.index;
    if (this.#dirty || idx.size !== s.size || idx.count !== s.count) return undefined;
    const fw = this.framework(pod.spec?.schedulerName || DEFAULT_SCHEDULER_NAME);
    if (!fw) return undefined;
    const slots = s.slots;
    const n = slots.length;
    let drop: number[] = [];
    const patched = new Map<number, number>();
    if (this.#added.length > 0) {
      const p = this.#patch(fw, pod, s, patched);
      if (!p) return undefined;
      drop = p;
      if (drop.length > 0 && s.nonUniformNormalized) return undefined;
      this.stats.committedPatched++;
    } else this.stats.committedClean++;
    const feasible = n - drop.length;
    if (feasible === 0) return undefined;
    let best = -1;
    let bestScore = 0;
    if (feasible === 1) {
      // The sequential cycle picks a single feasible node without scoring (score 0, no draw).
      for (let j = 0; j < n; j++) if (!drop.includes(slots[j]!)) best = j;
    } else {
      // The sequential pick over the feasible nodes, in slot order: the speculated totals with the
      // patched nodes' new totals, dropped nodes out of the running (−∞; at least two remain).
      if (this.#totals.length < n) this.#totals = new Float64Array(s.size);
      const totals = this.#totals;
      totals.set(s.totals.subarray(0, n));
      for (const [slot, t] of patched) {
        const j = slotPosition(slots, n, slot);
        if (j >= 0) totals[j] = t;
      }
      for (const slot of drop) {
        const j = slotPosition(slots, n, slot);
        if (j >= 0) totals[j] = Number.NEGATIVE_INFINITY;
      }
      const pick = selectHost(totals, n, this.#rand);
      best = pick.index;
      bestScore = pick.score;
    }
    const nodeName = idx.names[slots[best]!]!;
    const st = fw.runBind(fw.newCycleState(), makePodInfo(idx, pod), nodeName);
    if (st.code !== 'Success' && st.code !== 'Skip') return undefined;
    return {
      code: 'Success',
      nodeName,
      score: bestScore,
      feasibleNodes: feasible,
      evaluatedNodes: idx.count,
    };
  }

  /**
   * Re-evaluates for `pod` the nodes changed by the pods added since the snapshot. Returns the feasible
   * slots that became infeasible (and fills `patched` with new totals), or undefined when the pod's
   * plugins are not ones this can patch exactly.
   */
  #patch(fw: Framework, pod: Pod, s: ScoredSpeculation, patched: Map<number, number>): number[] | undefined {
    let ipa = false;
    for (const f of s.filters) {
      if (f === INTER_POD_AFFINITY) ipa = true;
      else if (!NODE_STATIC_FILTERS.has(f) && !NODE_LOCAL_FILTERS.has(f)) return undefined;
    }
    for (const p of s.scores)
      if (!STABLE_SCORE_PLUGINS.has(p) && !NODE_LOCAL_SCORE_PLUGINS.has(p)) return undefined;
    const idx = this.index;
    const slots = s.slots;
    const drop: number[] = [];
    const touched = new Set<number>();
    const nsLabels = (ns: string): Labels => clusterLookups(fw.handle).namespaceLabels?.(ns) as Labels;
    const bTerms = podAffinityTerms(idx, pod);
    if (ipa && bTerms.requiredAffinity.length > 0) return undefined;
    const bNs = nsLabels(pod.metadata?.namespace ?? 'default');
    const dropDomain = (keyId: number, slot: number): void => {
      const col = idx.labelValues(keyId);
      const v = col[slot]!;
      if (v < 0) return;
      for (let j = 0; j < slots.length; j++) {
        const m = slots[j]!;
        if (col[m] === v && !drop.includes(m)) drop.push(m);
      }
    };
    for (const a of this.#added) {
      touched.add(a.slot);
      const aTerms = podAffinityTerms(idx, a.pod);
      if (!aTerms.hasAffinity) {
        if (ipa) {
          for (const t of bTerms.requiredAntiAffinity)
            if (termMatches(t, a.pod, nsLabels(a.pod.metadata?.namespace ?? 'default')))
              dropDomain(t.keyId, a.slot);
        }
        continue;
      }
      // Affinity terms of a pod added since the snapshot may turn on scoring or affinity checks the
      // speculation did not run: only pure required anti-affinity is patched.
      if (
        aTerms.requiredAffinity.length > 0 ||
        aTerms.preferredAffinity.length > 0 ||
        aTerms.preferredAntiAffinity.length > 0
      )
        return undefined;
      for (const t of aTerms.requiredAntiAffinity) {
        if (!termMatches(t, pod, bNs)) continue;
        if (!ipa) return undefined;
        dropDomain(t.keyId, a.slot);
      }
      if (ipa) {
        for (const t of bTerms.requiredAntiAffinity)
          if (termMatches(t, a.pod, nsLabels(a.pod.metadata?.namespace ?? 'default')))
            dropDomain(t.keyId, a.slot);
      }
    }
    const pi = makePodInfo(idx, pod);
    const state = fw.newCycleState();
    const out: FilterOutput = { code: this.#code, reason: this.#reason };
    const localFilters = fw.filterPlugins.filter(
      (p) => NODE_LOCAL_FILTERS.has(p.name) && s.filters.includes(p.name),
    );
    for (const slot of touched) {
      const j = lowerBound(slots, slot);
      if (j >= slots.length || slots[j] !== slot || drop.includes(slot)) continue;
      // Filters read only the pod and the node; `code`/`reason` are indexed by slot.
      if (this.#code.length <= slot) {
        this.#code = new Int8Array(idx.capacity);
        this.#reason = new Int32Array(idx.capacity);
        (out as { code: Int8Array }).code = this.#code;
        (out as { reason: Int32Array }).reason = this.#reason;
      }
      this.#code[slot] = 0;
      for (const f of localFilters) f.filter(state, pi, slot, slot + 1, out);
      if (this.#code[slot] !== 0) {
        drop.push(slot);
        continue;
      }
      let total = s.stable[j]!;
      this.#one[0] = slot;
      for (let k = 0; k < fw.scorePlugins.length; k++) {
        const p = fw.scorePlugins[k]!;
        if (!NODE_LOCAL_SCORE_PLUGINS.has(p.name) || !s.scores.includes(p.name)) continue;
        this.#out1[0] = 0;
        const pre = fw.preScorePlugins.find((q) => q.name === p.name);
        pre?.preScore(state, pi, this.#one, 1);
        p.score(state, pi, this.#one, 1, this.#out1);
        total += fw.scoreWeights[k]! * this.#out1[0]!;
      }
      patched.set(slot, total);
    }
    return drop;
  }
}

/** Position of `slot` in the ascending `slots[0..n)`, or -1. */
function slotPosition(slots: Int32Array, n: number, slot: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = slots[mid]!;
    if (v === slot) return mid;
    if (v < slot) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
