import type { Command } from 'commander';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import { parseWorkers } from '../options.js';
import { compareAndReport } from './compare.js';

/** The policies of the main job: the default profile and two alternatives. */
export const DEMO_POLICIES = ['default-scheduler', 'most-allocated', 'requested-to-capacity-ratio'];

/**
 * `kreplay demo` (what `npm start` runs): the embedded openb sample (Alibaba GPU cluster, 1,213
 * nodes, 8,152 pods, time-faithful) replayed with the default profile and two alternatives.
 */
export function register(program: Command): void {
  program
    .command('demo')
    .description('the main job: replay the embedded openb sample with three policies and write reports')
    .option('--out <dir>', 'output folder', 'reports/demo')
    .option('--workers <n>', 'auto or N worker threads', 'auto')
    .option('--no-progress', 'no progress bar on stderr')
    .addHelpText('after', '\nExample:\n  kreplay demo --out reports/demo\n')
    .action(async (flags: { out: string; workers: string; progress: boolean }) => {
      const samples = join(packageRoot(), 'traces', 'samples', 'openb');
      await compareAndReport({
        traces: [
          {
            format: 'openb',
            nodes: join(samples, 'openb_node_list_gpu_node.csv'),
            pods: join(samples, 'openb_pod_list_default.csv'),
          },
        ],
        policies: DEMO_POLICIES,
        seeds: ['1'],
        workers: parseWorkers(flags.workers),
        outDir: flags.out,
        progress: flags.progress,
      });
    });
}
