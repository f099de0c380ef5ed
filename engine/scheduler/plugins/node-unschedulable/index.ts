import type { Taint } from '../../../api/types.js';
import {
  CODE,
  type FilterOutput,
  type FilterPlugin,
  type FrameworkHandle,
  type PluginFactory,
  type PodInfo,
} from '../../framework/index.js';
import type { NodeIndex } from '../../index/index.js';
import { tolerationsTolerateTaint } from '../taint-toleration/index.js';

/** Plugin name. */
export const NAME = 'NodeUnschedulable';
/** kube-scheduler's ErrReasonUnschedulable. */
export const ERR_REASON = 'node(s) were unschedulable';

const UNSCHEDULABLE_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

/** Rejects cordoned nodes (`spec.unschedulable`) unless the pod tolerates the unschedulable taint. */
export class NodeUnschedulable implements FilterPlugin {
  readonly name = NAME;
  readonly #index: NodeIndex;
  readonly #reason: number;
  constructor(h: FrameworkHandle) {
    this.#index = h.index;
    this.#reason = h.reasons.intern(NAME, [ERR_REASON]);
  }
  filter(_s: unknown, pod: PodInfo, from: number, to: number, out: FilterOutput): void {
    if (this.#index.unschedulableNodes === 0) return; // nothing cordoned
    const uns = this.#index.unschedulable;
    let tolerated: boolean | undefined;
    for (let i = from; i < to; i++) {
      if (out.code[i] !== 0 || uns[i] === 0) continue;
      tolerated ??= tolerationsTolerateTaint(pod.pod.spec?.tolerations ?? [], UNSCHEDULABLE_TAINT);
      if (tolerated) return;
      out.code[i] = CODE.UnschedulableAndUnresolvable;
      out.reason[i] = this.#reason;
    }
  }
}

/** Registry entry. */
export const factory: PluginFactory<undefined> = {
  name: NAME,
  points: ['filter'],
  create: (_a, h) => new NodeUnschedulable(h),
};
