/**
 * Device-level GPU model and the six placement policies of the ATC'23 fragmentation paper (Random,
 * DotProd, GpuClustering, GpuPacking, BestFit, FGD), as pure functions over typed node arrays, ready
 * to be wrapped as scheduler filter/score plugins. See docs/gpu-policies.md for every formula.
 */
export * from './types.js';
export { GpuCluster, gpuFit, exclusiveGpus, MAX_GPU_MODELS } from './cluster.js';
export { FragModel, typicalPods, type TypicalPod, type TypicalPodsOptions } from './frag.js';
export {
  normalizeScores,
  normalizes,
  policyContext,
  scoreNode,
  selectGpus,
  type PolicyContext,
} from './policies.js';
export { GpuPlacer, type GpuPlacerOptions, type Placement } from './placer.js';
export { namedStream, drawIndex, type Draw } from './rng.js';
