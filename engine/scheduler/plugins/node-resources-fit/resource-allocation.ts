import { isExtendedResourceName } from '../../../api/resource-names.js';
import { pluginArgs, type ArgsReader, type PodInfo } from '../../framework/index.js';
import { RES_CPU, RES_EPHEMERAL_STORAGE, RES_MEMORY, type NodeIndex } from '../../index/index.js';

/**
 * Shared resource-scoring machinery of NodeResourcesFit and NodeResourcesBalancedAllocation
 * (kube-scheduler's `resourceAllocationScorer`): per configured resource, the node's allocatable and
 * its requested amount including the incoming pod.
 */

/** A `resources[]` entry of the args. */
export interface ResourceSpec {
  readonly name: string;
  readonly weight: number;
}

/** The default `resources` of both plugins: cpu and memory, weight 1. */
export const DEFAULT_RESOURCES: readonly ResourceSpec[] = [
  { name: 'cpu', weight: 1 },
  { name: 'memory', weight: 1 },
];

/** kube-scheduler's IsExtendedResourceName; defined with the API's other resource-name rules. */
export { isExtendedResourceName };

/** kube-scheduler's IsScalarResourceName: extended, hugepages-*, prefixed native, attachable-volumes-*. */
export function isScalarResourceName(name: string): boolean {
  return (
    isExtendedResourceName(name) ||
    name.startsWith('hugepages-') ||
    name.includes('kubernetes.io/') ||
    name.startsWith('attachable-volumes-')
  );
}

/** Validates a `resources` list (weights 1..100, names non-empty). */
export function parseResources(a: ArgsReader, field: string, v: unknown): ResourceSpec[] {
  if (v === undefined || v === null) return [...DEFAULT_RESOURCES];
  if (!Array.isArray(v)) a.fail(field, 'must be a list');
  const seen = new Set<string>();
  return (v as unknown[]).map((r, i) => {
    const e = r as { name?: unknown; weight?: unknown };
    if (typeof e?.name !== 'string' || e.name === '')
      a.fail(`${field}[${i}].name`, 'must be a non-empty resource name');
    if (seen.has(e.name as string))
      a.fail(`${field}[${i}].name`, `duplicate resource ${JSON.stringify(e.name)}`);
    seen.add(e.name as string);
    const w = e.weight ?? 1;
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 1 || w > 100) {
      a.fail(`${field}[${i}].weight`, `resource weight of ${String(e.name)} not in valid range [1, 100]`);
    }
    return { name: e.name as string, weight: w as number };
  });
}

/** Re-exported so plugins validate args the same way. */
export { pluginArgs };

/**
 * Per cycle: the pod's request per configured resource and the resource ids, so that a node's
 * (allocatable, requested) pair is two column reads.
 */
export class ResourceVector {
  readonly ids: Int32Array;
  readonly podRequest: Float64Array;
  readonly weights: Float64Array;
  /** 1 when the resource is skipped for this pod (extended resource the pod does not request, or unknown kind). */
  readonly skip: Uint8Array;
  readonly alloc: Float64Array;
  readonly req: Float64Array;
  /** Per resource: the node index's allocatable column (refreshed by `prepare`). */
  allocCols: Float64Array[] = [];
  /** Per resource: the node index's requested column to add the pod's request to (non-zero or actual). */
  reqCols: Float64Array[] = [];

  constructor(
    readonly resources: readonly ResourceSpec[],
    readonly useRequested: boolean,
  ) {
    const n = resources.length;
    this.ids = new Int32Array(n);
    this.podRequest = new Float64Array(n);
    this.weights = Float64Array.from(resources.map((r) => r.weight));
    this.skip = new Uint8Array(n);
    this.alloc = new Float64Array(n);
    this.req = new Float64Array(n);
  }

  /** Computes the pod's requests for the configured resources (non-zero defaults unless `useRequested`). */
  prepare(idx: NodeIndex, pod: PodInfo): void {
    const r = pod.resources;
    // Written by index, not emptied and pushed: emptying an array frees its storage, and this runs
    // twice per plugin per cycle.
    this.allocCols.length = this.resources.length;
    this.reqCols.length = this.resources.length;
    for (let i = 0; i < this.resources.length; i++) {
      const name = this.resources[i]!.name;
      const id = idx.resourceId(name);
      this.ids[i] = id;
      let amount = 0;
      if (id === RES_CPU) amount = this.useRequested ? r.milliCpu : r.nonZeroMilliCpu;
      else if (id === RES_MEMORY) amount = this.useRequested ? r.memoryBytes : r.nonZeroMemoryBytes;
      else for (let k = 0; k < r.ids.length; k++) if (r.ids[k] === id) amount = r.amounts[k]!;
      this.podRequest[i] = amount;
      const scalar = isScalarResourceName(name);
      // kube-scheduler scores only cpu, memory, ephemeral-storage and scalar resources the pod requests.
      this.allocCols[i] = idx.allocatable[id]!;
      this.reqCols[i] =
        id === RES_CPU && !this.useRequested
          ? idx.nonZeroMilliCpu
          : id === RES_MEMORY && !this.useRequested
            ? idx.nonZeroMemoryBytes
            : idx.requested[id]!;
      this.skip[i] =
        (scalar && amount === 0) ||
        (!scalar && id !== RES_CPU && id !== RES_MEMORY && id !== RES_EPHEMERAL_STORAGE)
          ? 1
          : 0;
    }
  }

  /** Fills `alloc`/`req` for a node slot (alloc 0 = resource left out of the score). */
  load(idx: NodeIndex, slot: number): void {
    for (let i = 0; i < this.ids.length; i++) {
      if (this.skip[i]) {
        this.alloc[i] = 0;
        this.req[i] = 0;
        continue;
      }
      const id = this.ids[i]!;
      let nodeReq: number;
      if (id === RES_CPU && !this.useRequested) nodeReq = idx.nonZeroMilliCpu[slot]!;
      else if (id === RES_MEMORY && !this.useRequested) nodeReq = idx.nonZeroMemoryBytes[slot]!;
      else nodeReq = idx.requested[id]![slot]!;
      this.alloc[i] = idx.allocatable[id]![slot]!;
      this.req[i] = nodeReq + this.podRequest[i]!;
    }
  }
}
