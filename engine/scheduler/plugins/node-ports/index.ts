import {
  CODE,
  SKIP,
  SUCCESS,
  type CycleState,
  type FilterOutput,
  type FilterPlugin,
  type FrameworkHandle,
  type PluginFactory,
  type PodInfo,
  type PreFilterPlugin,
  type PreFilterResult,
} from '../../framework/index.js';
import type { HostPort, NodeIndex } from '../../index/index.js';

/** Plugin name. */
export const NAME = 'NodePorts';
/** kube-scheduler's ErrReason. */
export const ERR_REASON = "node(s) didn't have free ports for the requested pod ports";

/** Whether a wanted host port conflicts with ports in use (kube-scheduler's HostPortInfo.CheckConflict). */
export function portConflicts(want: HostPort, used: readonly HostPort[]): boolean {
  if (want.port <= 0) return false;
  for (const u of used) {
    if (u.port !== want.port || u.protocol !== want.protocol) continue;
    // 0.0.0.0 binds every address, so it conflicts with any IP; otherwise only the same IP conflicts.
    if (want.hostIP === '0.0.0.0' || u.hostIP === '0.0.0.0' || u.hostIP === want.hostIP) return true;
  }
  return false;
}

/** Rejects nodes where a host port the pod wants is already in use. PreFilter skips pods without host ports. */
export class NodePorts implements PreFilterPlugin, FilterPlugin {
  readonly name = NAME;
  readonly #index: NodeIndex;
  readonly #reason: number;
  constructor(h: FrameworkHandle) {
    this.#index = h.index;
    this.#reason = h.reasons.intern(NAME, [ERR_REASON]);
  }
  preFilter(_s: CycleState, pod: PodInfo): PreFilterResult {
    return { status: pod.ports.length === 0 ? SKIP : SUCCESS };
  }
  filter(_s: CycleState, pod: PodInfo, from: number, to: number, out: FilterOutput): void {
    const want = pod.ports;
    if (want.length === 0) return;
    const used = this.#index.usedPorts;
    for (let i = from; i < to; i++) {
      if (out.code[i] !== 0) continue;
      const u = used[i]!;
      if (u.length === 0) continue;
      for (const w of want) {
        if (portConflicts(w, u)) {
          out.code[i] = CODE.Unschedulable;
          out.reason[i] = this.#reason;
          break;
        }
      }
    }
  }
}

/** Registry entry. */
export const factory: PluginFactory<undefined> = {
  name: NAME,
  points: ['preFilter', 'filter'],
  create: (_a, h) => new NodePorts(h),
};
