import { Registry } from '../framework/index.js';
import { factory as defaultBinder } from './default-binder/index.js';
import { factory as imageLocality } from './image-locality/index.js';
import { factory as nodeAffinity } from './node-affinity/index.js';
import { factory as nodeName } from './node-name/index.js';
import { factory as nodePorts } from './node-ports/index.js';
import { factory as balancedAllocation } from './node-resources-balanced-allocation/index.js';
import { factory as nodeResourcesFit } from './node-resources-fit/index.js';
import { factory as nodeUnschedulable } from './node-unschedulable/index.js';
import { factory as prioritySort } from './priority-sort/index.js';
import { registerAdvancedPlugins } from './register-advanced.js';
import { registerGpuPlugins } from './register-gpu.js';
import { factory as schedulingGates } from './scheduling-gates/index.js';
import { factory as taintToleration } from './taint-toleration/index.js';

/**
 * The in-tree plugins kreplay implements, registered under kube-scheduler's names.
 *
 * SLOTS FOR COLLEAGUES — not registered yet, so the default profile skips them (they are listed in
 * each profile's `unavailable` and in `explain`'s JSON) instead of failing:
 *   - InterPodAffinity   → plugins/inter-pod-affinity/index.ts     (PreFilter, Filter, PreScore, Score)
 *   - PodTopologySpread  → plugins/pod-topology-spread/index.ts    (PreFilter, Filter, PreScore, Score)
 *   - DefaultPreemption  → preemption/ (PostFilter)
 * Add each as `r.register(factory)` below; the default multiPoint set (framework/config.ts
 * DEFAULT_MULTIPOINT) already lists them with their weights, so registering is all it takes.
 */
export function defaultRegistry(): Registry {
  const r = new Registry();
  for (const f of [
    schedulingGates,
    prioritySort,
    nodeUnschedulable,
    nodeName,
    taintToleration,
    nodeAffinity,
    nodePorts,
    nodeResourcesFit,
    balancedAllocation,
    imageLocality,
    defaultBinder,
  ]) {
    r.register(f as never);
  }
  registerAdvancedPlugins(r); // InterPodAffinity, PodTopologySpread, DefaultPreemption
  registerGpuPlugins(r); // GpuShare + the six GPU policies (docs/gpu-policies.md)
  return r;
}
