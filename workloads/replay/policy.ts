import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { InputError } from '../../engine/api/errors.js';
import { loadSchedulerConfig, presetConfig, PRESET_NAMES } from '../../engine/scheduler/index.js';
import type { SchedulerConfig } from '../../engine/scheduler/framework/index.js';
import type { GpuPolicy } from '../../engine/gpu/index.js';

/** A policy to replay with: a preset name, or a KubeSchedulerConfiguration file. */
export interface PolicySpec {
  /** Short name for reports (`most-allocated`, or the config file's base name). */
  readonly name: string;
  /** Preset name, or the path of a YAML file. */
  readonly source: string;
}

/**
 * The preset of each ATC'23 GPU policy, by `experiment fill`'s name for it: `replay` and `compare`
 * accept the fill name for the preset (`bestfit` for `gpu-bestfit`), `experiment fill` the preset
 * name for its policy, and each reports the policy under its own canonical name.
 */
export const GPU_POLICY_PRESETS: Readonly<Record<GpuPolicy, string>> = {
  random: 'gpu-random',
  dotprod: 'gpu-dotprod',
  clustering: 'gpu-clustering',
  packing: 'gpu-packing',
  bestfit: 'gpu-bestfit',
  fgd: 'fgd',
};

/**
 * Resolves `--policy`/`--policies` entries: a preset name (or a GPU policy's fill name, see
 * {@link GPU_POLICY_PRESETS}), else a `.yaml`/`.yml` path.
 */
export function parsePolicy(text: string): PolicySpec {
  return parsePolicyOption(text, '--policy');
}

/** {@link parsePolicy} with the option's name (e.g. `--policies`) in the error. */
export function parsePolicyOption(text: string, flag: string): PolicySpec {
  const preset = Object.hasOwn(GPU_POLICY_PRESETS, text) ? GPU_POLICY_PRESETS[text as GpuPolicy] : text;
  if (PRESET_NAMES.includes(preset)) return { name: preset, source: preset };
  if (/\.ya?ml$/i.test(text)) return { name: basename(text).replace(/\.ya?ml$/i, ''), source: text };
  throw new InputError(
    flag,
    undefined,
    undefined,
    `unknown policy ${JSON.stringify(text)}: use a preset (${PRESET_NAMES.join(', ')}) or a KubeSchedulerConfiguration .yaml file`,
    'UNKNOWN_POLICY',
  );
}

/** Loads the scheduler configuration of a policy. File errors name the file. */
export function loadPolicy(spec: PolicySpec): SchedulerConfig {
  if (PRESET_NAMES.includes(spec.source)) return presetConfig(spec.source);
  let text: string;
  try {
    text = readFileSync(spec.source, 'utf8');
  } catch {
    throw new InputError(spec.source, undefined, undefined, 'no such file or directory', 'NOT_FOUND');
  }
  return loadSchedulerConfig(text, spec.source);
}
