/**
 * Cluster events that move unschedulable pods back to the active/backoff queues, and which plugins care
 * about which events: a simplified form of kube-scheduler's `EventsToRegister` / queueing hints.
 *
 * kube-scheduler registers, per plugin, the (resource, action) pairs whose occurrence may make a pod
 * that this plugin rejected schedulable; an event moves an unschedulable pod only when one of the
 * plugins that rejected it registered for that event. Queueing hints then refine this per object; kreplay
 * does not (every registered event moves the pod: the pre-hint behaviour, which can only move pods
 * earlier, never strand them).
 */

/** Kinds of cluster events the queue reacts to. */
export type ClusterEventKind =
  /** A node appeared. */
  | 'NodeAdd'
  /** A node changed; `changes` narrows what changed (absent = anything). */
  | 'NodeUpdate'
  /** A node went away (only PodTopologySpread cares: domains may vanish). */
  | 'NodeDelete'
  /** A pod was bound / appeared bound on a node. */
  | 'AssignedPodAdd'
  /** A bound pod changed (labels, requests). */
  | 'AssignedPodUpdate'
  /** A bound pod was deleted (frees resources, ports, breaks affinity/anti-affinity, spread). */
  | 'AssignedPodDelete'
  /** A PodDisruptionBudget, Service or Namespace changed: not registered by default plugins. */
  | 'Other'
  /** Moves every unschedulable pod (kube-scheduler's wildcard / UnschedulableTimeout / ForceActivate). */
  | 'WildCard';

/** What changed in a NodeUpdate (kube-scheduler's UpdateNodeAllocatable, UpdateNodeLabel, ...). */
export type NodeChange = 'allocatable' | 'label' | 'taint' | 'condition' | 'unschedulable' | 'annotation';

/** A cluster event as the integrator reports it to {@link SchedulingQueue.moveOnEvent}. */
export interface ClusterEvent {
  readonly kind: ClusterEventKind;
  /** For NodeUpdate: what changed. Absent = treat as every change. */
  readonly changes?: readonly NodeChange[];
}

/** One registration: an event kind, and for NodeUpdate the node changes that matter. */
export interface EventRegistration {
  readonly kind: ClusterEventKind;
  /** For NodeUpdate: the changes of interest (absent = any). */
  readonly changes?: readonly NodeChange[];
}

const nodeAdd: EventRegistration = { kind: 'NodeAdd' };
const podDelete: EventRegistration = { kind: 'AssignedPodDelete' };
const allPodEvents: EventRegistration[] = [
  { kind: 'AssignedPodAdd' },
  { kind: 'AssignedPodUpdate' },
  podDelete,
];

/**
 * Plugin name → events that may make a pod it rejected schedulable. Mirrors the default plugins'
 * `EventsToRegister` in kube-scheduler (v1.30), reduced to the events kreplay models:
 *
 * | plugin | events |
 * |---|---|
 * | NodeResourcesFit | pod deleted/updated (scale-down), node added, node allocatable changed |
 * | NodePorts | pod deleted, node added |
 * | NodeAffinity, NodeName | node added, node labels changed (NodeName: any node update) |
 * | NodeUnschedulable | node added, node taints/`spec.unschedulable` changed |
 * | TaintToleration | node added, node taints changed |
 * | InterPodAffinity | any assigned-pod event, node added, node labels changed |
 * | PodTopologySpread | any assigned-pod event, node added/deleted, node labels/taints changed |
 * | SchedulingGates, DefaultPreemption, scorers | none (gates are lifted by the pod's own update) |
 *
 * A plugin missing from the map is treated as registered for every event (safe default for custom
 * plugins).
 */
export const DEFAULT_EVENT_REGISTRATIONS: Readonly<Record<string, readonly EventRegistration[]>> = {
  NodeResourcesFit: [
    podDelete,
    { kind: 'AssignedPodUpdate' },
    nodeAdd,
    { kind: 'NodeUpdate', changes: ['allocatable'] },
  ],
  NodePorts: [podDelete, nodeAdd],
  NodeAffinity: [nodeAdd, { kind: 'NodeUpdate', changes: ['label'] }],
  NodeName: [nodeAdd, { kind: 'NodeUpdate' }],
  NodeUnschedulable: [nodeAdd, { kind: 'NodeUpdate', changes: ['taint', 'unschedulable'] }],
  TaintToleration: [nodeAdd, { kind: 'NodeUpdate', changes: ['taint'] }],
  InterPodAffinity: [...allPodEvents, nodeAdd, { kind: 'NodeUpdate', changes: ['label'] }],
  PodTopologySpread: [
    ...allPodEvents,
    nodeAdd,
    { kind: 'NodeDelete' },
    { kind: 'NodeUpdate', changes: ['label', 'taint'] },
  ],
  SchedulingGates: [],
  DefaultPreemption: [],
  PrioritySort: [],
  DefaultBinder: [],
  ImageLocality: [],
  NodeResourcesBalancedAllocation: [],
};

/** Whether `event` matches registration `r`. */
export function eventMatches(r: EventRegistration, event: ClusterEvent): boolean {
  if (event.kind === 'WildCard' || r.kind === 'WildCard') return true;
  if (r.kind !== event.kind) return false;
  if (r.kind !== 'NodeUpdate' || !r.changes || !event.changes) return true;
  for (const c of event.changes) if (r.changes.includes(c)) return true;
  return false;
}

/**
 * Whether `event` may make a pod rejected by `plugins` schedulable. A pod rejected by no named plugin
 * (an error, or a rejection outside the plugins) moves on any event, as in kube-scheduler.
 */
export function eventRelevant(
  registrations: Readonly<Record<string, readonly EventRegistration[]>>,
  plugins: readonly string[],
  event: ClusterEvent,
): boolean {
  if (event.kind === 'WildCard' || plugins.length === 0) return true;
  for (const p of plugins) {
    const regs = registrations[p];
    if (regs === undefined) return true;
    for (const r of regs) if (eventMatches(r, event)) return true;
  }
  return false;
}
