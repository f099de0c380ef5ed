import type { Registry } from '../framework/index.js';
import { factory as defaultPreemption } from './default-preemption/index.js';
import { factory as interPodAffinity } from './inter-pod-affinity/index.js';
import { factory as podTopologySpread } from './pod-topology-spread/index.js';

/**
 * Registers InterPodAffinity, PodTopologySpread and DefaultPreemption. The default multiPoint set
 * (framework/config.ts) already lists them with their weights, so registering puts them in the
 * default profile. Their cluster context (namespace labels, owner selectors, PDBs, the preemption
 * random stream) is installed with `provideClusterLookups(scheduler.index, …)`.
 */
export function registerAdvancedPlugins(r: Registry): Registry {
  r.register(interPodAffinity);
  r.register(podTopologySpread);
  r.register(defaultPreemption);
  return r;
}
