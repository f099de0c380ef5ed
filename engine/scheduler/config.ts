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

const KUBE_DEFAULTS = `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
  - schedulerName: default-scheduler
`;

/**
 * A GPU policy preset: the default profile's queue, filters (plus GpuShare), preemption and binder,
 * with `plugin` as the only scorer over every feasible node, as the ATC'23 artifact ran each policy
 * (weight 1000, all nodes scored). docs/gpu-policies.md "As scheduler plugins".
 */
function gpuPolicyPreset(plugin: string): string {
  return `${KUBE_DEFAULTS}    percentageOfNodesToScore: 100
    plugins:
      multiPoint:
        enabled:
          - name: GpuShare
      preScore:
        disabled: [{ name: '*' }]
        enabled: [{ name: ${plugin} }]
      score:
        disabled: [{ name: '*' }]
        enabled: [{ name: ${plugin}, weight: 1000 }]
`;
}

/**
 * The `--policy` presets, as KubeSchedulerConfiguration texts (so a preset and the equivalent file
 * behave identically). See docs/scheduler.md.
 */
export const PRESETS: Readonly<Record<string, string>> = {
  // kube-scheduler's defaults: LeastAllocated spreading + BalancedAllocation, weights per KUBERNETES.md;
  // plus GpuShare, so no GPU device is over-committed (a no-op for pods without GPU demand).
  'default-scheduler': `${KUBE_DEFAULTS}    plugins:
      multiPoint:
        enabled:
          - name: GpuShare
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
  // The ATC'23 GPU policies (docs/gpu-policies.md "As scheduler plugins").
  fgd: gpuPolicyPreset('GpuFGD'),
  'gpu-packing': gpuPolicyPreset('GpuPacking'),
  'gpu-clustering': gpuPolicyPreset('GpuClustering'),
  'gpu-bestfit': gpuPolicyPreset('GpuBestFit'),
  'gpu-dotprod': gpuPolicyPreset('GpuDotProd'),
  'gpu-random': gpuPolicyPreset('GpuRandom'),
};

/** The names of the presets. */
export const PRESET_NAMES: readonly string[] = Object.keys(PRESETS);

/** A preset's configuration; throws ValidationError for an unknown name. */
export function presetConfig(name: string, registry: Registry = defaultRegistry()): SchedulerConfig {
  // A registry without the GPU plugins (tests of the core plugins) gets kube-scheduler's defaults as is.
  const text = name === 'default-scheduler' && !registry.has('GpuShare') ? KUBE_DEFAULTS : PRESETS[name];
  if (text === undefined)
    throw new ValidationError(
      '--policy',
      `unknown policy ${JSON.stringify(name)} (presets: ${PRESET_NAMES.join(', ')})`,
    );
  return loadSchedulerConfig(text, `preset:${name}`, registry);
}
