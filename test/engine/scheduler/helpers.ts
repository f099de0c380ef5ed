/** Shared helpers for scheduler tests: single-plugin profiles and compact views of explain output. */
import type { Node, Pod } from '../../../engine/api/types.js';
import {
  Registry,
  Scheduler,
  loadSchedulerConfig,
  presetConfig,
  type ExplainResult,
  type SchedulerConfig,
} from '../../../engine/scheduler/index.js';
import { factory as defaultBinder } from '../../../engine/scheduler/plugins/default-binder/index.js';
import { factory as imageLocality } from '../../../engine/scheduler/plugins/image-locality/index.js';
import { factory as nodeAffinity } from '../../../engine/scheduler/plugins/node-affinity/index.js';
import { factory as nodeName } from '../../../engine/scheduler/plugins/node-name/index.js';
import { factory as nodePorts } from '../../../engine/scheduler/plugins/node-ports/index.js';
import { factory as balanced } from '../../../engine/scheduler/plugins/node-resources-balanced-allocation/index.js';
import { factory as nodeResourcesFit } from '../../../engine/scheduler/plugins/node-resources-fit/index.js';
import { factory as nodeUnschedulable } from '../../../engine/scheduler/plugins/node-unschedulable/index.js';
import { factory as prioritySort } from '../../../engine/scheduler/plugins/priority-sort/index.js';
import { factory as schedulingGates } from '../../../engine/scheduler/plugins/scheduling-gates/index.js';
import { factory as taintToleration } from '../../../engine/scheduler/plugins/taint-toleration/index.js';

/**
 * The core in-tree plugins only (no InterPodAffinity / PodTopologySpread / DefaultPreemption), so these
 * tests pin the core plugins' behaviour whatever else gets registered in the default registry.
 */
export function coreRegistry(): Registry {
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
    balanced,
    imageLocality,
    defaultBinder,
  ]) {
    r.register(f as never);
  }
  return r;
}

/** The default profile over the core plugins. */
export function coreDefaults(): SchedulerConfig {
  return presetConfig('default-scheduler', coreRegistry());
}

/** A profile with only `plugins` (all their points) plus the mandatory queue sort and binder. */
export function onlyPlugins(
  plugins: { name: string; weight?: number }[],
  pluginConfig: { name: string; args: unknown }[] = [],
): SchedulerConfig {
  const text = JSON.stringify({
    apiVersion: 'kubescheduler.config.k8s.io/v1',
    kind: 'KubeSchedulerConfiguration',
    profiles: [
      {
        schedulerName: 'default-scheduler',
        plugins: {
          multiPoint: {
            disabled: [{ name: '*' }],
            enabled: [{ name: 'PrioritySort' }, { name: 'DefaultBinder' }, ...plugins],
          },
        },
        pluginConfig,
      },
    ],
  });
  return loadSchedulerConfig(text, 'test.yaml', coreRegistry());
}

/** A scheduler over `nodes` with `pods` bound (pods need spec.nodeName). */
export function cluster(
  nodes: Node[],
  pods: Pod[] = [],
  config: SchedulerConfig = coreDefaults(),
  seed = 0.5,
): Scheduler {
  let x = seed;
  const s = new Scheduler({
    config,
    registry: coreRegistry(),
    random: () => ((x = (x * 9301 + 0.49297) % 1), x),
  });
  for (const n of nodes) s.addNode(n);
  for (const p of pods) s.addPod(p);
  return s;
}

/** node → 'ok' or 'Code: reason; reason'. */
export function verdicts(e: ExplainResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of e.nodes) out[n.name] = n.feasible ? 'ok' : `${n.status}: ${n.reasons.join('; ')}`;
  return out;
}

/** node → normalized score of `plugin` (feasible nodes only). */
export function scoresOf(e: ExplainResult, plugin: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of e.nodes) if (n.feasible) out[n.name] = n.scores[plugin]!;
  return out;
}
