/**
 * Log entries the control plane adds to the event-log vocabulary of engine/cluster/events.ts.
 * Store mutations are logged by the store itself (`api`); these record what is not a mutation.
 */

/** `ctrl.leader`: a lease changed hands (or was lost when its holder was killed). */
export interface LeaderEvent {
  lease: string;
  identity: string;
  event: 'acquired' | 'lost';
}

/** `ctrl.evict`: the taint manager evicted a pod from a NoExecute-tainted node. */
export interface EvictEvent {
  pod: string;
  node: string;
  taint: string;
}

/** `fault`: a scenario fault took effect. */
export interface FaultEvent {
  fault: string;
  target: string;
}

/** Event type names added by the control plane. */
export const CONTROL_EVENT = {
  LEADER: 'ctrl.leader',
  EVICT: 'ctrl.evict',
  FAULT: 'fault',
} as const;
