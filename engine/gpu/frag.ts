import type { GpuCluster } from './cluster.js';
import { DEFAULT_MILLI_CPU_REQUEST, type GpuPodSpec } from './types.js';

/** One distinct pod shape of the target workload and its probability. */
export interface TypicalPod {
  /** CPU as the artifact sees it (the request, or 100 m when none). Memory plays no part. */
  readonly cpuMilli: number;
  /** Milli per GPU; 0 for a CPU-only shape. */
  readonly gpuMilli: number;
  readonly numGpu: number;
  /** Allowed models; empty = any. */
  readonly gpuSpec: readonly string[];
  /** Share of the workload, after the popularity cut; all shapes sum to 1. */
  readonly p: number;
}

/** How the target workload is summarised (the artifact's `typicalPodsConfig`, with its experiment values). */
export interface TypicalPodsOptions {
  /** Keep the most frequent shapes until they cover this % of pods (artifact: 95). */
  readonly popularityThreshold?: number;
  /** Count CPU-only pods as part of the workload (artifact: true). */
  readonly includeCpuPods?: boolean;
}

/**
 * The target workload as the paper defines it: the distribution of distinct pod shapes (CPU, GPU milli,
 * GPU count, allowed models) of the trace, most frequent first (ties: larger shape first), cut where
 * the cumulative count first reaches `popularityThreshold`% of pods, then renormalised to sum to 1.
 */
export function typicalPods(pods: readonly GpuPodSpec[], opts: TypicalPodsOptions = {}): TypicalPod[] {
  const threshold = opts.popularityThreshold ?? 95;
  const includeCpu = opts.includeCpuPods ?? true;
  const counts = new Map<
    string,
    { cpuMilli: number; gpuMilli: number; numGpu: number; spec: string; n: number }
  >();
  let total = 0;
  for (const pod of pods) {
    if (!includeCpu && pod.numGpu === 0) continue;
    const cpuMilli = pod.cpuMilli > 0 ? pod.cpuMilli : DEFAULT_MILLI_CPU_REQUEST;
    const gpuMilli = pod.numGpu === 0 ? 0 : pod.gpuMilli;
    const spec = pod.gpuSpec.join('|');
    const key = `${cpuMilli}/${gpuMilli}/${pod.numGpu}/${spec}`;
    const e = counts.get(key);
    if (e) e.n++;
    else counts.set(key, { cpuMilli, gpuMilli, numGpu: pod.numGpu, spec, n: 1 });
    total++;
  }
  const list = [...counts.values()].sort(
    (a, b) =>
      b.n - a.n ||
      b.cpuMilli - a.cpuMilli ||
      b.gpuMilli - a.gpuMilli ||
      b.numGpu - a.numGpu ||
      (a.spec < b.spec ? 1 : a.spec > b.spec ? -1 : 0),
  );
  const expected = (threshold * total) / 100;
  let kept = 0;
  let cum = 0;
  while (kept < list.length && cum < expected) cum += list[kept++]!.n;
  return list.slice(0, kept).map((e) => ({
    cpuMilli: e.cpuMilli,
    gpuMilli: e.gpuMilli,
    numGpu: e.numGpu,
    gpuSpec: e.spec === '' ? [] : e.spec.split('|'),
    p: e.n / cum,
  }));
}

/**
 * Node fragmentation against a target workload (FGD's measure), compiled for one cluster.
 *
 * For a node with free CPU `c` and free GPU milli `f_1..f_G` (total `F`), each typical shape `s`
 * (probability `p_s`) contributes `p_s × F_s`:
 * - CPU-only shape, or a shape whose allowed models exclude the node's model: `F_s = F` (no free GPU
 *   is usable by it);
 * - otherwise, when the node can host it (`c ≥ cpu_s` and at least `n_s` GPUs with `f_g ≥ m_s`):
 *   `F_s = Σ_{g: f_g < m_s} f_g`, the GPUs too small for it;
 * - otherwise (short of CPU, of GPUs, or both): `F_s = F`.
 *
 * The constant part (CPU-only and inaccessible shapes) is folded per model into one factor.
 */
export class FragModel {
  readonly shapes: readonly TypicalPod[];
  /** Per model id: Σ p over shapes that never use that model's GPUs. */
  readonly #constant: Float64Array;
  /** Per model id: the accessible GPU shapes, as parallel arrays. */
  readonly #cpu: Int32Array[];
  /** Per model id: index of each accessible shape's GPU milli in `#levels`. */
  readonly #level: Int32Array[];
  /** Per model id: the distinct GPU milli values of its accessible shapes. */
  readonly #levels: Int32Array[];
  readonly #num: Int32Array[];
  readonly #p: Float64Array[];
  readonly #gpus: number;
  // Scratch per distinct milli level: GPUs that fit it, and free milli on GPUs too small for it.
  readonly #fit: Int32Array;
  readonly #small: Float64Array;

  constructor(cluster: GpuCluster, shapes: readonly TypicalPod[]) {
    this.shapes = shapes;
    this.#gpus = cluster.maxGpus;
    const models = cluster.models.length;
    this.#constant = new Float64Array(models);
    this.#cpu = [];
    this.#level = [];
    this.#levels = [];
    let maxLevels = 1;
    this.#num = [];
    this.#p = [];
    for (let m = 0; m < models; m++) {
      const name = cluster.models[m]!;
      const acc = shapes.filter(
        (s) => s.gpuMilli > 0 && (s.gpuSpec.length === 0 || s.gpuSpec.includes(name)),
      );
      let constant = 0;
      for (const s of shapes) if (!acc.includes(s)) constant += s.p;
      this.#constant[m] = constant;
      this.#cpu.push(Int32Array.from(acc, (s) => s.cpuMilli));
      const levels = [...new Set(acc.map((s) => s.gpuMilli))].sort((a, b) => a - b);
      maxLevels = Math.max(maxLevels, levels.length);
      this.#levels.push(Int32Array.from(levels));
      this.#level.push(Int32Array.from(acc, (s) => levels.indexOf(s.gpuMilli)));
      this.#num.push(Int32Array.from(acc, (s) => s.numGpu));
      this.#p.push(Float64Array.from(acc, (s) => s.p));
    }
    this.#fit = new Int32Array(maxLevels);
    this.#small = new Float64Array(maxLevels);
  }

  /**
   * Fragmentation (expected unusable GPU milli) of a node of model `model` with free CPU `cpuFree`
   * and the `count` free-milli values at `gpuFree[offset..offset+count)`. No allocation.
   */
  fragOf(model: number, cpuFree: number, gpuFree: Int32Array, offset: number, count: number): number {
    if (count === 0 || model < 0) return 0;
    let total = 0;
    for (let g = 0; g < count; g++) total += gpuFree[offset + g]!;
    if (total === 0) return 0;
    let frag = total * this.#constant[model]!;
    const cpu = this.#cpu[model]!;
    const level = this.#level[model]!;
    const levels = this.#levels[model]!;
    const num = this.#num[model]!;
    const p = this.#p[model]!;
    const fitAt = this.#fit;
    const smallAt = this.#small;
    for (let l = 0; l < levels.length; l++) {
      const m = levels[l]!;
      let fit = 0;
      let small = 0;
      for (let g = 0; g < count; g++) {
        const f = gpuFree[offset + g]!;
        if (f >= m) fit++;
        else small += f;
      }
      fitAt[l] = fit;
      smallAt[l] = small;
    }
    for (let s = 0; s < cpu.length; s++) {
      const l = level[s]!;
      frag += p[s]! * (cpuFree >= cpu[s]! && fitAt[l]! >= num[s]! ? smallAt[l]! : total);
    }
    return frag;
  }

  /** Current fragmentation of `node` of `cluster`. */
  nodeFrag(cluster: GpuCluster, node: number): number {
    return this.fragOf(
      cluster.modelId[node]!,
      cluster.cpuFree[node]!,
      cluster.gpuFree,
      node * this.#gpus,
      cluster.gpuCount[node]!,
    );
  }
}
