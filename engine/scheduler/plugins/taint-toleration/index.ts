import type { Taint, Toleration } from '../../../api/types.js';
import {
  CODE,
  MAX_NODE_SCORE,
  SUCCESS,
  defaultNormalizeScore,
  type CycleState,
  type FilterOutput,
  type FilterPlugin,
  type FrameworkHandle,
  type PluginFactory,
  type PodInfo,
  type PreScorePlugin,
  type ScorePlugin,
  type Status,
} from '../../framework/index.js';
import type { NodeIndex } from '../../index/index.js';

/** Plugin name. */
export const NAME = 'TaintToleration';

/** Whether one toleration tolerates one taint (`v1.Toleration.ToleratesTaint`). */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/** Whether any of `tolerations` tolerates `taint`. */
export function tolerationsTolerateTaint(tolerations: readonly Toleration[], taint: Taint): boolean {
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}

const PRESCORE_KEY = 'PreScore' + NAME;

/**
 * Filter: rejects nodes with an untolerated NoSchedule/NoExecute taint (UnschedulableAndUnresolvable,
 * naming the first such taint). Score: counts untolerated PreferNoSchedule taints; normalized in reverse
 * so the node with the fewest gets 100.
 */
export class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  readonly #h: FrameworkHandle;
  readonly #index: NodeIndex;
  // Per-pod memo of "taint id is untolerated (hard)": 0 unknown, 1 tolerated, 2 untolerated.
  #memoPod: PodInfo | undefined;
  #memo = new Int8Array(0);
  readonly #reasonByTaint = new Map<number, number>();

  constructor(h: FrameworkHandle) {
    this.#h = h;
    this.#index = h.index;
  }

  filter(_s: CycleState, pod: PodInfo, from: number, to: number, out: FilterOutput): void {
    const idx = this.#index;
    if (idx.taintedNodes === 0) return; // no node has a taint to tolerate
    // Verdicts are per pod: a new pod forgets them, reusing the array while it is large enough.
    if (this.#memo.length < idx.taintTable.size) {
      this.#memoPod = pod;
      this.#memo = new Int8Array(Math.max(16, idx.taintTable.size * 2));
    } else if (this.#memoPod !== pod) {
      this.#memoPod = pod;
      this.#memo.fill(0);
    }
    const memo = this.#memo;
    const tolerations = pod.pod.spec?.tolerations ?? [];
    for (let i = from; i < to; i++) {
      if (out.code[i] !== 0) continue;
      const ids = idx.nodeTaints[i]!;
      for (let k = 0; k < ids.length; k++) {
        const id = ids[k]!;
        let m = memo[id]!;
        if (m === 0) {
          const taint = idx.taints[id]!;
          const hard = taint.effect === 'NoSchedule' || taint.effect === 'NoExecute';
          m = hard && !tolerationsTolerateTaint(tolerations, taint) ? 2 : 1;
          memo[id] = m;
        }
        if (m === 2) {
          out.code[i] = CODE.UnschedulableAndUnresolvable;
          out.reason[i] = this.#reasonFor(id);
          break;
        }
      }
    }
  }

  #reasonFor(taintId: number): number {
    let r = this.#reasonByTaint.get(taintId);
    if (r === undefined) {
      const t = this.#index.taints[taintId]!;
      r = this.#h.reasons.intern(NAME, [`node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`]);
      this.#reasonByTaint.set(taintId, r);
    }
    return r;
  }

  preScore(state: CycleState, pod: PodInfo): Status {
    // Only tolerations that can match PreferNoSchedule taints matter for scoring.
    const tols = (pod.pod.spec?.tolerations ?? []).filter(
      (t) => !t.effect || t.effect === 'PreferNoSchedule',
    );
    state.write(PRESCORE_KEY, tols);
    return SUCCESS;
  }

  score(state: CycleState, _pod: PodInfo, nodes: Int32Array, count: number, out: Float64Array): void {
    const tols = state.read<Toleration[]>(PRESCORE_KEY) ?? [];
    const idx = this.#index;
    if (idx.taintedNodes === 0) {
      out.fill(0, 0, count); // no taints: every node counts 0 (normalized to 100 each)
      return;
    }
    for (let j = 0; j < count; j++) {
      const ids = idx.nodeTaints[nodes[j]!]!;
      let n = 0;
      for (let k = 0; k < ids.length; k++) {
        const taint = idx.taints[ids[k]!]!;
        if (taint.effect === 'PreferNoSchedule' && !tolerationsTolerateTaint(tols, taint)) n++;
      }
      out[j] = n;
    }
  }

  normalizeScore(_s: CycleState, _p: PodInfo, scores: Float64Array, count: number): void {
    // Every count 0 (no taints): reversed, every node gets the maximum, as defaultNormalizeScore gives.
    if (this.#index.taintedNodes === 0) scores.fill(MAX_NODE_SCORE, 0, count);
    else defaultNormalizeScore(scores, count, true);
  }
}

/** Registry entry. */
export const factory: PluginFactory<undefined> = {
  name: NAME,
  points: ['filter', 'preScore', 'score'],
  create: (_a, h) => new TaintToleration(h),
};
