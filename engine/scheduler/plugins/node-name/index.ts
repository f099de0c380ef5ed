import {
  CODE,
  type FilterOutput,
  type FilterPlugin,
  type FrameworkHandle,
  type PluginFactory,
  type PodInfo,
} from '../../framework/index.js';
import type { NodeIndex } from '../../index/index.js';

/** Plugin name. */
export const NAME = 'NodeName';
/** kube-scheduler's ErrReason. */
export const ERR_REASON = "node(s) didn't match the requested node name";

/** Rejects every node but `spec.nodeName` when the pod names one. */
export class NodeName implements FilterPlugin {
  readonly name = NAME;
  readonly #index: NodeIndex;
  readonly #reason: number;
  constructor(h: FrameworkHandle) {
    this.#index = h.index;
    this.#reason = h.reasons.intern(NAME, [ERR_REASON]);
  }
  filter(_s: unknown, pod: PodInfo, from: number, to: number, out: FilterOutput): void {
    const want = pod.pod.spec?.nodeName;
    if (!want) return;
    const names = this.#index.names;
    for (let i = from; i < to; i++) {
      if (out.code[i] !== 0 || names[i] === want) continue;
      out.code[i] = CODE.UnschedulableAndUnresolvable;
      out.reason[i] = this.#reason;
    }
  }
}

/** Registry entry. */
export const factory: PluginFactory<undefined> = {
  name: NAME,
  points: ['filter'],
  create: (_a, h) => new NodeName(h),
};
