/**
 * Shapes shared by the device-level GPU model: nodes and pods as the openb traces describe them, the
 * six placement policies of the ATC'23 fragmentation paper, and the constants of its artifact.
 */

/** Thousandths of one GPU: a whole GPU is 1000 milli. */
export const GPU_MILLI = 1000;
/** The artifact's normalisation bound for CPU (the largest node spec), in milli CPU. */
export const MAX_SPEC_CPU_MILLI = 128_000;
/** The artifact's normalisation bound for GPU (8 GPUs), in milli GPU. */
export const MAX_SPEC_GPU_MILLI = 8_000;
/** kube-scheduler's score range. */
export const MAX_NODE_SCORE = 100;
export const MIN_NODE_SCORE = 0;
/** kube-scheduler's non-zero default CPU request, used by the artifact's scores for pods that ask none. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;

/** The six policies compared by the paper, by their CLI names. */
export type GpuPolicy = 'random' | 'dotprod' | 'clustering' | 'packing' | 'bestfit' | 'fgd';

/** Every policy, in the paper's order. */
export const GPU_POLICIES: readonly GpuPolicy[] = [
  'random',
  'dotprod',
  'clustering',
  'packing',
  'bestfit',
  'fgd',
];

/** The paper's display names, for tables. */
export const GPU_POLICY_LABELS: Readonly<Record<GpuPolicy, string>> = {
  random: 'Random',
  dotprod: 'DotProd',
  clustering: 'Clustering',
  packing: 'Packing',
  bestfit: 'BestFit',
  fgd: 'FGD',
};

/** True when `name` is one of the six policy names. */
export function isGpuPolicy(name: string): name is GpuPolicy {
  return (GPU_POLICIES as readonly string[]).includes(name);
}

/** One node: capacity and its GPU devices (all of one model). */
export interface GpuNodeSpec {
  readonly name: string;
  readonly cpuMilli: number;
  readonly memoryMib: number;
  /** Number of GPU devices; 0 for a CPU-only node. */
  readonly gpu: number;
  /** GPU model, `''` for CPU-only nodes. */
  readonly model: string;
}

/** One pod's demand: `numGpu` devices of `gpuMilli` each (`gpuMilli < 1000` only with `numGpu = 1`). */
export interface GpuPodSpec {
  readonly cpuMilli: number;
  readonly memoryMib: number;
  readonly numGpu: number;
  readonly gpuMilli: number;
  /** Allowed GPU models; empty = any. */
  readonly gpuSpec: readonly string[];
}

/** A pod spec compiled against one cluster's model table (see `GpuCluster.request`). */
export interface GpuPodRequest {
  readonly cpuMilli: number;
  readonly memoryMib: number;
  readonly numGpu: number;
  readonly gpuMilli: number;
  /** Bit `m` set = model id `m` allowed; -1 = any model. 0 = none of the cluster's models. */
  readonly modelMask: number;
  /** CPU as the artifact's scores see it: the request, or 100 m when the pod asks none. */
  readonly scoreCpuMilli: number;
  /** True for a GPU-sharing pod: one GPU, less than all of it. */
  readonly sharing: boolean;
  /** Total GPU demand in milli (`numGpu × gpuMilli`). */
  readonly totalGpuMilli: number;
}
