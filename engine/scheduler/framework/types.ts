import type { Pod } from '../../api/types.js';
import type { HostPort, IndexedPod, NodeIndex, PodResources } from '../index/index.js';
import type { CycleState } from './cycle-state.js';
import type { ReasonTable } from './reasons.js';
import type { Status } from './status.js';

/** kube-scheduler's MaxNodeScore: normalized scores are on 0..100. */
export const MAX_NODE_SCORE = 100;

/** Extension points, named as in KubeSchedulerConfiguration `plugins.<point>`. */
export type ExtensionPoint =
  | 'preEnqueue'
  | 'queueSort'
  | 'preFilter'
  | 'filter'
  | 'postFilter'
  | 'preScore'
  | 'score'
  | 'reserve'
  | 'permit'
  | 'preBind'
  | 'bind'
  | 'postBind';

/** Every extension point, in the order kube-scheduler runs them. */
export const EXTENSION_POINTS: readonly ExtensionPoint[] = [
  'preEnqueue',
  'queueSort',
  'preFilter',
  'filter',
  'postFilter',
  'preScore',
  'score',
  'reserve',
  'permit',
  'preBind',
  'bind',
  'postBind',
];

/** The pod being scheduled, with what plugins need precomputed once per attempt. */
export interface PodInfo {
  readonly pod: Pod;
  /** `namespace/name`. */
  readonly key: string;
  readonly namespace: string;
  /** `spec.priority` (0 when unset). */
  readonly priority: number;
  /** Requests compiled against the index's resource ids. */
  readonly resources: PodResources;
  /** Host ports wanted by the pod's containers. */
  readonly ports: readonly HostPort[];
}

/** A pod waiting in the queue, as QueueSort sees it. */
export interface QueuedPodInfo {
  readonly pod: Pod;
  /** When the pod entered the queue (virtual µs); the tie-breaker after priority. */
  readonly timestampUs: number;
}

/**
 * Per-node filter verdicts for a range of slots, indexed by slot. On entry `code[slot]` is 0 for a node
 * still to evaluate and non-zero for a node already rejected (or not to be evaluated); a filter skips
 * non-zero entries and, for a node it rejects, writes a status code (CODE.Unschedulable, ...) and a
 * reason id from {@link FrameworkHandle.reasons} naming the plugin and its reasons.
 */
export interface FilterOutput {
  readonly code: Int8Array;
  readonly reason: Int32Array;
}

/** What the framework gives plugin factories. */
export interface FrameworkHandle {
  /** The node index (shared by all profiles of a scheduler). */
  readonly index: NodeIndex;
  /** Where filters intern their reasons. */
  readonly reasons: ReasonTable;
  /** The profile this plugin instance belongs to. */
  readonly profileName: string;
  /**
   * Runs this profile's filter plugins on a slot range (honouring PreFilter skips in `state`): what
   * DefaultPreemption needs to re-check a node with victims removed. Set once the framework is built.
   */
  runFilterPlugins(state: CycleState, pod: PodInfo, from: number, to: number, out: FilterOutput): void;
  /** This profile's PreFilter extensions, to update `state` when preemption removes/adds pods. */
  runPreFilterExtensionRemovePod(state: CycleState, pod: PodInfo, removed: IndexedPod): Status;
  runPreFilterExtensionAddPod(state: CycleState, pod: PodInfo, added: IndexedPod): Status;
}

/** Every plugin has a name. */
export interface Plugin {
  readonly name: string;
}

/** Gates a pod before it may enter the active queue (SchedulingGates). */
export interface PreEnqueuePlugin extends Plugin {
  preEnqueue(pod: Pod): Status;
}

/** Orders the active queue. */
export interface QueueSortPlugin extends Plugin {
  /** True when `a` must be popped before `b`. */
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean;
}

/** PreFilter's outcome: a status and, optionally, the only node names worth filtering. */
export interface PreFilterResult {
  readonly status: Status;
  /** kube-scheduler's PreFilterResult.NodeNames: undefined = all nodes. */
  readonly nodeNames?: ReadonlySet<string>;
}

/** Incremental updates of PreFilter state when preemption simulates removing/adding a pod. */
export interface PreFilterExtensions {
  addPod(state: CycleState, pod: PodInfo, added: IndexedPod): Status;
  removePod(state: CycleState, pod: PodInfo, removed: IndexedPod): Status;
}

/** Computes per-pod state once per cycle; may narrow the nodes, skip its Filter, or reject the pod. */
export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: PodInfo): PreFilterResult;
  readonly preFilterExtensions?: PreFilterExtensions;
}

/** Decides feasibility for a range of node slots `[from, to)` (see {@link FilterOutput}). */
export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, from: number, to: number, out: FilterOutput): void;
}

/** What a failed Filter phase looked like, for PostFilter (preemption). */
export interface Diagnosis {
  /** Per-slot verdict codes (CODE.*; CODE_NOT_EVALUATED for slots not evaluated). */
  readonly code: Int8Array;
  /** Per-slot reason ids. */
  readonly reason: Int32Array;
  /** Slots range that was evaluated: all of `[0, index.size)`. */
  readonly size: number;
  /** Set when PreFilter rejected the pod outright. */
  readonly preFilterStatus?: Status;
}

/** PostFilter's outcome (DefaultPreemption: a nominated node and the victims to delete). */
export interface PostFilterResult {
  readonly status: Status;
  readonly nominatedNodeName?: string;
  readonly victims?: readonly Pod[];
}

/** Runs when no node passed Filter. */
export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: PodInfo, diagnosis: Diagnosis): PostFilterResult;
}

/** Prepares scoring state for the feasible nodes; Skip drops this plugin's Score for the cycle. */
export interface PreScorePlugin extends Plugin {
  /** `nodes[0..count)` are the feasible slots. */
  preScore(state: CycleState, pod: PodInfo, nodes: Int32Array, count: number): Status;
}

/** Scores feasible nodes: writes an integer score for `nodes[i]` into `out[i]`, i in [0, count). */
export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: PodInfo, nodes: Int32Array, count: number, out: Float64Array): void;
  /** Maps raw scores in place to 0..MAX_NODE_SCORE; absent = scores are already normalized. */
  normalizeScore?(state: CycleState, pod: PodInfo, scores: Float64Array, count: number): void;
}

/** Reserves/unreserves plugin-side state for the chosen node. */
export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: PodInfo, nodeName: string): Status;
  unreserve(state: CycleState, pod: PodInfo, nodeName: string): void;
}

/** Approves, denies or delays (Wait) binding. */
export interface PermitPlugin extends Plugin {
  permit(state: CycleState, pod: PodInfo, nodeName: string): { status: Status; timeoutUs?: number };
}

/** Runs before Bind. */
export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: PodInfo, nodeName: string): Status;
}

/** Binds the pod (DefaultBinder: the integrator writes the binding through the store). */
export interface BindPlugin extends Plugin {
  bind(state: CycleState, pod: PodInfo, nodeName: string): Status;
}

/** Runs after a successful bind. */
export interface PostBindPlugin extends Plugin {
  postBind(state: CycleState, pod: PodInfo, nodeName: string): void;
}

/** Any plugin: implements one or more of the interfaces above. */
export type AnyPlugin = Plugin &
  Partial<
    Omit<PreEnqueuePlugin, 'name'> &
      Omit<QueueSortPlugin, 'name'> &
      Omit<PreFilterPlugin, 'name'> &
      Omit<FilterPlugin, 'name'> &
      Omit<PostFilterPlugin, 'name'> &
      Omit<PreScorePlugin, 'name'> &
      Omit<ScorePlugin, 'name'> &
      Omit<ReservePlugin, 'name'> &
      Omit<PermitPlugin, 'name'> &
      Omit<PreBindPlugin, 'name'> &
      Omit<BindPlugin, 'name'> &
      Omit<PostBindPlugin, 'name'>
  >;

/**
 * A registry entry: how to validate a plugin's `pluginConfig[].args` and build it. `points` lists the
 * extension points the plugin implements, so profiles can be resolved (multiPoint expansion) without
 * instantiating anything.
 */
export interface PluginFactory<A = unknown> {
  readonly name: string;
  readonly points: readonly ExtensionPoint[];
  /**
   * Validates and defaults raw args (`undefined` when the profile gives none). Throws ValidationError
   * whose path starts with `path` (e.g. `profiles[0].pluginConfig[1].args.scoringStrategy.type`).
   */
  parseArgs?(raw: unknown, path: string): A;
  create(args: A, handle: FrameworkHandle): AnyPlugin;
}
