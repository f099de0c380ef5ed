/**
 * A small harness for the InterPodAffinity / PodTopologySpread / DefaultPreemption tests: a node index
 * with a handle, and helpers that run one plugin's PreFilter+Filter or PreScore+Score+NormalizeScore
 * over all nodes and return verdicts / scores by node name.
 */
import type { Node, Pod } from '../../../../engine/api/types.js';
import {
  CODE_NAMES,
  CycleState,
  ReasonTable,
  makePodInfo,
  type AnyPlugin,
  type FilterOutput,
  type FrameworkHandle,
  type PodInfo,
} from '../../../../engine/scheduler/framework/index.js';
import { NodeIndex } from '../../../../engine/scheduler/index/index.js';
import {
  provideClusterLookups,
  type ClusterLookups,
} from '../../../../engine/scheduler/plugins/cluster-lookups.js';

/** A cluster for plugin tests. */
export class Harness {
  readonly index = new NodeIndex();
  readonly reasons = new ReasonTable();
  /** Filter plugins run by `handle.runFilterPlugins` (set by tests of preemption). */
  filters: AnyPlugin[] = [];
  readonly handle: FrameworkHandle;

  constructor(nodes: Node[] = [], pods: Pod[] = [], lookups?: ClusterLookups) {
    const filters = (): AnyPlugin[] => this.filters;
    this.handle = {
      index: this.index,
      reasons: this.reasons,
      profileName: 'default-scheduler',
      runFilterPlugins(state, pod, from, to, out) {
        for (const f of filters())
          if (!state.skipFilterPlugins.has(f.name)) f.filter!(state, pod, from, to, out);
      },
      runPreFilterExtensionAddPod(state, pod, added) {
        for (const f of filters()) {
          if (state.skipFilterPlugins.has(f.name) || !f.preFilterExtensions) continue;
          const s = f.preFilterExtensions.addPod(state, pod, added);
          if (s.code !== 'Success') return s;
        }
        return { code: 'Success' };
      },
      runPreFilterExtensionRemovePod(state, pod, removed) {
        for (const f of filters()) {
          if (state.skipFilterPlugins.has(f.name) || !f.preFilterExtensions) continue;
          const s = f.preFilterExtensions.removePod(state, pod, removed);
          if (s.code !== 'Success') return s;
        }
        return { code: 'Success' };
      },
    };
    for (const n of nodes) this.index.addNode(n);
    for (const p of pods) this.index.addPod(p);
    if (lookups) provideClusterLookups(this.index, lookups);
  }

  podInfo(pod: Pod): PodInfo {
    return makePodInfo(this.index, pod);
  }

  /**
   * PreFilter + Filter of `plugin` for `pod` on every node: node name → 'ok', or `<Code>: <reason>`;
   * a PreFilter rejection gives `prefilter <Code>: <reason>` on every node, Skip gives 'ok'.
   */
  filter(plugin: AnyPlugin, pod: Pod, state = new CycleState()): Record<string, string> {
    const pi = this.podInfo(pod);
    const idx = this.index;
    const out: Record<string, string> = {};
    const pre = plugin.preFilter!(state, pi);
    if (pre.status.code === 'Skip') {
      for (let s = 0; s < idx.size; s++) if (idx.live[s]) out[idx.names[s]!] = 'ok';
      return out;
    }
    if (pre.status.code !== 'Success') {
      const st = pre.status;
      for (let s = 0; s < idx.size; s++)
        if (idx.live[s])
          out[idx.names[s]!] = `prefilter ${st.code}: ${'reasons' in st ? st.reasons.join(', ') : ''}`;
      return out;
    }
    const fo: FilterOutput = { code: new Int8Array(idx.size), reason: new Int32Array(idx.size) };
    plugin.filter!(state, pi, 0, idx.size, fo);
    for (let s = 0; s < idx.size; s++) {
      if (!idx.live[s]) continue;
      const c = fo.code[s]!;
      out[idx.names[s]!] =
        c === 0 ? 'ok' : `${CODE_NAMES[c]}: ${this.reasons.get(fo.reason[s]!).reasons.join(', ')}`;
    }
    return out;
  }

  /** PreScore + Score + NormalizeScore on `nodeNames` (default: all): normalized scores, or 'skip'. */
  score(
    plugin: AnyPlugin,
    pod: Pod,
    nodeNames?: string[],
    state = new CycleState(),
  ): Record<string, number> | 'skip' {
    const pi = this.podInfo(pod);
    const idx = this.index;
    const names = nodeNames ?? idx.names.filter((_, s) => idx.live[s]);
    const nodes = Int32Array.from(names.map((n) => idx.slotOf(n)));
    const st = plugin.preScore!(state, pi, nodes, nodes.length);
    if (st.code === 'Skip') return 'skip';
    if (st.code !== 'Success') throw new Error(`preScore: ${JSON.stringify(st)}`);
    const scores = new Float64Array(nodes.length);
    plugin.score!(state, pi, nodes, nodes.length, scores);
    plugin.normalizeScore?.(state, pi, scores, nodes.length);
    const out: Record<string, number> = {};
    names.forEach((n, i) => (out[n] = scores[i]!));
    return out;
  }
}
