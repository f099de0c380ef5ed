/**
 * Benchmark entry: `node dist/bench/run.js [--quick] [--out DIR] [--only a,b] [--core-only]`
 * (`npm run bench` = `--quick`, under 3 minutes; `npm run bench:full` = upstream counts).
 * Writes bench/results/sim.csv and bench/results/scheduler-perf.csv (or under --out).
 */
import { join } from 'node:path';
import { runBench } from './suite.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const quick = process.argv.includes('--quick');
const outDir = arg('out') ?? join(process.cwd(), 'bench', 'results');
const only = arg('only')?.split(',').filter(Boolean) ?? [];
await runBench({
  quick,
  outDir,
  only,
  coreOnly: process.argv.includes('--core-only'),
  log: (l) => process.stdout.write(`${l}\n`),
});
process.stdout.write(`CSV written to ${outDir}\n`);
