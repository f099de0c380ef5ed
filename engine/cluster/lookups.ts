import type { Store } from '../api/store.js';
import type { LabelSelector, Pod, PodDisruptionBudget } from '../api/types.js';
import { compileLabelSelector, type LabelMatcher } from '../api/selector.js';
import type { ClusterLookups } from '../scheduler/plugins/cluster-lookups.js';

/** Kinds whose selectors make up a pod's default spreading selector (kube-scheduler's DefaultSelector). */
const SELECTING_KINDS = ['ReplicaSet', 'StatefulSet'] as const;

/**
 * What scheduler plugins need to know about the rest of the cluster, answered from the store (the
 * informer caches of a real kube-scheduler): namespace labels, the selectors of the Services,
 * ReplicaSets and StatefulSets that select a pod, PodDisruptionBudgets, and a seeded stream for
 * preemption's candidate offset.
 */
export function storeLookups(store: Store, preemptionRandom: () => number): ClusterLookups {
  const compiled = new WeakMap<object, LabelMatcher>();
  const matcher = (sel: LabelSelector): LabelMatcher => {
    let m = compiled.get(sel);
    if (!m) {
      m = compileLabelSelector(sel);
      compiled.set(sel, m);
    }
    return m;
  };
  return {
    namespaceLabels: (ns) => store.get('Namespace', ns)?.metadata?.labels,
    ownerSelectors(pod: Pod): LabelSelector[] {
      const ns = pod.metadata?.namespace ?? 'default';
      const labels = pod.metadata?.labels;
      const out: LabelSelector[] = [];
      if (!labels) return out;
      for (const svc of store.list('Service', { namespace: ns })) {
        const sel = (svc.spec as { selector?: Record<string, string> } | undefined)?.selector;
        if (sel && Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => labels[k] === v)) {
          out.push({ matchLabels: sel });
        }
      }
      for (const kind of SELECTING_KINDS) {
        for (const obj of store.list(kind, { namespace: ns })) {
          const sel = (obj.spec as { selector?: LabelSelector } | undefined)?.selector;
          if (sel && matcher(sel)(labels)) out.push(sel);
        }
      }
      return out;
    },
    podDisruptionBudgets: (ns) => store.list<PodDisruptionBudget>('PodDisruptionBudget', { namespace: ns }),
    preemptionRandom,
  };
}
