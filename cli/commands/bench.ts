import type { Command } from 'commander';
import { join } from 'node:path';
import { runBench } from '../../bench/suite.js';

/** `kreplay bench [--quick] [--out DIR]`: the benchmark suite (engine/sim kernels, scheduler_perf shapes). */
export function register(program: Command): void {
  program
    .command('bench')
    .description(
      'benchmark the engine: event queue, event log, scheduler_perf shapes (core and full replay), worker scaling',
    )
    .option('--quick', 'reduced pod counts (under 3 minutes)')
    .option(
      '--out <dir>',
      'where to write sim.csv, scheduler-perf.csv and parallel.csv',
      join('bench', 'results'),
    )
    .option('--only <shapes>', 'comma-separated shape names (substring match)')
    .option('--core-only', 'skip the full-replay rows')
    .addHelpText('after', '\nExample:\n  kreplay bench --quick --out /tmp/bench\n')
    .action(async (opts: { quick?: boolean; out: string; only?: string; coreOnly?: boolean }) => {
      await runBench({
        quick: !!opts.quick,
        outDir: opts.out,
        only: opts.only?.split(',').filter(Boolean) ?? [],
        coreOnly: !!opts.coreOnly,
        log: (l) => process.stdout.write(`${l}\n`),
      });
      process.stdout.write(`CSV written to ${opts.out}\n`);
    });
}
