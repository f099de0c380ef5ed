import { basename } from 'node:path';
import { InputError } from '../../engine/api/errors.js';
import { readOpenbNodeRows, readOpenbPodRows } from '../../traces/openb/index.js';
import type { GpuNodeSpec } from '../../engine/gpu/index.js';
import type { FillPod } from './cell.js';

/**
 * The nodes of an openb node list, as GPU node specs (every row, in file order); a list without
 * nodes, or without a GPU on any node, is an InputError naming it (there is nothing to fill).
 */
export async function loadFillNodes(path: string): Promise<GpuNodeSpec[]> {
  const rows = await readOpenbNodeRows(path);
  if (rows.length === 0)
    throw new InputError(path, 1, undefined, 'no nodes: the file has a header line and no rows', 'NO_NODES');
  if (!rows.some((r) => r.gpu > 0))
    throw new InputError(
      path,
      undefined,
      undefined,
      'no GPU nodes (every row has gpu 0): experiment fill needs GPUs to fill',
      'NO_GPU_NODES',
    );
  return rows.map((r) => ({
    name: r.sn,
    cpuMilli: r.cpuMilli,
    memoryMib: r.memoryMib,
    gpu: r.gpu,
    model: r.model,
  }));
}

/**
 * The pods of an openb pod list, in file order; a list without pods, or without a pod that asks for
 * a GPU, is an InputError naming it.
 */
export async function loadFillPods(path: string): Promise<FillPod[]> {
  const rows = await readOpenbPodRows(path);
  // Nothing would arrive: every curve and summary value would be empty.
  if (rows.length === 0)
    throw new InputError(path, 1, undefined, 'no pods: the file has a header line and no rows', 'NO_PODS');
  // Arrivals are counted in GPU request: CPU-only pods never bring the load to any percent.
  if (!rows.some((r) => r.numGpu > 0))
    throw new InputError(
      path,
      undefined,
      undefined,
      'no GPU pods (every row has num_gpu 0): experiment fill needs GPU pods to fill the cluster with',
      'NO_GPU_PODS',
    );
  return rows.map((r) => ({
    name: r.name,
    cpuMilli: r.cpuMilli,
    memoryMib: r.memoryMib,
    numGpu: r.numGpu,
    gpuMilli: r.gpuMilli,
    gpuSpec: r.gpuSpec,
  }));
}

/** The workload label of a pod list: its file name without `.csv`/`.csv.gz`. */
export function workloadName(podsPath: string): string {
  return basename(podsPath)
    .replace(/\.gz$/, '')
    .replace(/\.csv$/, '');
}

/** Loads each path once per thread. */
export class InputCache {
  #nodes = new Map<string, Promise<GpuNodeSpec[]>>();
  #pods = new Map<string, Promise<FillPod[]>>();

  nodes(path: string): Promise<GpuNodeSpec[]> {
    let p = this.#nodes.get(path);
    if (!p) this.#nodes.set(path, (p = loadFillNodes(path)));
    return p;
  }

  pods(path: string): Promise<FillPod[]> {
    let p = this.#pods.get(path);
    if (!p) this.#pods.set(path, (p = loadFillPods(path)));
    return p;
  }
}
