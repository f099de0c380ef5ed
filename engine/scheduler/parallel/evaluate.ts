import type { Pod } from '../../api/types.js';
import { CODE_NOT_EVALUATED, makePodInfo, type FilterOutput } from '../framework/index.js';
import { DEFAULT_SCHEDULER_NAME, type Scheduler } from '../scheduler.js';
import { STABLE_SCORE_PLUGINS } from './plugins.js';
import type { PodSpeculation } from './protocol.js';

/** Reusable per-thread buffers. */
interface Scratch {
  code: Int8Array;
  reason: Int32Array;
  feasible: Int32Array;
  scratch: Float64Array;
}

const scratch: Scratch = {
  code: new Int8Array(0),
  reason: new Int32Array(0),
  feasible: new Int32Array(0),
  scratch: new Float64Array(0),
};

function ensure(cap: number): Scratch {
  if (scratch.code.length < cap) {
    scratch.code = new Int8Array(cap);
    scratch.reason = new Int32Array(cap);
    scratch.feasible = new Int32Array(cap);
    scratch.scratch = new Float64Array(cap);
  }
  return scratch;
}

function fallback(why: string): PodSpeculation {
  return { kind: 'fallback', why };
}

/**
 * Worker side: PreFilter → Filter over every live slot → PreScore → Score/NormalizeScore for `pod`
 * against `replica` (a Scheduler whose index mirrors the owner's), without drawing random numbers,
 * moving the start index or touching the index. Paths that end in a failure, a PreFilterResult
 * narrowing, or fewer than two feasible nodes are left to the owner (fallback).
 */
export function speculatePod(replica: Scheduler, pod: Pod): PodSpeculation {
  const fw = replica.framework(pod.spec?.schedulerName || DEFAULT_SCHEDULER_NAME);
  if (!fw) return fallback('no profile');
  const idx = replica.index;
  if (idx.count === 0) return fallback('no nodes');
  const size = idx.size;
  const { code, reason, feasible, scratch: buf } = ensure(idx.capacity);
  const pi = makePodInfo(idx, pod);
  const state = fw.newCycleState();
  const pre = fw.runPreFilter(state, pi);
  if (pre.status.code !== 'Success') return fallback('prefilter');
  if (pre.nodeNames) return fallback('prefilter narrowed the nodes');
  const live = idx.live;
  const notEvaluated = CODE_NOT_EVALUATED;
  for (let i = 0; i < size; i++) {
    code[i] = live[i] ? 0 : notEvaluated;
    reason[i] = 0;
  }
  const out: FilterOutput = { code, reason };
  if (fw.filterPlugins.length > 0) fw.runFilters(state, pi, 0, size, out);
  let n = 0;
  for (let i = 0; i < size; i++) if (live[i] && code[i] === 0) feasible[n++] = i;
  if (n < 2) return fallback(n === 0 ? 'unschedulable' : 'single feasible node');
  // With every live node feasible and free slots in the index, the sequential scan stops early and
  // moves the round-robin start index: leave that case to the owner.
  if (n === idx.count && size !== idx.count) return fallback('start index would move');
  const slots = feasible.slice(0, n);
  const ps = fw.runPreScore(state, pi, slots, n);
  if (ps.code !== 'Success' && ps.code !== 'Skip') return fallback('prescore');
  const totals = new Float64Array(n);
  const stable = new Float64Array(n);
  const skip = state.skipScorePlugins;
  const scores: string[] = [];
  let nonUniformNormalized = false;
  // Same arithmetic, in the same order, as Framework.runScore.
  for (let k = 0; k < fw.scorePlugins.length; k++) {
    const p = fw.scorePlugins[k]!;
    if (skip.size > 0 && skip.has(p.name)) continue;
    scores.push(p.name);
    buf.fill(0, 0, n);
    p.score(state, pi, slots, n, buf);
    if (p.normalizeScore) {
      const first = buf[0]!;
      for (let j = 1; j < n; j++) {
        if (buf[j] !== first) {
          nonUniformNormalized = true;
          break;
        }
      }
      p.normalizeScore(state, pi, buf, n);
    }
    const w = fw.scoreWeights[k]!;
    const isStable = STABLE_SCORE_PLUGINS.has(p.name);
    for (let j = 0; j < n; j++) {
      const v = w * buf[j]!;
      totals[j]! += v;
      if (isStable) stable[j]! += v;
    }
  }
  const filters: string[] = [];
  for (const p of fw.filterPlugins) if (!state.skipFilterPlugins.has(p.name)) filters.push(p.name);
  return {
    kind: 'scored',
    size,
    count: idx.count,
    slots,
    totals,
    stable,
    filters,
    scores,
    nonUniformNormalized,
  };
}
