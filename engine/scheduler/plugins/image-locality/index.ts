import {
  MAX_NODE_SCORE,
  type CycleState,
  type FrameworkHandle,
  type PluginFactory,
  type PodInfo,
  type ScorePlugin,
} from '../../framework/index.js';
import type { NodeIndex } from '../../index/index.js';

/** Plugin name. */
export const NAME = 'ImageLocality';

const MB = 1024 * 1024;
/** Below this sum a node scores 0 (23 MB). */
export const MIN_THRESHOLD = 23 * MB;
/** Per container, above this sum a node scores 100 (1000 MB). */
export const MAX_CONTAINER_THRESHOLD = 1000 * MB;

/** Appends `:latest` to an image reference without a tag or digest (kube-scheduler's normalizedImageName). */
export function normalizedImageName(name: string): string {
  if (name.lastIndexOf(':') <= name.lastIndexOf('/')) return `${name}:latest`;
  return name;
}

/** Maps the summed image score to 0..100 between the thresholds (integer arithmetic). */
export function calculatePriority(sumScores: number, numContainers: number): number {
  const maxThreshold = MAX_CONTAINER_THRESHOLD * numContainers;
  if (sumScores < MIN_THRESHOLD) sumScores = MIN_THRESHOLD;
  else if (sumScores > maxThreshold) sumScores = maxThreshold;
  if (maxThreshold === MIN_THRESHOLD) return 0;
  return Math.trunc((MAX_NODE_SCORE * (sumScores - MIN_THRESHOLD)) / (maxThreshold - MIN_THRESHOLD));
}

/**
 * Favors nodes that already hold the pod's images: Σ over init and regular containers of
 * `size × (nodes having the image / all nodes)` (truncated per image), mapped by {@link calculatePriority}.
 */
export class ImageLocality implements ScorePlugin {
  readonly name = NAME;
  readonly #idx: NodeIndex;
  constructor(h: FrameworkHandle) {
    this.#idx = h.index;
  }
  score(_s: CycleState, pod: PodInfo, nodes: Int32Array, count: number, out: Float64Array): void {
    const spec = pod.pod.spec;
    const idx = this.#idx;
    const containers = spec?.initContainers?.length
      ? [...spec.initContainers, ...(spec.containers ?? [])]
      : (spec?.containers ?? []);
    if (idx.imageCount === 0) {
      // No node lists any image: every node scores calculatePriority(0, n) (the case below, without
      // normalizing names every cycle).
      out.fill(calculatePriority(0, containers.length), 0, count);
      return;
    }
    const images = containers.map((c) => normalizedImageName(c.image ?? ''));
    const total = idx.count;
    const spread = images.map((n) => idx.imageNodeCount(n) / total);
    if (spread.every((x) => x === 0)) {
      // No node has any of the images: every node scores calculatePriority(0, n).
      out.fill(calculatePriority(0, images.length), 0, count);
      return;
    }
    for (let j = 0; j < count; j++) {
      const have = idx.images[nodes[j]!]!;
      let sum = 0;
      if (have.size > 0) {
        for (let k = 0; k < images.length; k++) {
          const size = have.get(images[k]!);
          if (size !== undefined) sum += Math.trunc(size * spread[k]!);
        }
      }
      out[j] = calculatePriority(sum, images.length);
    }
  }
}

/** Registry entry. */
export const factory: PluginFactory<undefined> = {
  name: NAME,
  points: ['score'],
  create: (_a, h) => new ImageLocality(h),
};
