import type { QueuedPodInfo } from '../framework/types.js';

/**
 * PrioritySort's `less` (kube-scheduler's queuesort plugin): higher `spec.priority` first, then the
 * earlier queue timestamp. Provided for tests and for integrators without a framework at hand; the
 * profile's QueueSort plugin is the one to pass to the queue.
 */
export function prioritySortLess(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
  const pa = a.pod.spec?.priority ?? 0;
  const pb = b.pod.spec?.priority ?? 0;
  return pa > pb || (pa === pb && a.timestampUs < b.timestampUs);
}
