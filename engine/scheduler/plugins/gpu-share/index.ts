/**
 * GpuShare: device-level GPU sharing as a scheduler plugin (PreFilter + Filter). A sharing pod
 * (one GPU, less than 1000 milli) must fit on ONE GPU of the node; a pod of whole GPUs needs that many
 * wholly free GPUs; a pod restricted to GPU models (`kreplay.io/gpu-spec`) needs a node of one of
 * them. Pods without GPU demand skip it. See docs/gpu-policies.md "As scheduler plugins".
 */
import type { Pod } from '../../../api/types.js';
import type { GpuPodRequest } from '../../../gpu/index.js';
import {
  CODE,
  SKIP,
  SUCCESS,
  unresolvable,
  type CycleState,
  type FilterOutput,
  type FilterPlugin,
  type FrameworkHandle,
  type PluginFactory,
  type PodInfo,
  type PreFilterPlugin,
  type PreFilterResult,
} from '../../framework/index.js';
import type { Scheduler } from '../../scheduler.js';
import { maskToGpus } from './demand.js';
import { gpuShareState, type GpuShareState } from './state.js';

export * from './demand.js';
export { GpuShareState, gpuShareState } from './state.js';

/** Plugin name. */
export const NAME = 'GpuShare';
/** Reason: the node has no GPU device. */
export const ERR_NO_GPU = 'node(s) had no GPU devices';
/** Reason: the node's GPU model is not one the pod allows. */
export const ERR_MODEL = "node(s) didn't have an allowed GPU model";
/** Reason: the node has fewer GPUs than the pod wants, even when idle. */
export const ERR_TOO_FEW = 'node(s) had too few GPU devices';
/** Reason: a pod of whole GPUs, not enough wholly free GPUs now. */
export const ERR_INSUFFICIENT = 'Insufficient GPU devices';
/** Reason: a sharing pod, no single GPU with that much free milli now. */
export const ERR_NO_SHARE = 'no GPU with enough free share';

const STATE_KEY = 'PreFilterGpuShare';

/** What PreFilter leaves for Filter (and for the GPU policy plugins). */
export interface GpuCycleDemand {
  /** Compiled against the model of generation `generation`. */
  readonly req: GpuPodRequest;
  readonly generation: number;
}

/**
 * The pod's compiled GPU demand for this cycle: PreFilter's when present and current, else computed.
 * Undefined when the demand cannot be read.
 */
export function cycleDemand(
  state: CycleState,
  pod: PodInfo,
  shared: GpuShareState,
): GpuPodRequest | undefined {
  const gen = shared.generation;
  const cached = state.read<GpuCycleDemand>(STATE_KEY);
  if (cached && cached.generation === gen) return cached.req;
  const d = shared.demandOf(pod.pod, pod.resources);
  if (!d.ok) return undefined;
  const req = shared.request(d.spec);
  state.write(STATE_KEY, { req, generation: gen } satisfies GpuCycleDemand);
  return req;
}

/**
 * Implemented by the GPU policy score plugins: which devices of node `slot` the policy gives `pod`
 * (bit g = GPU g; 0 when it does not fit). Used by {@link gpuAssignment}.
 */
export interface GpuDeviceChooser {
  readonly gpuDeviceChooser: true;
  chooseGpus(pod: Pod, req: GpuPodRequest, slot: number): number;
}

function isChooser(p: unknown): p is GpuDeviceChooser {
  return typeof p === 'object' && p !== null && (p as Partial<GpuDeviceChooser>).gpuDeviceChooser === true;
}

/** GpuShare: see the module comment. */
export class GpuShare implements PreFilterPlugin, FilterPlugin {
  readonly name = NAME;
  readonly #shared: GpuShareState;
  readonly #noGpu: number;
  readonly #model: number;
  readonly #tooFew: number;
  readonly #insufficient: number;
  readonly #noShare: number;

  constructor(h: FrameworkHandle) {
    this.#shared = gpuShareState(h.index);
    this.#noGpu = h.reasons.intern(NAME, [ERR_NO_GPU]);
    this.#model = h.reasons.intern(NAME, [ERR_MODEL]);
    this.#tooFew = h.reasons.intern(NAME, [ERR_TOO_FEW]);
    this.#insufficient = h.reasons.intern(NAME, [ERR_INSUFFICIENT]);
    this.#noShare = h.reasons.intern(NAME, [ERR_NO_SHARE]);
  }

  /** Reads the pod's GPU demand; Skip for a pod without any, a rejection for an unreadable one. */
  preFilter(state: CycleState, pod: PodInfo): PreFilterResult {
    // Most pods of most traces ask for no GPU: skip them before compiling (and remembering) a demand.
    if (!this.#shared.asksForGpu(pod.pod, pod.resources)) return { status: SKIP };
    const d = this.#shared.demandOf(pod.pod, pod.resources);
    if (!d.ok) return { status: unresolvable(NAME, d.error) };
    if (d.spec.numGpu === 0) return { status: SKIP };
    cycleDemand(state, pod, this.#shared);
    return { status: SUCCESS };
  }

  filter(state: CycleState, pod: PodInfo, from: number, to: number, out: FilterOutput): void {
    const req = cycleDemand(state, pod, this.#shared);
    if (!req || req.numGpu === 0) return;
    const c = this.#shared.cluster;
    const { code, reason } = out;
    for (let i = from; i < to; i++) {
      if (code[i] !== 0) continue;
      const g = i < c.size ? c.gpuCount[i]! : 0;
      const model = i < c.size ? c.modelId[i]! : -1;
      if (g === 0 || model < 0) {
        code[i] = CODE.UnschedulableAndUnresolvable;
        reason[i] = this.#noGpu;
      } else if ((req.modelMask & (1 << model)) === 0) {
        code[i] = CODE.UnschedulableAndUnresolvable;
        reason[i] = this.#model;
      } else if (req.numGpu > g) {
        code[i] = CODE.UnschedulableAndUnresolvable;
        reason[i] = this.#tooFew;
      } else if (req.sharing) {
        if (c.maxGpuFree[i]! < req.gpuMilli) {
          code[i] = CODE.Unschedulable;
          reason[i] = this.#noShare;
        }
      } else if (c.fullyFreeGpus[i]! < req.numGpu) {
        code[i] = CODE.Unschedulable;
        reason[i] = this.#insufficient;
      }
    }
  }
}

/** Registry entry (no args). */
export const factory: PluginFactory<undefined> = {
  name: NAME,
  points: ['preFilter', 'filter'],
  create: (_a, h) => new GpuShare(h),
};

/**
 * The GPU indexes (ascending) that `pod` gets on `nodeName`, as the pod's profile decides them: its
 * GPU policy score plugin's choice (the highest-weighted one when several are enabled), or first fit
 * when the profile has none. Undefined when the pod asks no GPU, the node is unknown, or the pod does
 * not fit there. Deterministic; reads the state before the bind, so call it before `addPod`.
 */
export function gpuAssignment(scheduler: Scheduler, pod: Pod, nodeName: string): number[] | undefined {
  const idx = scheduler.index;
  const slot = idx.slotOf(nodeName);
  if (slot < 0) return undefined;
  const shared = gpuShareState(idx);
  const resources = idx.podResources(pod);
  if (!shared.asksForGpu(pod, resources)) return undefined;
  const d = shared.demandOf(pod, resources);
  if (!d.ok || d.spec.numGpu === 0) return undefined;
  const req = shared.request(d.spec);
  const fw = scheduler.framework(pod.spec?.schedulerName || 'default-scheduler');
  let chooser: GpuDeviceChooser | undefined;
  let weight = -1;
  if (fw) {
    fw.scorePlugins.forEach((p, i) => {
      const w = fw.scoreWeights[i]!;
      if (isChooser(p) && w > weight) {
        chooser = p;
        weight = w;
      }
    });
  }
  const c = shared.cluster;
  const model = c.modelId[slot]!;
  if (model < 0 || (req.modelMask & (1 << model)) === 0) return undefined;
  const mask = chooser ? chooser.chooseGpus(pod, req, slot) : shared.firstFit(slot, req);
  return mask !== 0 && shared.fits(slot, req, mask) ? maskToGpus(mask) : undefined;
}
