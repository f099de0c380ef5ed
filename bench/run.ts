/**
 * Benchmark entry: `node dist/bench/run.js [--quick] [--out DIR] [--only a,b] [--core-only]
 * [--workers 1,2,4,8,16] [--runs N]` (the last two shape the worker-scaling rows of parallel.csv)
 * (`npm run bench` = `--quick`, under 3 minutes; `npm run bench:full` = upstream counts, then the
 * Google-scale day of `google-scale.ts` unless `--only` or `--core-only` narrows the run).
 * Writes bench/results/{sim,scheduler-perf,parallel}.csv (or under --out), and in full
 * mode appends a row to google-scale.csv there.
 */
import { join } from 'node:path';
import { runBench } from './suite.js';
import { runGoogleScaleChild } from './google-scale.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const quick = process.argv.includes('--quick');
const outDir = arg('out') ?? join(process.cwd(), 'bench', 'results');
const only = arg('only')?.split(',').filter(Boolean) ?? [];
const coreOnly = process.argv.includes('--core-only');
const workersArg = arg('workers');
const workers = workersArg?.split(',').map(Number);
if (workers && (workers.length === 0 || workers.some((w) => !Number.isInteger(w) || w < 1))) {
  process.stderr.write(`bench: --workers takes whole numbers ≥ 1 separated by commas, got "${workersArg}"\n`);
  process.exit(2);
}
const runsArg = arg('runs');
const runs = runsArg === undefined ? undefined : Number(runsArg);
if (runs !== undefined && (!Number.isInteger(runs) || runs < 1)) {
  process.stderr.write(`bench: --runs takes a whole number ≥ 1, got "${runsArg}"\n`);
  process.exit(2);
}
await runBench({
  quick,
  outDir,
  only,
  coreOnly,
  ...(workers ? { workers } : {}),
  ...(runs ? { runs } : {}),
  log: (l) => process.stdout.write(`${l}\n`),
});
if (!quick && only.length === 0 && !coreOnly)
  await runGoogleScaleChild({ scale: 1, csv: join(outDir, 'google-scale.csv') });
process.stdout.write(`CSV written to ${outDir}\n`);
