import { ValidationError } from '../api/errors.js';
import { resolveSchedulerConfig, type Registry, type SchedulerConfig } from './framework/index.js';
import { defaultRegistry } from './plugins/index.js';

/**
 * Loads a KubeSchedulerConfiguration (`kubescheduler.config.k8s.io/v1`) YAML text into profiles.
 * `fileName` labels errors (`file:line: profiles[0]...: message`).
 */
export function loadSchedulerConfig(
  text: string,
  fileName: string,
  registry: Registry = defaultRegistry(),
): SchedulerConfig {
  return resolveSchedulerConfig(text, fileName, registry);
}

/**
 * The `--policy` presets, as KubeSchedulerConfiguration texts (so a preset and the equivalent file
 * behave identically). See docs/scheduler.md.
 */
export const PRESETS: Readonly<Record<string, string>> = {
  // kube-scheduler's defaults: LeastAllocated spreading + BalancedAllocation, weights per KUBERNETES.md.
  'default-scheduler': `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
  - schedulerName: default-scheduler
`,
  // Bin packing: prefer the fullest node that fits.
  'most-allocated': `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
  - schedulerName: default-scheduler
    pluginConfig:
      - name: NodeResourcesFit
        args:
          scoringStrategy:
            type: MostAllocated
            resources: [{ name: cpu, weight: 1 }, { name: memory, weight: 1 }]
`,
  // Bin packing with the documented linear shape: 0% used → 0, 100% used → 10.
  'requested-to-capacity-ratio': `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
  - schedulerName: default-scheduler
    pluginConfig:
      - name: NodeResourcesFit
        args:
          scoringStrategy:
            type: RequestedToCapacityRatio
            resources: [{ name: cpu, weight: 1 }, { name: memory, weight: 1 }]
            requestedToCapacityRatio:
              shape:
                - { utilization: 0, score: 0 }
                - { utilization: 100, score: 10 }
`,
  // Balance only: NodeResourcesFit does not score; BalancedAllocation decides among resource scorers.
  balanced: `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
  - schedulerName: default-scheduler
    plugins:
      score:
        disabled:
          - name: NodeResourcesFit
`,
};

/** The names of the presets. */
export const PRESET_NAMES: readonly string[] = Object.keys(PRESETS);

/** A preset's configuration; throws ValidationError for an unknown name. */
export function presetConfig(name: string, registry: Registry = defaultRegistry()): SchedulerConfig {
  const text = PRESETS[name];
  if (text === undefined)
    throw new ValidationError(
      '--policy',
      `unknown policy ${JSON.stringify(name)} (presets: ${PRESET_NAMES.join(', ')})`,
    );
  return loadSchedulerConfig(text, `preset:${name}`, registry);
}
