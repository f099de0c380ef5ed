import {
  DEFAULT_MILLI_CPU_REQUEST,
  GPU_MILLI,
  type GpuNodeSpec,
  type GpuPodRequest,
  type GpuPodSpec,
} from './types.js';

/** Model ids live in one 32-bit mask, so a cluster may hold at most this many distinct GPU models. */
export const MAX_GPU_MODELS = 31;

/**
 * Device-level accounting of a cluster for GPU-sharing placement, as struct-of-arrays over node
 * slots: free CPU and memory per node, GPU count and model id, and free milli per GPU in one flat
 * Int32Array (`node × maxGpusPerNode`). Derived per-node columns (total free GPU milli, fully free
 * GPUs, largest free GPU, pods per GPU-affinity tag) are kept in step by `bind`, and `version[node]`
 * counts the binds on a node so that score caches know when an entry went stale.
 *
 * Only `bind` writes; everything else reads.
 */
export class GpuCluster {
  /** Number of nodes. */
  readonly size: number;
  /** GPU slots per node in `gpuFree` (the largest GPU count in the cluster, at least 1). */
  readonly maxGpus: number;
  /** GPU models by id. */
  readonly models: readonly string[];
  readonly names: readonly string[];
  readonly cpuCapacity: Int32Array;
  readonly memoryCapacity: Int32Array;
  readonly gpuCount: Uint8Array;
  /** Model id per node; -1 for a CPU-only node. */
  readonly modelId: Int8Array;
  readonly cpuFree: Int32Array;
  readonly memoryFree: Int32Array;
  /** Free milli (0..1000) of GPU `g` of node `n` at `n * maxGpus + g`. */
  readonly gpuFree: Int32Array;
  readonly gpuFreeTotal: Int32Array;
  readonly fullyFreeGpus: Uint8Array;
  readonly maxGpuFree: Int32Array;
  /**
   * Pods with GPUs per affinity tag at `n * (maxGpus + 1) + tag`; tag 0 = GPU-sharing pods, tag k ≥ 1
   * = pods of k whole GPUs (the artifact's `share-gpu`, `k-gpu` tags).
   */
  readonly affinityCount: Int32Array;
  /** Number of distinct affinity tags present on each node. */
  readonly affinityKinds: Uint8Array;
  /** Binds per node, for cache invalidation. */
  readonly version: Uint32Array;
  /** Cluster GPU capacity in milli. */
  readonly totalGpuMilli: number;
  #allocatedGpuMilli = 0;
  #modelIndex: Map<string, number>;

  constructor(nodes: readonly GpuNodeSpec[]) {
    const n = nodes.length;
    this.size = n;
    let maxGpus = 1;
    const models: string[] = [];
    const modelIndex = new Map<string, number>();
    for (const node of nodes) {
      if (!Number.isInteger(node.gpu) || node.gpu < 0 || node.gpu > 255) {
        throw new RangeError(`node ${node.name}: gpu must be an integer in 0..255`);
      }
      maxGpus = Math.max(maxGpus, node.gpu);
      if (node.gpu > 0 && !modelIndex.has(node.model)) {
        if (models.length === MAX_GPU_MODELS) throw new RangeError(`more than ${MAX_GPU_MODELS} GPU models`);
        modelIndex.set(node.model, models.length);
        models.push(node.model);
      }
    }
    this.maxGpus = maxGpus;
    this.models = models;
    this.#modelIndex = modelIndex;
    this.names = nodes.map((x) => x.name);
    this.cpuCapacity = Int32Array.from(nodes, (x) => x.cpuMilli);
    this.memoryCapacity = Int32Array.from(nodes, (x) => x.memoryMib);
    this.gpuCount = Uint8Array.from(nodes, (x) => x.gpu);
    this.modelId = Int8Array.from(nodes, (x) => (x.gpu > 0 ? modelIndex.get(x.model)! : -1));
    this.cpuFree = Int32Array.from(this.cpuCapacity);
    this.memoryFree = Int32Array.from(this.memoryCapacity);
    this.gpuFree = new Int32Array(n * maxGpus);
    this.gpuFreeTotal = new Int32Array(n);
    this.fullyFreeGpus = new Uint8Array(n);
    this.maxGpuFree = new Int32Array(n);
    this.affinityCount = new Int32Array(n * (maxGpus + 1));
    this.affinityKinds = new Uint8Array(n);
    this.version = new Uint32Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const g = this.gpuCount[i]!;
      this.gpuFree.fill(GPU_MILLI, i * maxGpus, i * maxGpus + g);
      this.gpuFreeTotal[i] = g * GPU_MILLI;
      this.fullyFreeGpus[i] = g;
      this.maxGpuFree[i] = g > 0 ? GPU_MILLI : 0;
      total += g * GPU_MILLI;
    }
    this.totalGpuMilli = total;
  }

  /** GPU milli bound so far, cluster-wide. */
  get allocatedGpuMilli(): number {
    return this.#allocatedGpuMilli;
  }

  /** The model id of `model`, or -1 when no node has it. */
  modelIdOf(model: string): number {
    return this.#modelIndex.get(model) ?? -1;
  }

  /** Compiles a pod spec against this cluster's model table. Throws RangeError on an impossible shape. */
  request(spec: GpuPodSpec): GpuPodRequest {
    const { cpuMilli, memoryMib, numGpu, gpuMilli } = spec;
    if (numGpu < 0 || !Number.isInteger(numGpu))
      throw new RangeError('pod.numGpu must be a non-negative integer');
    if (numGpu > 0 && (gpuMilli <= 0 || gpuMilli > GPU_MILLI))
      throw new RangeError('pod.gpuMilli must be in 1..1000');
    if (numGpu > 1 && gpuMilli < GPU_MILLI) throw new RangeError('pod.gpuMilli < 1000 needs numGpu = 1');
    let modelMask = -1;
    if (spec.gpuSpec.length > 0) {
      modelMask = 0;
      for (const m of spec.gpuSpec) {
        const id = this.#modelIndex.get(m);
        if (id !== undefined) modelMask |= 1 << id;
      }
    }
    const g = numGpu === 0 ? 0 : gpuMilli;
    return {
      cpuMilli,
      memoryMib,
      numGpu,
      gpuMilli: g,
      modelMask,
      scoreCpuMilli: cpuMilli > 0 ? cpuMilli : DEFAULT_MILLI_CPU_REQUEST,
      sharing: numGpu === 1 && g < GPU_MILLI,
      totalGpuMilli: numGpu * g,
    };
  }

  /**
   * Binds `pod` to `node` on the GPUs of `gpuMask` (bit g = GPU g). The caller has checked the fit
   * (`gpuFit`); a mask that does not match the pod's GPU count is a programming error.
   */
  bind(node: number, pod: GpuPodRequest, gpuMask: number): void {
    this.cpuFree[node]! -= pod.cpuMilli;
    this.memoryFree[node]! -= pod.memoryMib;
    if (pod.numGpu > 0) {
      const base = node * this.maxGpus;
      const g = this.gpuCount[node]!;
      let taken = 0;
      for (let i = 0; i < g; i++) {
        if ((gpuMask & (1 << i)) === 0) continue;
        if (this.gpuFree[base + i]! < pod.gpuMilli)
          throw new RangeError(`GPU ${i} of node ${node} is too full`);
        this.gpuFree[base + i]! -= pod.gpuMilli;
        taken++;
      }
      if (taken !== pod.numGpu)
        throw new RangeError(`gpu mask ${gpuMask} has ${taken} GPUs, pod wants ${pod.numGpu}`);
      this.#refreshGpus(node);
      this.#allocatedGpuMilli += pod.totalGpuMilli;
      const tag = node * (this.maxGpus + 1) + (pod.sharing ? 0 : pod.numGpu);
      if (this.affinityCount[tag]! === 0) this.affinityKinds[node]!++;
      this.affinityCount[tag]!++;
    }
    this.version[node]!++;
  }

  /**
   * Undoes `bind(node, pod, gpuMask)`: the scheduler plugins' state is incremental in both directions
   * (pods finish, are deleted or are removed by preemption's what-ifs). The fill experiment never
   * calls it. The caller passes exactly what it bound; a mismatch is a programming error.
   */
  unbind(node: number, pod: GpuPodRequest, gpuMask: number): void {
    this.cpuFree[node]! += pod.cpuMilli;
    this.memoryFree[node]! += pod.memoryMib;
    if (pod.numGpu > 0) {
      const base = node * this.maxGpus;
      const g = this.gpuCount[node]!;
      for (let i = 0; i < g; i++) {
        if ((gpuMask & (1 << i)) === 0) continue;
        if (this.gpuFree[base + i]! + pod.gpuMilli > GPU_MILLI)
          throw new RangeError(`GPU ${i} of node ${node} would exceed ${GPU_MILLI} milli free`);
        this.gpuFree[base + i]! += pod.gpuMilli;
      }
      this.#refreshGpus(node);
      this.#allocatedGpuMilli -= pod.totalGpuMilli;
      const tag = node * (this.maxGpus + 1) + (pod.sharing ? 0 : pod.numGpu);
      this.affinityCount[tag]!--;
      if (this.affinityCount[tag]! === 0) this.affinityKinds[node]!--;
    }
    this.version[node]!++;
  }

  #refreshGpus(node: number): void {
    const base = node * this.maxGpus;
    const g = this.gpuCount[node]!;
    let total = 0;
    let full = 0;
    let max = 0;
    for (let i = 0; i < g; i++) {
      const f = this.gpuFree[base + i]!;
      total += f;
      if (f === GPU_MILLI) full++;
      if (f > max) max = f;
    }
    this.gpuFreeTotal[node] = total;
    this.fullyFreeGpus[node] = full;
    this.maxGpuFree[node] = max;
  }
}

/**
 * The filter: does `pod` fit on `node` now? CPU and memory requests (kube-scheduler's
 * NodeResourcesFit), then for a GPU pod the artifact's Open-Gpu-Share filter: the node has GPUs of an
 * allowed model, and either one GPU with at least `gpuMilli` free (a sharing pod) or `numGpu` wholly
 * free GPUs.
 */
export function gpuFit(cluster: GpuCluster, node: number, pod: GpuPodRequest): boolean {
  if (cluster.cpuFree[node]! < pod.cpuMilli || cluster.memoryFree[node]! < pod.memoryMib) return false;
  if (pod.numGpu === 0) return true;
  const model = cluster.modelId[node]!;
  if (model < 0 || (pod.modelMask & (1 << model)) === 0) return false;
  if (pod.sharing) return cluster.maxGpuFree[node]! >= pod.gpuMilli;
  return cluster.fullyFreeGpus[node]! >= pod.numGpu;
}

/** Mask of the `numGpu` lowest-index wholly free GPUs (the artifact's AllocateExclusiveGpuId); 0 if too few. */
export function exclusiveGpus(cluster: GpuCluster, node: number, numGpu: number): number {
  const base = node * cluster.maxGpus;
  const g = cluster.gpuCount[node]!;
  let mask = 0;
  let need = numGpu;
  for (let i = 0; i < g && need > 0; i++) {
    if (cluster.gpuFree[base + i] === GPU_MILLI) {
      mask |= 1 << i;
      need--;
    }
  }
  return need === 0 ? mask : 0;
}
