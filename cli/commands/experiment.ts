import { availableParallelism } from 'node:os';
import { Command, InvalidArgumentError } from 'commander';
import { GPU_POLICIES, GPU_POLICY_LABELS, isGpuPolicy, type GpuPolicy } from '../../engine/gpu/index.js';
import {
  reportsAt100,
  runFillExperiment,
  writeFillOutputs,
  type FillExperimentResult,
} from '../../workloads/fill/index.js';
import { join } from 'node:path';
import { parseSeeds as parseCommonSeeds, parseWorkers as parseCommonWorkers } from '../options.js';
import { addExecutorOptions, executorFromFlags, type ExecutorFlags } from './worker.js';
import { GPU_POLICY_PRESETS } from '../../workloads/replay/policy.js';

/** Parses `--seeds` (`a..b` or a comma list, as everywhere) into the integers the fill experiment seeds with. */
export function parseSeeds(text: string): number[] {
  let seeds: string[];
  try {
    seeds = parseCommonSeeds(text);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  if (seeds.some((s) => !/^-?\d+$/.test(s)))
    throw new InvalidArgumentError('want a..b or a comma list of integers');
  return seeds.map(Number);
}

/** `compare`'s preset names of the GPU policies whose fill name differs (`gpu-bestfit` → `bestfit`). */
const PRESET_ALIASES = new Map(
  GPU_POLICIES.filter((p) => GPU_POLICY_PRESETS[p] !== p).map((p) => [GPU_POLICY_PRESETS[p], p]),
);

/**
 * Parses `--policies`: a comma list of random, dotprod, clustering, packing, bestfit, fgd, or their
 * `compare` preset names (`gpu-bestfit`), each policy once under its fill name.
 */
export function parsePolicies(text: string): GpuPolicy[] {
  const out: GpuPolicy[] = [];
  for (const given of text.split(',').map((s) => s.trim().toLowerCase())) {
    const p = PRESET_ALIASES.get(given) ?? given;
    if (!isGpuPolicy(p))
      throw new InvalidArgumentError(
        `unknown policy ${JSON.stringify(given)} (want ${GPU_POLICIES.join(', ')}, or their compare presets ${[...PRESET_ALIASES.keys()].join(', ')})`,
      );
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

/** Parses `--workers`: `auto` (one per core) or a positive integer. */
export function parseWorkers(text: string): number {
  try {
    const w = parseCommonWorkers(text);
    return w === 'auto' ? Math.max(1, availableParallelism()) : w;
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function parseMaxLoad(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 1000) {
    throw new InvalidArgumentError('want an integer percent in 1..1000');
  }
  return Number(text);
}

interface FillFlags extends ExecutorFlags {
  nodes: string;
  pods: string;
  policies: GpuPolicy[];
  seeds: number[];
  maxLoad: number;
  workers: number;
  out: string;
}

/** Registers `kreplay experiment fill`. */
export function register(program: Command): void {
  const experiment = program
    .command('experiment')
    .description('Run a packaged experiment (see `experiment fill`).')
    .addHelpText(
      'after',
      '\nExample:\n  kreplay experiment fill --nodes traces/samples/openb/openb_node_list_gpu_node.csv \\\n    --pods traces/samples/openb/openb_pod_list_default.csv --policies bestfit,fgd --seeds 42 --out out/fill\n',
    );
  const fill = experiment
    .command('fill')
    .description(
      "Fill the openb GPU cluster to a load with each policy (the ATC'23 fragmentation experiment) and write alloc.csv, frag.csv, summary.csv.",
    )
    .requiredOption('--nodes <csv>', 'openb node list, e.g. openb_node_list_gpu_node.csv')
    .requiredOption('--pods <csv[,csv...]>', 'one or more openb pod lists, comma separated')
    .requiredOption(
      '--policies <p,...>',
      `policies: ${GPU_POLICIES.join(', ')} (or compare's names: ${[...PRESET_ALIASES.keys()].join(', ')})`,
      parsePolicies,
    )
    .option('--seeds <a..b|list>', 'seeds, a..b or a comma list', parseSeeds, parseSeeds('42..51'))
    .option('--max-load <percent>', 'arrived GPU request to reach, % of cluster GPUs', parseMaxLoad, 130)
    .option(
      '--workers <auto|N>',
      'worker processes that run the cells (auto: one per core); 1 runs them one after another in this process',
      parseWorkers,
      1,
    )
    .requiredOption('--out <dir>', 'output folder');
  addExecutorOptions(fill)
    .addHelpText(
      'after',
      '\nExample:\n  kreplay experiment fill --nodes traces/samples/openb/openb_node_list_gpu_node.csv \\\n    --pods traces/samples/openb/openb_pod_list_default.csv --policies random,bestfit,fgd --seeds 42..51 \\\n    --workers auto --out out/fill\n',
    )
    .action(async (flags: FillFlags) => {
      const podsPaths = flags.pods
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
      const tty = process.stderr.isTTY === true;
      const executor = await executorFromFlags(flags);
      const result = await runFillExperiment({
        nodesPath: flags.nodes,
        podsPaths,
        policies: flags.policies,
        seeds: flags.seeds,
        maxLoad: flags.maxLoad,
        workers: flags.workers,
        ...(executor ? { executor, stateDir: join(flags.out, '.cells') } : {}),
        ...(tty
          ? { onProgress: (d: number, t: number) => process.stderr.write(`\rfill: ${d}/${t} cells`) }
          : {}),
      }).finally(() => executor?.close());
      if (tty) process.stderr.write('\n');
      await writeFillOutputs(flags.out, result);
      process.stdout.write(formatFillSummary(result, flags.seeds.length));
    });
}

/** `median / mean`, or `n/a` where some seed has no value at that load (an empty cell in summary.csv). */
function medianMean(median: number, mean: number): string {
  return Number.isNaN(median) || Number.isNaN(mean) ? 'n/a' : `${median.toFixed(2)} / ${mean.toFixed(2)}`;
}

/** The fill experiment's summary as a terminal table: unallocated GPU % at 100% and at max load. */
export function formatFillSummary(result: FillExperimentResult, seeds: number): string {
  const with100 = reportsAt100(result.maxLoad);
  const lines = [
    `unallocated GPU % (median / mean over ${seeds} seed${seeds === 1 ? '' : 's'})`,
    `${'workload'.padEnd(32)} ${'policy'.padEnd(11)}${with100 ? ` ${'@100%'.padStart(15)}` : ''} ${`@${result.maxLoad}%`.padStart(15)}`,
  ];
  for (const r of result.summary) {
    const at100 = medianMean(r.medianUnallocatedAt100, r.meanUnallocatedAt100);
    lines.push(
      `${r.workload.padEnd(32)} ${GPU_POLICY_LABELS[r.policy].padEnd(11)}${with100 ? ` ${at100.padStart(15)}` : ''} ${medianMean(r.medianUnallocatedAtMax, r.meanUnallocatedAtMax).padStart(15)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
