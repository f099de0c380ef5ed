import type { Command } from 'commander';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { parseWorkers } from '../options.js';
import { compareAndReport } from './compare.js';
import { formatFillSummary } from './experiment.js';
import { createProgress } from '../progress.js';
import { resolveWorkers } from '../../workloads/pool/run-cells.js';
import { runFillExperiment, writeFillOutputs } from '../../workloads/fill/index.js';
import { GPU_POLICIES, type GpuPolicy } from '../../engine/gpu/index.js';

/** The policies of the main job: the default profile and two alternatives. */
export const DEMO_POLICIES = ['default-scheduler', 'most-allocated', 'fgd'];

/** GPU policies of the demo's fill experiment: all six of the ATC'23 comparison, one seed. */
export const DEMO_FILL_POLICIES: readonly GpuPolicy[] = GPU_POLICIES;

/**
 * `kreplay demo` (what `npm start` runs): the embedded openb sample (Alibaba GPU cluster, 1,213
 * nodes, 8,152 pods) replayed time-faithfully with the default profile and two alternatives, then
 * the ATC'23 fill experiment on the same cluster with one seed (fragmentation per GPU policy).
 */
export function register(program: Command): void {
  program
    .command('demo')
    .description('the main job: replay the embedded openb sample with three policies and write reports')
    .option('--out <dir>', 'output folder', 'reports/demo')
    .option('--workers <n>', 'auto or N worker processes', 'auto')
    .option('--no-progress', 'no progress bar on stderr')
    .addHelpText('after', '\nExample:\n  kreplay demo --out reports/demo\n')
    .action(async (flags: { out: string; workers: string; progress: boolean }) => {
      const samples = join(packageRoot(), 'traces', 'samples', 'openb');
      const nodes = join(samples, 'openb_node_list_gpu_node.csv');
      const pods = join(samples, 'openb_pod_list_default.csv');
      await compareAndReport({
        traces: [{ format: 'openb', nodes, pods }],
        policies: DEMO_POLICIES,
        seeds: ['1'],
        workers: parseWorkers(flags.workers),
        outDir: flags.out,
        progress: flags.progress,
      });
      const bar = createProgress('fill', DEMO_FILL_POLICIES.length, 'runs', flags.progress);
      const fill = await runFillExperiment({
        nodesPath: nodes,
        podsPaths: [pods],
        policies: DEMO_FILL_POLICIES,
        seeds: [42],
        workers: resolveWorkers(parseWorkers(flags.workers), DEMO_FILL_POLICIES.length),
        onProgress: (done) => bar.update(done),
      }).finally(() => bar.stop());
      await writeFillOutputs(join(flags.out, 'fill'), fill);
      process.stdout.write(`\nfill experiment (seed 42): ${join(flags.out, 'fill')}/\n`);
      process.stdout.write(formatFillSummary(fill, 1));
    });
}
