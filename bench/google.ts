/**
 * `node dist/bench/google.js [--scale 1] [--seed 1] [--hours 24] [--csv PATH]` (`npm run bench:google`): one run
 * of the Google-scale benchmark (`google-scale.ts`) in this process; appends a row to
 * bench/results/google-scale.csv (or PATH). `--scale 0.05` is a quick check (625 nodes, ≈ 55 k pods); `--hours H` (< 24,
 * for profiling only) stops the arrivals after H hours.
 */
import { join } from 'node:path';
import { appendGoogleCsv, runGoogleScale } from './google-scale.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const scale = Number(arg('scale') ?? '1');
if (!(scale > 0)) {
  process.stderr.write(`--scale must be a positive number, got ${arg('scale')}\n`);
  process.exit(2);
}
const seed = arg('seed') ?? '1';
const hours = Number(arg('hours') ?? '24');
if (!(hours > 0 && hours <= 24)) {
  process.stderr.write(`--hours must be in (0, 24], got ${arg('hours')}\n`);
  process.exit(2);
}
const csv = arg('csv') ?? join(process.cwd(), 'bench', 'results', 'google-scale.csv');
const log = (l: string): void => void process.stdout.write(`${l}\n`);
log(`google-scale: scale ${scale}, seed ${seed}, ${hours} h of arrivals`);
const r = await runGoogleScale({ scale, seed, hours, log });
log(
  `${r.nodes} nodes, ${r.jobs} jobs, ${r.pods} pods (${r.podsSucceeded} succeeded), ` +
    `${r.virtualSeconds.toFixed(0)} virtual s in ${r.wallSeconds.toFixed(1)} wall s ` +
    `(${r.cpuSeconds.toFixed(1)} CPU s, load ${r.loadAverage.toFixed(2)}): ` +
    `${(r.virtualSeconds / r.wallSeconds).toFixed(1)} virtual s/wall s, ` +
    `${Math.round(r.logEntries / r.wallSeconds)} log entries/s, ` +
    `${Math.round(r.simEvents / r.wallSeconds)} sim events/s, ${(r.pods / r.wallSeconds).toFixed(0)} pods/s, ` +
    `peak RSS ${r.peakRssMiB.toFixed(0)} MiB; at most ${r.maxLivePods} pods and ${r.maxLiveJobs} Jobs ` +
    `in the store at once, ${r.livePodsAtEnd} pods and ${r.liveJobsAtEnd} Jobs at the end`,
);
appendGoogleCsv(csv, r);
log(`row appended to ${csv}`);
