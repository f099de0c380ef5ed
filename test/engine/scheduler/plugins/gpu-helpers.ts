/** Builders and profiles shared by the GpuShare / GPU policy tests. */
import type { Node, Pod } from '../../../../engine/api/types.js';
import { loadSchedulerConfig, Scheduler, type SchedulerConfig } from '../../../../engine/scheduler/index.js';
import { makeNode, makePod } from '../../../helpers/builders.js';

/** A GPU node as the openb reader writes it: `gpus` devices of `model`, `cpu` millicores. */
export function gpuNode(name: string, cpuMilli: number, gpus: number, model = 'V100'): Node {
  const cap: Record<string, string | number> = { cpu: `${cpuMilli}m`, memory: '256Gi', pods: 110 };
  if (gpus > 0) {
    cap['nvidia.com/gpu'] = gpus;
    cap['kreplay.io/gpu-milli'] = gpus * 1000;
  }
  const b = makeNode(name).cap(cap);
  if (gpus > 0) b.label('kreplay.io/gpu-model', model);
  return b.build();
}

/** Options of {@link gpuPod}. */
export interface GpuPodOpts {
  /** Node to bind to (a bound pod). */
  node?: string;
  /** `kreplay.io/gpu-assigned`. */
  assigned?: string;
  /** Allowed models (annotation + required node affinity, as the openb reader writes them). */
  models?: string[];
}

/** A pod as the openb reader writes it: `numGpu` devices of `milli` each (0 GPUs: CPU-only). */
export function gpuPod(
  name: string,
  cpuMilli: number,
  numGpu: number,
  milli = 1000,
  o: GpuPodOpts = {},
): Pod {
  const req: Record<string, string | number> = { cpu: `${cpuMilli}m`, memory: '1Gi' };
  const ann: Record<string, string> = {};
  if (numGpu > 0) {
    req['kreplay.io/gpu-milli'] = numGpu * milli;
    ann['kreplay.io/gpu-count'] = String(numGpu);
    ann['kreplay.io/gpu-milli-per-gpu'] = String(milli);
  }
  if (o.assigned !== undefined) ann['kreplay.io/gpu-assigned'] = o.assigned;
  const b = makePod(name).req(req);
  if (o.models) {
    ann['kreplay.io/gpu-spec'] = o.models.join('|');
    b.requiredTerm([{ key: 'kreplay.io/gpu-model', operator: 'In', values: o.models }]);
  }
  if (o.node) b.node(o.node);
  return b.with((p) => (p.metadata!.annotations = ann)).build();
}

/** A profile with only `plugins` (+ queue sort and binder), every node scored. */
export function gpuProfile(
  plugins: { name: string; weight?: number }[],
  pluginConfig: { name: string; args: unknown }[] = [],
): SchedulerConfig {
  const text = JSON.stringify({
    apiVersion: 'kubescheduler.config.k8s.io/v1',
    kind: 'KubeSchedulerConfiguration',
    percentageOfNodesToScore: 100,
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

/** A scheduler (default registry: GPU plugins included) over `nodes` with `pods` bound. */
export function gpuScheduler(config: SchedulerConfig, nodes: Node[], pods: Pod[] = []): Scheduler {
  let x = 0.5;
  const s = new Scheduler({ config, random: () => ((x = (x * 9301 + 0.49297) % 1), x) });
  for (const n of nodes) s.addNode(n);
  for (const p of pods) s.addPod(p);
  return s;
}
