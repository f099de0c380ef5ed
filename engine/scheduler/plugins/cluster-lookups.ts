import type { LabelSelector, Pod, PodDisruptionBudget } from '../../api/types.js';
import type { FrameworkHandle } from '../framework/index.js';
import type { NodeIndex } from '../index/index.js';

/**
 * Cluster objects that the InterPodAffinity, PodTopologySpread and DefaultPreemption plugins need beyond
 * the node index (kube-scheduler reads them from informer listers). The integrator provides them once
 * per scheduler with {@link provideClusterLookups}; every lookup is optional and a missing one behaves
 * as an empty cluster (no namespace labels, no owners, no PDBs).
 */
export interface ClusterLookups {
  /** Labels of a namespace (for `namespaceSelector` of pod affinity terms). */
  namespaceLabels?(namespace: string): Readonly<Record<string, string>> | undefined;
  /**
   * Selectors of the Services, ReplicationControllers, ReplicaSets and StatefulSets in the pod's
   * namespace whose selector matches the pod (kube-scheduler's `helper.DefaultSelector` inputs; a
   * Service's `spec.selector` map is passed as `{ matchLabels }`). PodTopologySpread's system default
   * constraints use their conjunction; none → no default constraints.
   */
  ownerSelectors?(pod: Pod): readonly LabelSelector[];
  /** PodDisruptionBudgets of a namespace (DefaultPreemption prefers victims that violate none). */
  podDisruptionBudgets?(namespace: string): readonly PodDisruptionBudget[];
  /**
   * A seeded stream in [0, 1) for DefaultPreemption's random candidate offset (kreplay names it, e.g.
   * `rng('preemption')`). Without it the offset is a hash of the pod's key.
   */
  preemptionRandom?(): number;
}

const EMPTY: ClusterLookups = Object.freeze({});
const byIndex = new WeakMap<NodeIndex, ClusterLookups>();

/**
 * Installs the lookups for every plugin built on `index` (`scheduler.index`). May be called before or
 * after the Scheduler is constructed: plugins read the lookups at call time.
 */
export function provideClusterLookups(index: NodeIndex, lookups: ClusterLookups): void {
  byIndex.set(index, lookups);
}

/** The lookups installed for a plugin's handle (an empty set when none were provided). */
export function clusterLookups(handle: FrameworkHandle): ClusterLookups {
  return byIndex.get(handle.index) ?? EMPTY;
}
