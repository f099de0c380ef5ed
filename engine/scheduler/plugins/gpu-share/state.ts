import type { Pod } from '../../../api/types.js';
import {
  exclusiveGpus,
  GPU_MILLI,
  GpuCluster,
  type GpuNodeSpec,
  type GpuPodRequest,
  type GpuPodSpec,
} from '../../../gpu/index.js';
import {
  RES_CPU,
  RES_MEMORY,
  type IndexedPod,
  type NodeIndex,
  type PodResources,
} from '../../index/index.js';
import {
  ANN_GPU_ASSIGNED,
  ANN_GPU_COUNT,
  ANN_GPU_MILLI_PER_GPU,
  LABEL_GPU_MODEL,
  MAX_GPUS_PER_NODE,
  parseAssigned,
  podGpuDemand,
  RESOURCE_GPU_MILLI,
  RESOURCE_NVIDIA_GPU,
  type GpuDemand,
} from './demand.js';

const MIB = 1024 * 1024;

/** What one bound pod holds in the device model. */
interface Held {
  /** The request as bound (its GPU part dropped when no device could be assigned). */
  readonly req: GpuPodRequest;
  readonly mask: number;
  /** The pod's demand, to recompile `req` after a rebuild. */
  readonly spec: GpuPodSpec;
}

/**
 * The device-level GPU state of one scheduler's node index, shared by GpuShare and the GPU policy
 * plugins of every profile: an `engine/gpu` GpuCluster over the index's node slots (free CPU and
 * memory, GPU count and model, free milli per GPU), kept current through `index.subscribe`.
 *
 * - Node columns come from the node's allocatable (`nvidia.com/gpu`, else `kreplay.io/gpu-milli` /
 *   1000; at most 32 devices) and its `kreplay.io/gpu-model` label. A node add/update that changes
 *   them (or a removal) marks the model stale; it is rebuilt — every bound pod re-applied on the
 *   devices it held — at the next read. Pod adds and removes are applied in place.
 * - A bound pod holds the devices of its `kreplay.io/gpu-assigned` annotation when they have room;
 *   otherwise (no annotation, e.g. created bound in a manifest) the same devices as when preemption's
 *   what-if last removed the same pod object, else the **first fit**: the lowest-index GPU with room
 *   (a sharing pod) or the lowest-index wholly free GPUs. A pod that fits on no device (over-committed
 *   by a profile without GpuShare) holds CPU and memory only and is counted in `unassignedPods`.
 */
export class GpuShareState {
  readonly index: NodeIndex;
  #cluster: GpuCluster | undefined;
  #dirty = true;
  #generation = 0;
  // Node columns per slot, as last seen (what the model is built from).
  readonly #gpus: number[] = [];
  readonly #model: string[] = [];
  readonly #cpu: number[] = [];
  readonly #mem: number[] = [];
  readonly #held = new Map<IndexedPod, Held>();
  readonly #sticky = new WeakMap<Pod, { readonly node: string; readonly mask: number }>();
  readonly #demand = new WeakMap<Pod, GpuDemand>();
  #unassigned = 0;

  constructor(index: NodeIndex) {
    this.index = index;
    for (let s = 0; s < index.size; s++) this.#readNode(s);
    index.subscribe({
      podAdded: (p) => this.#podAdded(p),
      podRemoved: (p) => this.#podRemoved(p),
      nodeChanged: (slot, removed) => this.#nodeChanged(slot, removed),
    });
  }

  /** The device model, rebuilt first when nodes changed since the last read. */
  get cluster(): GpuCluster {
    if (this.#dirty || !this.#cluster) this.#rebuild();
    return this.#cluster!;
  }

  /** Bumped on every rebuild: consumers drop what they cached against the previous GpuCluster. */
  get generation(): number {
    if (this.#dirty) this.#rebuild();
    return this.#generation;
  }

  /** Bound pods with GPU demand that hold no device (over-committed). */
  get unassignedPods(): number {
    if (this.#dirty) this.#rebuild();
    return this.#unassigned;
  }

  /** A pod's GPU demand (cached per pod object). */
  demandOf(pod: Pod, resources: PodResources): GpuDemand {
    let d = this.#demand.get(pod);
    if (!d) {
      const r = this.index.resources;
      d = podGpuDemand(pod, resources, r.get(RESOURCE_GPU_MILLI), r.get(RESOURCE_NVIDIA_GPU));
      this.#demand.set(pod, d);
    }
    return d;
  }

  /**
   * Whether the pod asks for GPUs in any form `podGpuDemand` reads (the count / milli annotations, a
   * GPU resource). When it does not, its demand is no GPU at all: callers may skip compiling it.
   */
  asksForGpu(pod: Pod, resources: PodResources): boolean {
    const ann = pod.metadata?.annotations;
    if (ann && (ann[ANN_GPU_COUNT] !== undefined || ann[ANN_GPU_MILLI_PER_GPU] !== undefined)) return true;
    const r = this.index.resources;
    const milli = r.get(RESOURCE_GPU_MILLI);
    const nvidia = r.get(RESOURCE_NVIDIA_GPU);
    for (let i = 0; i < resources.ids.length; i++) {
      const id = resources.ids[i];
      if ((id === milli || id === nvidia) && resources.amounts[i]! > 0) return true;
    }
    return false;
  }

  /** `spec` compiled against the current model's GPU model table. */
  request(spec: GpuPodSpec): GpuPodRequest {
    return this.cluster.request(spec);
  }

  /** The devices a bound pod holds (`namespace/name`), ascending; undefined when none. */
  devicesOf(key: string): number[] | undefined {
    const p = this.index.getPod(key);
    if (this.#dirty) this.#rebuild();
    const h = p ? this.#held.get(p) : undefined;
    if (!h || h.mask === 0) return undefined;
    const out: number[] = [];
    for (let g = 0; g < MAX_GPUS_PER_NODE; g++) if ((h.mask & (1 << g)) !== 0) out.push(g);
    return out;
  }

  /**
   * First fit of `req` on `slot`: the lowest-index GPU with room (sharing pod) or the lowest-index
   * wholly free GPUs; 0 when it does not fit (or asks no GPU).
   */
  firstFit(slot: number, req: GpuPodRequest): number {
    const c = this.cluster;
    if (req.numGpu === 0 || slot >= c.size) return 0;
    if (!req.sharing) return exclusiveGpus(c, slot, req.numGpu);
    const base = slot * c.maxGpus;
    for (let g = 0; g < c.gpuCount[slot]!; g++) if (c.gpuFree[base + g]! >= req.gpuMilli) return 1 << g;
    return 0;
  }

  /** True when `mask` names exactly `req.numGpu` existing devices of `slot`, each with room. */
  fits(slot: number, req: GpuPodRequest, mask: number): boolean {
    const c = this.cluster;
    const g = c.gpuCount[slot]!;
    if (mask === 0 || (g < 32 && mask >>> g !== 0)) return false;
    const base = slot * c.maxGpus;
    let n = 0;
    for (let i = 0; i < g; i++) {
      if ((mask & (1 << i)) === 0) continue;
      if (c.gpuFree[base + i]! < req.gpuMilli) return false;
      n++;
    }
    return n === req.numGpu;
  }

  #readNode(slot: number): boolean {
    const idx = this.index;
    let gpus = 0;
    let model = '';
    let cpu = 0;
    let mem = 0;
    if (idx.live[slot]) {
      const nv = idx.resources.get(RESOURCE_NVIDIA_GPU);
      const gm = idx.resources.get(RESOURCE_GPU_MILLI);
      const nvCount = nv >= 0 ? idx.allocatable[nv]![slot]! : 0;
      gpus = nvCount > 0 ? nvCount : gm >= 0 ? idx.allocatable[gm]![slot]! / GPU_MILLI : 0;
      gpus = Math.min(MAX_GPUS_PER_NODE, Math.max(0, Math.floor(gpus)));
      model = gpus > 0 ? (idx.labelOf(slot, LABEL_GPU_MODEL) ?? '') : '';
      cpu = Math.floor(idx.allocatable[RES_CPU]![slot]!);
      mem = Math.floor(idx.allocatable[RES_MEMORY]![slot]! / MIB);
    }
    const changed =
      this.#gpus[slot] !== gpus ||
      this.#model[slot] !== model ||
      this.#cpu[slot] !== cpu ||
      this.#mem[slot] !== mem;
    this.#gpus[slot] = gpus;
    this.#model[slot] = model;
    this.#cpu[slot] = cpu;
    this.#mem[slot] = mem;
    return changed;
  }

  #nodeChanged(slot: number, removed: boolean): void {
    if (removed) {
      // The node's pods are removed next (podRemoved); the slot becomes empty.
      this.#gpus[slot] = 0;
      this.#model[slot] = '';
      this.#cpu[slot] = 0;
      this.#mem[slot] = 0;
      this.#dirty = true;
      return;
    }
    if (this.#readNode(slot)) this.#dirty = true;
  }

  #specOf(p: IndexedPod): GpuPodSpec {
    const d = this.demandOf(p.pod, p.resources);
    // A pod whose demand cannot be read holds CPU and memory only (GpuShare keeps such pods out).
    return d.ok
      ? d.spec
      : {
          cpuMilli: Math.ceil(p.resources.milliCpu),
          memoryMib: Math.ceil(p.resources.memoryBytes / MIB),
          numGpu: 0,
          gpuMilli: 0,
          gpuSpec: [],
        };
  }

  /** The devices a pod takes when bound now: annotation, then preemption's memory, then first fit. */
  #choose(p: IndexedPod, req: GpuPodRequest, known: number | undefined): number {
    if (req.numGpu === 0) return 0;
    if (known !== undefined && this.fits(p.slot, req, known)) return known;
    const ann = parseAssigned(p.pod.metadata?.annotations?.[ANN_GPU_ASSIGNED]);
    if (ann !== undefined && this.fits(p.slot, req, ann)) return ann;
    const sticky = this.#sticky.get(p.pod);
    if (sticky && sticky.node === p.nodeName && this.fits(p.slot, req, sticky.mask)) return sticky.mask;
    return this.firstFit(p.slot, req);
  }

  #bind(p: IndexedPod, spec: GpuPodSpec, known: number | undefined): void {
    const c = this.#cluster!;
    let req = c.request(spec);
    const mask = this.#choose(p, req, known);
    if (mask === 0 && req.numGpu > 0) {
      this.#unassigned++;
      req = c.request({ ...spec, numGpu: 0, gpuMilli: 0 });
    }
    c.bind(p.slot, req, mask);
    this.#held.set(p, { req, mask, spec });
  }

  #podAdded(p: IndexedPod): void {
    if (this.#dirty || !this.#cluster || p.slot >= this.#cluster.size) {
      this.#dirty = true;
      this.#held.delete(p);
      return;
    }
    this.#bind(p, this.#specOf(p), undefined);
  }

  #podRemoved(p: IndexedPod): void {
    const h = this.#held.get(p);
    this.#held.delete(p);
    if (!h) return;
    if (h.mask !== 0) this.#sticky.set(p.pod, { node: p.nodeName, mask: h.mask });
    if (h.mask === 0 && h.spec.numGpu > 0) this.#unassigned--;
    if (!this.#dirty && this.#cluster && p.slot < this.#cluster.size)
      this.#cluster.unbind(p.slot, h.req, h.mask);
  }

  /**
   * Rebuilds the model from the node columns and re-binds every bound pod in slot order: first the
   * pods whose devices are known (held before, or annotated), then the rest by first fit.
   */
  #rebuild(): void {
    const idx = this.index;
    const specs: GpuNodeSpec[] = [];
    for (let s = 0; s < idx.size; s++) {
      if (this.#gpus[s] === undefined) this.#readNode(s);
      specs.push({
        name: idx.names[s] ?? '',
        cpuMilli: this.#cpu[s]!,
        memoryMib: this.#mem[s]!,
        gpu: this.#gpus[s]!,
        model: this.#model[s]!,
      });
    }
    const previous = new Map<IndexedPod, Held>(this.#held);
    this.#cluster = new GpuCluster(specs);
    this.#dirty = false;
    this.#generation++;
    this.#held.clear();
    this.#unassigned = 0;
    const later: IndexedPod[] = [];
    for (let s = 0; s < idx.size; s++) {
      if (!idx.live[s]) continue;
      for (const p of idx.pods[s]!) {
        const prev = previous.get(p);
        const known =
          prev && prev.mask !== 0
            ? prev.mask
            : parseAssigned(p.pod.metadata?.annotations?.[ANN_GPU_ASSIGNED]);
        if (known === undefined) later.push(p);
        else this.#bind(p, prev?.spec ?? this.#specOf(p), known);
      }
    }
    for (const p of later) this.#bind(p, this.#specOf(p), undefined);
  }
}

const STATES = new WeakMap<NodeIndex, GpuShareState>();

/** The GPU state of `index`, created (and subscribed) on first use. */
export function gpuShareState(index: NodeIndex): GpuShareState {
  let s = STATES.get(index);
  if (!s) {
    s = new GpuShareState(index);
    STATES.set(index, s);
  }
  return s;
}
