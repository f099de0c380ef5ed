/**
 * How the commit step classifies plugins (by kube-scheduler name). A plugin not listed here is not
 * understood by the patching logic: a pod for which it ran is only committed from its speculation when
 * nothing changed since the snapshot, and otherwise recomputed sequentially.
 */

/** Filters whose verdict on a node depends only on the pod and that node's own object. */
export const NODE_STATIC_FILTERS: ReadonlySet<string> = new Set([
  'NodeUnschedulable',
  'NodeName',
  'TaintToleration',
  'NodeAffinity',
]);

/** Filters whose verdict on a node changes with the pods bound to that node only. */
export const NODE_LOCAL_FILTERS: ReadonlySet<string> = new Set(['NodeResourcesFit', 'NodePorts']);

/** InterPodAffinity: patched per topology domain when only required anti-affinity is in play. */
export const INTER_POD_AFFINITY = 'InterPodAffinity';

/**
 * Score plugins whose raw score on a node does not depend on bound pods (taints, node labels, images
 * and the node count): their normalized score only moves if the feasible set moves their bounds.
 */
export const STABLE_SCORE_PLUGINS: ReadonlySet<string> = new Set([
  'TaintToleration',
  'NodeAffinity',
  'ImageLocality',
]);

/** Score plugins without NormalizeScore whose score on a node depends on that node's pods only. */
export const NODE_LOCAL_SCORE_PLUGINS: ReadonlySet<string> = new Set([
  'NodeResourcesFit',
  'NodeResourcesBalancedAllocation',
]);

/** Bind plugins the owner may run itself after a speculative pick (they read no cycle state). */
export const STATELESS_BIND_PLUGINS: ReadonlySet<string> = new Set(['DefaultBinder']);
