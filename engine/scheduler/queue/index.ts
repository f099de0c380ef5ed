/** The scheduling queue: activeQ / backoffQ / unschedulable set / gated pods / nominator, on the virtual clock. */
export {
  SchedulingQueue,
  backoffDurationUs,
  DEFAULT_INITIAL_BACKOFF_US,
  DEFAULT_MAX_BACKOFF_US,
  DEFAULT_UNSCHEDULABLE_FLUSH_US,
} from './scheduling-queue.js';
export type {
  FailureInfo,
  PoppedPod,
  QueueLocation,
  QueueSnapshot,
  QueueSnapshotEntry,
  SchedulingQueueOptions,
} from './scheduling-queue.js';
export { DEFAULT_EVENT_REGISTRATIONS, eventMatches, eventRelevant } from './events.js';
export type { ClusterEvent, ClusterEventKind, EventRegistration, NodeChange } from './events.js';
export { KeyedHeap } from './heap.js';
export type { HeapItem } from './heap.js';
export { prioritySortLess } from './priority-sort.js';
