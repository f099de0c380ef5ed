import type { Registry } from '../framework/index.js';
import { factories as gpuPolicies } from './gpu-policy/index.js';
import { factory as gpuShare } from './gpu-share/index.js';

/**
 * Registers GpuShare (device-level GPU sharing: PreFilter, Filter) and the six GPU placement policies
 * of the ATC'23 fragmentation paper as score plugins: GpuRandom, GpuDotProd, GpuClustering,
 * GpuPacking, GpuBestFit, GpuFGD. None is in the default multiPoint set; profiles enable them (the
 * `--policy` presets `fgd`, `gpu-*` do). See docs/gpu-policies.md "As scheduler plugins".
 */
export function registerGpuPlugins(r: Registry): Registry {
  r.register(gpuShare);
  for (const f of gpuPolicies) r.register(f);
  return r;
}
