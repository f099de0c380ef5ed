import type { Pod } from '../../../api/types.js';
import { GPU_MILLI, type GpuPodSpec } from '../../../gpu/index.js';
import type { PodResources } from '../../index/index.js';

/** Extended resource: GPU demand (pods) / capacity (nodes) in thousandths of a GPU. */
export const RESOURCE_GPU_MILLI = 'kreplay.io/gpu-milli';
/** Device-plugin resource: whole GPUs (nodes: the device count; pods: whole devices wanted). */
export const RESOURCE_NVIDIA_GPU = 'nvidia.com/gpu';
/** Node label naming the GPU model of all the node's devices. */
export const LABEL_GPU_MODEL = 'kreplay.io/gpu-model';
/** Pod annotation: number of GPU devices. */
export const ANN_GPU_COUNT = 'kreplay.io/gpu-count';
/** Pod annotation: milli wanted on each device (< 1000 only with one device: a sharing pod). */
export const ANN_GPU_MILLI_PER_GPU = 'kreplay.io/gpu-milli-per-gpu';
/** Pod annotation: allowed GPU models, `|`-separated; absent or empty = any. */
export const ANN_GPU_SPEC = 'kreplay.io/gpu-spec';
/** Pod annotation written at bind: the node's GPU indexes the pod holds, comma-separated (`0,3`). */
export const ANN_GPU_ASSIGNED = 'kreplay.io/gpu-assigned';
/** GPU devices per node that the model tracks (device sets are 32-bit masks). */
export const MAX_GPUS_PER_NODE = 32;

const MIB = 1024 * 1024;

/** A pod's GPU demand, or why it cannot be read. */
export type GpuDemand =
  { readonly ok: true; readonly spec: GpuPodSpec } | { readonly ok: false; readonly error: string };

function intAnnotation(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  return /^\d+$/.test(v.trim()) ? Number(v.trim()) : NaN;
}

/**
 * Reads a pod's GPU demand (docs/gpu-policies.md "As scheduler plugins"):
 * 1. annotations `kreplay.io/gpu-count` + `kreplay.io/gpu-milli-per-gpu` (the openb mapping);
 * 2. else the request `kreplay.io/gpu-milli` = M: one shared GPU when M < 1000, else ⌈M/1000⌉
 *    whole GPUs;
 * 3. else the request `nvidia.com/gpu` = N: N whole GPUs.
 * Allowed models come from `kreplay.io/gpu-spec`. CPU and memory are the pod's requests (memory in
 * MiB, rounded up), which is what the policies' scores read.
 */
export function podGpuDemand(
  pod: Pod,
  resources: PodResources,
  gpuMilliId: number,
  nvidiaId: number,
): GpuDemand {
  const ann = pod.metadata?.annotations ?? {};
  let numGpu = 0;
  let gpuMilli = 0;
  const count = intAnnotation(ann[ANN_GPU_COUNT]);
  const per = intAnnotation(ann[ANN_GPU_MILLI_PER_GPU]);
  if (count !== undefined || per !== undefined) {
    numGpu = count ?? 1;
    gpuMilli = per ?? GPU_MILLI;
    if (!Number.isInteger(numGpu) || numGpu > MAX_GPUS_PER_NODE)
      return {
        ok: false,
        error: `invalid GPU demand: ${ANN_GPU_COUNT} must be an integer in 0..${MAX_GPUS_PER_NODE}`,
      };
    if (numGpu > 0 && (!Number.isInteger(gpuMilli) || gpuMilli < 1 || gpuMilli > GPU_MILLI))
      return {
        ok: false,
        error: `invalid GPU demand: ${ANN_GPU_MILLI_PER_GPU} must be an integer in 1..1000`,
      };
    if (numGpu > 1 && gpuMilli < GPU_MILLI)
      return { ok: false, error: 'invalid GPU demand: a share below 1000 milli needs exactly one GPU' };
  } else {
    let milli = 0;
    let whole = 0;
    for (let i = 0; i < resources.ids.length; i++) {
      if (resources.ids[i] === gpuMilliId) milli = resources.amounts[i]!;
      else if (resources.ids[i] === nvidiaId) whole = resources.amounts[i]!;
    }
    if (milli > 0) {
      if (milli < GPU_MILLI) {
        numGpu = 1;
        gpuMilli = Math.ceil(milli);
      } else {
        numGpu = Math.ceil(milli / GPU_MILLI);
        gpuMilli = GPU_MILLI;
      }
    } else if (whole > 0) {
      numGpu = Math.ceil(whole);
      gpuMilli = GPU_MILLI;
    }
    if (numGpu > MAX_GPUS_PER_NODE)
      return { ok: false, error: `invalid GPU demand: more than ${MAX_GPUS_PER_NODE} GPUs` };
  }
  const specText = ann[ANN_GPU_SPEC] ?? '';
  const gpuSpec = [...new Set(specText.split('|').filter((s) => s !== ''))];
  return {
    ok: true,
    spec: {
      cpuMilli: Math.ceil(resources.milliCpu),
      memoryMib: Math.ceil(resources.memoryBytes / MIB),
      numGpu,
      gpuMilli: numGpu === 0 ? 0 : gpuMilli,
      gpuSpec,
    },
  };
}

/** Parses `kreplay.io/gpu-assigned` into a device mask; undefined when absent or malformed. */
export function parseAssigned(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  let mask = 0;
  for (const part of text.split(',')) {
    const s = part.trim();
    if (!/^\d+$/.test(s)) return undefined;
    const g = Number(s);
    if (g >= MAX_GPUS_PER_NODE || (mask & (1 << g)) !== 0) return undefined;
    mask |= 1 << g;
  }
  return mask;
}

/** The GPU indexes of a device mask, ascending. */
export function maskToGpus(mask: number): number[] {
  const out: number[] = [];
  for (let g = 0; g < MAX_GPUS_PER_NODE; g++) if ((mask & (1 << g)) !== 0) out.push(g);
  return out;
}

/** The annotation value for a device mask (`0,3`). */
export function formatAssigned(mask: number): string {
  return maskToGpus(mask).join(',');
}
