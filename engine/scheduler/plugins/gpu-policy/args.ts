import type { GpuPolicy, TypicalPod } from '../../../gpu/index.js';
import { GPU_MILLI } from '../../../gpu/index.js';
import { pluginArgs } from '../../framework/index.js';

/** Validated args of a GPU policy plugin. */
export interface GpuPolicyArgs {
  /** GpuRandom: seed of its per-pod draws (default `"0"`). */
  readonly seed: string;
  /**
   * GpuFGD: the target workload. Given: these shapes with probabilities ∝ `weight` (no popularity
   * cut). Absent: learned online from the pods the plugin has seen (bound pods and pods it scored).
   */
  readonly workload: readonly TypicalPod[] | undefined;
  /** GpuFGD, learned workload: keep the most frequent shapes up to this % of pods (default 95). */
  readonly popularityThreshold: number;
  /** GpuFGD, learned workload: count CPU-only pods (default true, as the artifact). */
  readonly includeCpuPods: boolean;
}

function int(v: unknown, lo: number, hi: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
}

/** Validates and defaults `pluginConfig[].args` of the plugin for `policy`. */
export function parseGpuPolicyArgs(policy: GpuPolicy, raw: unknown, path: string): GpuPolicyArgs {
  const a = pluginArgs(raw, path);
  a.only(
    policy === 'random'
      ? ['seed']
      : policy === 'fgd'
        ? ['workload', 'popularityThreshold', 'includeCpuPods']
        : [],
  );
  const r = a.raw;
  let seed = '0';
  if (r.seed !== undefined) {
    if (typeof r.seed !== 'string' && typeof r.seed !== 'number')
      a.fail('seed', 'must be a string or a number');
    seed = String(r.seed);
  }
  let popularityThreshold = 95;
  if (r.popularityThreshold !== undefined) {
    if (!int(r.popularityThreshold, 1, 100)) a.fail('popularityThreshold', 'must be an integer in 1..100');
    popularityThreshold = r.popularityThreshold as number;
  }
  let includeCpuPods = true;
  if (r.includeCpuPods !== undefined) {
    if (typeof r.includeCpuPods !== 'boolean') a.fail('includeCpuPods', 'must be a boolean');
    includeCpuPods = r.includeCpuPods as boolean;
  }
  let workload: TypicalPod[] | undefined;
  if (r.workload !== undefined && r.workload !== null) {
    const w = r.workload as { shapes?: unknown };
    if (typeof w !== 'object' || Array.isArray(w)) a.fail('workload', 'must be an object with a shapes list');
    for (const k of Object.keys(w))
      if (k !== 'shapes') a.fail(`workload.${k}`, `unknown field ${JSON.stringify(k)}`);
    if (!Array.isArray(w.shapes) || w.shapes.length === 0)
      a.fail('workload.shapes', 'must be a non-empty list');
    const shapes = w.shapes as unknown[];
    const parsed: {
      cpuMilli: number;
      gpuMilli: number;
      numGpu: number;
      gpuSpec: string[];
      weight: number;
    }[] = [];
    shapes.forEach((s, i) => {
      const at = `workload.shapes[${i}]`;
      if (typeof s !== 'object' || s === null || Array.isArray(s)) a.fail(at, 'must be an object');
      const o = s as Record<string, unknown>;
      for (const k of Object.keys(o))
        if (!['cpuMilli', 'gpuMilli', 'numGpu', 'gpuSpec', 'weight'].includes(k))
          a.fail(`${at}.${k}`, `unknown field ${JSON.stringify(k)}`);
      const cpu = o.cpuMilli ?? 0;
      const numGpu = o.numGpu ?? (o.gpuMilli ? 1 : 0);
      const gpuMilli = o.gpuMilli ?? (numGpu ? GPU_MILLI : 0);
      const weight = o.weight ?? 1;
      if (!int(cpu, 0, Number.MAX_SAFE_INTEGER)) a.fail(`${at}.cpuMilli`, 'must be a non-negative integer');
      if (!int(numGpu, 0, 32)) a.fail(`${at}.numGpu`, 'must be an integer in 0..32');
      if (!int(gpuMilli, 0, GPU_MILLI) || ((numGpu as number) > 0 && gpuMilli === 0))
        a.fail(`${at}.gpuMilli`, 'must be an integer in 1..1000 for a GPU shape');
      if ((numGpu as number) > 1 && (gpuMilli as number) < GPU_MILLI)
        a.fail(`${at}.gpuMilli`, 'a share below 1000 needs numGpu 1');
      if (typeof weight !== 'number' || !(weight > 0) || !Number.isFinite(weight))
        a.fail(`${at}.weight`, 'must be a positive number');
      const spec = o.gpuSpec ?? [];
      if (!Array.isArray(spec) || spec.some((m) => typeof m !== 'string'))
        a.fail(`${at}.gpuSpec`, 'must be a list of GPU model names');
      parsed.push({
        // The artifact's CPU for a shape that asks none: kube-scheduler's non-zero default, 100 m.
        cpuMilli: (cpu as number) > 0 ? (cpu as number) : 100,
        gpuMilli: numGpu === 0 ? 0 : (gpuMilli as number),
        numGpu: numGpu as number,
        gpuSpec: [...new Set(spec as string[])],
        weight: weight as number,
      });
    });
    const total = parsed.reduce((s, x) => s + x.weight, 0);
    workload = parsed.map((x) => ({
      cpuMilli: x.cpuMilli,
      gpuMilli: x.gpuMilli,
      numGpu: x.numGpu,
      gpuSpec: x.gpuSpec,
      p: x.weight / total,
    }));
  }
  return { seed, workload, popularityThreshold, includeCpuPods };
}
