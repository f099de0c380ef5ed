import type { Pod } from '../../api/types.js';
import type { IndexedPod, NodeIndex } from '../index/index.js';
import type { ResolvedProfile } from './config.js';
import { CycleState } from './cycle-state.js';
import type { ReasonTable } from './reasons.js';
import type { Registry } from './registry.js';
import { SUCCESS, errorStatus, type Status } from './status.js';
import type {
  AnyPlugin,
  BindPlugin,
  FilterOutput,
  FilterPlugin,
  FrameworkHandle,
  PermitPlugin,
  PodInfo,
  PostFilterPlugin,
  PreEnqueuePlugin,
  PreFilterPlugin,
  PreScorePlugin,
  QueueSortPlugin,
  ReservePlugin,
  ScorePlugin,
} from './types.js';

/** The combined PreFilter outcome of a profile. */
export interface PreFilterOutcome {
  /** Success, or the first non-success non-skip status (the pod is then rejected on every node). */
  readonly status: Status;
  /** Intersection of the plugins' PreFilterResult node names; undefined = all nodes. */
  readonly nodeNames: ReadonlySet<string> | undefined;
  /** Plugins that narrowed the node set (for the diagnosis message of nodes left out). */
  readonly narrowedBy: readonly string[];
}

const METHODS: Record<string, string> = {
  preEnqueue: 'preEnqueue',
  queueSort: 'less',
  preFilter: 'preFilter',
  filter: 'filter',
  postFilter: 'postFilter',
  preScore: 'preScore',
  score: 'score',
  reserve: 'reserve',
  permit: 'permit',
  preBind: 'preBind',
  bind: 'bind',
  postBind: 'postBind',
};

/**
 * One profile's plugins, instantiated, with runners per extension point (kube-scheduler's
 * frameworkImpl). The Scheduler drives the cycle; the framework only runs plugin lists in order.
 */
export class Framework {
  readonly profile: ResolvedProfile;
  readonly handle: FrameworkHandle;
  readonly preEnqueuePlugins: PreEnqueuePlugin[] = [];
  readonly queueSortPlugin: QueueSortPlugin;
  readonly preFilterPlugins: PreFilterPlugin[] = [];
  /** The PreFilter plugins with PreFilter extensions, built on first use (the lists are final by then). */
  #withExtensions: PreFilterPlugin[] | undefined;
  readonly filterPlugins: FilterPlugin[] = [];
  readonly postFilterPlugins: PostFilterPlugin[] = [];
  readonly preScorePlugins: PreScorePlugin[] = [];
  readonly scorePlugins: ScorePlugin[] = [];
  /** Weight per entry of `scorePlugins`. */
  readonly scoreWeights: number[] = [];
  readonly reservePlugins: ReservePlugin[] = [];
  readonly permitPlugins: PermitPlugin[] = [];
  readonly bindPlugins: BindPlugin[] = [];
  /** Instances by plugin name (one instance serves every point it implements). */
  readonly plugins = new Map<string, AnyPlugin>();

  constructor(profile: ResolvedProfile, registry: Registry, index: NodeIndex, reasons: ReasonTable) {
    this.profile = profile;
    this.handle = {
      index,
      reasons,
      profileName: profile.schedulerName,
      runFilterPlugins: (state, pod, from, to, out) => this.runFilters(state, pod, from, to, out),
      runPreFilterExtensionAddPod: (state, pod, added) =>
        this.runPreFilterExtension(state, pod, added, 'add'),
      runPreFilterExtensionRemovePod: (state, pod, removed) =>
        this.runPreFilterExtension(state, pod, removed, 'remove'),
    };
    const instance = (name: string, point: string): AnyPlugin => {
      let p = this.plugins.get(name);
      if (!p) {
        const f = registry.get(name);
        if (!f) throw new Error(`plugin "${name}" is not registered`);
        p = f.create(profile.args.get(name), this.handle);
        this.plugins.set(name, p);
      }
      const m = METHODS[point]!;
      if (typeof (p as unknown as Record<string, unknown>)[m] !== 'function') {
        throw new Error(`plugin "${name}" is listed for ${point} but does not implement ${m}()`);
      }
      return p;
    };
    const pts = profile.points;
    for (const n of pts.preEnqueue)
      this.preEnqueuePlugins.push(instance(n, 'preEnqueue') as PreEnqueuePlugin);
    this.queueSortPlugin = instance(pts.queueSort[0]!, 'queueSort') as QueueSortPlugin;
    for (const n of pts.preFilter) this.preFilterPlugins.push(instance(n, 'preFilter') as PreFilterPlugin);
    for (const n of pts.filter) this.filterPlugins.push(instance(n, 'filter') as FilterPlugin);
    for (const n of pts.postFilter)
      this.postFilterPlugins.push(instance(n, 'postFilter') as PostFilterPlugin);
    for (const n of pts.preScore) this.preScorePlugins.push(instance(n, 'preScore') as PreScorePlugin);
    for (const n of pts.score) {
      this.scorePlugins.push(instance(n, 'score') as ScorePlugin);
      this.scoreWeights.push(profile.weights.get(n) ?? 1);
    }
    for (const n of pts.reserve) this.reservePlugins.push(instance(n, 'reserve') as ReservePlugin);
    for (const n of pts.permit) this.permitPlugins.push(instance(n, 'permit') as PermitPlugin);
    for (const n of pts.bind) this.bindPlugins.push(instance(n, 'bind') as BindPlugin);
  }

  /** Runs PreEnqueue plugins; the first non-success status gates the pod. */
  runPreEnqueue(pod: Pod): Status {
    for (const p of this.preEnqueuePlugins) {
      const s = p.preEnqueue(pod);
      if (s.code !== 'Success') return s;
    }
    return SUCCESS;
  }

  /**
   * Runs PreFilter plugins in order. Skip marks the plugin's Filter as skipped; a rejecting status stops
   * the phase (kube-scheduler: the pod fails on all nodes with that status); node-name results intersect.
   */
  runPreFilter(state: CycleState, pod: PodInfo): PreFilterOutcome {
    let nodeNames: Set<string> | undefined;
    const narrowedBy: string[] = [];
    for (const p of this.preFilterPlugins) {
      const r = p.preFilter(state, pod);
      const s = r.status;
      if (s.code === 'Skip') {
        state.skipFilterPlugins.add(p.name);
        continue;
      }
      if (s.code !== 'Success') return { status: s, nodeNames: undefined, narrowedBy };
      if (r.nodeNames) {
        narrowedBy.push(p.name);
        if (!nodeNames) nodeNames = new Set(r.nodeNames);
        else for (const n of nodeNames) if (!r.nodeNames.has(n)) nodeNames.delete(n);
        if (nodeNames.size === 0) {
          const reason = `node(s) didn't satisfy plugin(s) [${narrowedBy.join(' ')}] simultaneously`;
          return {
            status: { code: 'UnschedulableAndUnresolvable', plugin: p.name, reasons: [reason] },
            nodeNames,
            narrowedBy,
          };
        }
      }
    }
    return { status: SUCCESS, nodeNames, narrowedBy };
  }

  /** Runs Filter plugins on `[from, to)`: each skips nodes already rejected, so the first rejection wins. */
  runFilters(state: CycleState, pod: PodInfo, from: number, to: number, out: FilterOutput): void {
    const skip = state.skipFilterPlugins;
    for (let i = 0; i < this.filterPlugins.length; i++) {
      const p = this.filterPlugins[i]!;
      if (skip.size > 0 && skip.has(p.name)) continue;
      p.filter(state, pod, from, to, out);
    }
  }

  /** PreFilter extensions (preemption what-ifs). */
  runPreFilterExtension(state: CycleState, pod: PodInfo, other: IndexedPod, op: 'add' | 'remove'): Status {
    // Only plugins with extensions, in PreFilter order (preemption calls this per pod it moves).
    const withExtensions = (this.#withExtensions ??= this.preFilterPlugins.filter(
      (p) => p.preFilterExtensions,
    ));
    for (const p of withExtensions) {
      if (state.skipFilterPlugins.has(p.name)) continue;
      const s =
        op === 'add'
          ? p.preFilterExtensions!.addPod(state, pod, other)
          : p.preFilterExtensions!.removePod(state, pod, other);
      if (s.code !== 'Success') return s;
    }
    return SUCCESS;
  }

  /** Runs PreScore plugins; Skip drops the plugin's Score for this cycle; a failure is returned. */
  runPreScore(state: CycleState, pod: PodInfo, nodes: Int32Array, count: number): Status {
    for (const p of this.preScorePlugins) {
      const s = p.preScore(state, pod, nodes, count);
      if (s.code === 'Skip') {
        state.skipScorePlugins.add(p.name);
        continue;
      }
      if (s.code !== 'Success') return s;
    }
    return SUCCESS;
  }

  /**
   * Runs Score + NormalizeScore of every non-skipped score plugin and accumulates weight × score into
   * `total[0..count)`. `perPlugin`, when given, receives each plugin's normalized scores (explain).
   */
  runScore(
    state: CycleState,
    pod: PodInfo,
    nodes: Int32Array,
    count: number,
    scratch: Float64Array,
    total: Float64Array,
    perPlugin?: Map<string, Float64Array>,
  ): void {
    total.fill(0, 0, count);
    const skip = state.skipScorePlugins;
    for (let i = 0; i < this.scorePlugins.length; i++) {
      const p = this.scorePlugins[i]!;
      if (skip.size > 0 && skip.has(p.name)) continue;
      scratch.fill(0, 0, count);
      p.score(state, pod, nodes, count, scratch);
      p.normalizeScore?.(state, pod, scratch, count);
      const w = this.scoreWeights[i]!;
      for (let j = 0; j < count; j++) total[j]! += w * scratch[j]!;
      if (perPlugin) perPlugin.set(p.name, scratch.slice(0, count));
    }
  }

  /** Reserve in order; on failure, Unreserve all in reverse (kube-scheduler semantics). */
  runReserve(state: CycleState, pod: PodInfo, nodeName: string): Status {
    for (const p of this.reservePlugins) {
      let s: Status;
      try {
        s = p.reserve(state, pod, nodeName);
      } catch (e) {
        s = errorStatus(p.name, String(e));
      }
      if (s.code !== 'Success') {
        this.runUnreserve(state, pod, nodeName);
        return s;
      }
    }
    return SUCCESS;
  }

  /** Unreserve in reverse order. */
  runUnreserve(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (let i = this.reservePlugins.length - 1; i >= 0; i--)
      this.reservePlugins[i]!.unreserve(state, pod, nodeName);
  }

  /** Permit: the first non-success (including Wait) is returned. */
  runPermit(state: CycleState, pod: PodInfo, nodeName: string): Status {
    for (const p of this.permitPlugins) {
      const r = p.permit(state, pod, nodeName);
      if (r.status.code !== 'Success') return r.status;
    }
    return SUCCESS;
  }

  /** Bind: the first plugin that does not Skip decides. */
  runBind(state: CycleState, pod: PodInfo, nodeName: string): Status {
    for (const p of this.bindPlugins) {
      const s = p.bind(state, pod, nodeName);
      if (s.code !== 'Skip') return s;
    }
    return SUCCESS;
  }

  /** A fresh cycle state. */
  newCycleState(): CycleState {
    return new CycleState();
  }
}
