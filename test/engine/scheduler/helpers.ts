/** Shared helpers for scheduler tests: single-plugin profiles and compact views of explain output. */
import type { Node, Pod } from '../../../engine/api/types.js';
import {
  Scheduler,
  loadSchedulerConfig,
  presetConfig,
  type ExplainResult,
  type SchedulerConfig,
} from '../../../engine/scheduler/index.js';

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
  return loadSchedulerConfig(text, 'test.yaml');
}

/** A scheduler over `nodes` with `pods` bound (pods need spec.nodeName). */
export function cluster(
  nodes: Node[],
  pods: Pod[] = [],
  config: SchedulerConfig = presetConfig('default-scheduler'),
  seed = 0.5,
): Scheduler {
  let x = seed;
  const s = new Scheduler({ config, random: () => ((x = (x * 9301 + 0.49297) % 1), x) });
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
