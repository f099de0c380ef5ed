import test from 'ava';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCompareCsv } from '../../reports/csv.js';
import type { CompareRow } from '../../reports/csv.js';
import { ci95HalfWidth, mean, sampleSd, studentTQuantile } from '../../reports/stats.js';
import type { RunSummary } from '../../reports/types.js';

function summary(unschedulable: number, p50: number, cpuMean: number): RunSummary {
  return {
    eventLogSha256: `h${unschedulable}`,
    events: 100,
    virtualSeconds: 40,
    wallSeconds: 2,
    nodes: 2,
    podsSubmitted: 5,
    podsScheduled: 5 - unschedulable,
    podsUnschedulable: unschedulable,
    podsPreempted: 0,
    podsRejectedByQuota: 0,
    podsSucceeded: 0,
    podsFailed: 0,
    schedulingAttempts: 6,
    decisionsPerSecond: 3,
    invalidSkipped: 0,
    pendingSeconds: { p50, p90: p50, p99: p50, max: p50 },
    utilization: { cpu: { mean: cpuMean, peak: 1 } },
  };
}

test('Student t quantiles match the tables', (t) => {
  t.is(studentTQuantile(0.975, 1).toFixed(6), '12.706205');
  t.is(studentTQuantile(0.975, 2).toFixed(6), '4.302653');
  t.is(studentTQuantile(0.975, 4).toFixed(6), '2.776445');
  t.is(studentTQuantile(0.975, 29).toFixed(6), '2.045230');
  t.true(Number.isNaN(sampleSd([1])));
  t.true(Number.isNaN(ci95HalfWidth([1])));
});

test('compare.csv: run rows, then mean / sd / ci95 per policy, by hand', async (t) => {
  const rows: CompareRow[] = [
    { policy: 'spread', trace: 'tr', seed: '1', summary: summary(1, 2, 0.5) },
    { policy: 'binpack', trace: 'tr', seed: '1', summary: summary(0, 1, 0.25) },
    { policy: 'spread', trace: 'tr', seed: '2', summary: summary(2, 4, 0.75) },
    { policy: 'spread', trace: 'tr', seed: '3', summary: summary(3, 9, 0.5) },
  ];
  // spread podsUnschedulable 1, 2, 3: mean 2; sd √((1 + 0 + 1) / 2) = 1; ci95 = t(.975, 2) × 1 / √3
  //   = 4.302653 / 1.732051 = 2.484138.
  // spread p50 2, 4, 9: mean 5; sd √((9 + 1 + 16) / 2) = √13 = 3.605551; ci95 = 4.302653 × 3.605551 / √3 = 15.513440 / 1.732051 = 8.956686.
  // spread cpu mean .5, .75, .5: mean .583333; sd √((1/144 × 2 + 4/144 ... ) — written out:
  //   deviations −1/12, 1/6, −1/12 → squares 1/144 + 4/144 + 1/144 = 6/144, / 2 = 1/48 → sd 0.144338;
  //   ci95 = 4.302653 × 0.144338 / √3 = 0.358554.
  t.is(mean([1, 2, 3]), 2);
  t.is(sampleSd([1, 2, 3]), 1);
  t.is(ci95HalfWidth([1, 2, 3]).toFixed(6), '2.484138');
  t.is(ci95HalfWidth([2, 4, 9]).toFixed(6), '8.956686');
  t.is(ci95HalfWidth([0.5, 0.75, 0.5]).toFixed(6), '0.358554');

  const dir = mkdtempSync(join(tmpdir(), 'kreplay-compare-'));
  await writeCompareCsv(join(dir, 'compare.csv'), rows);
  t.deepEqual(readdirSync(dir), ['compare.csv']);
  const lines = readFileSync(join(dir, 'compare.csv'), 'utf8').split('\n');
  t.is(
    lines[0],
    'row,policy,trace,seed,n,eventLogSha256,events,virtualSeconds,wallSeconds,nodes,podsSubmitted,podsScheduled,podsUnschedulable,podsPreempted,podsRejectedByQuota,podsSucceeded,podsFailed,schedulingAttempts,decisionsPerSecond,invalidSkipped,pendingSeconds.p50,pendingSeconds.p90,pendingSeconds.p99,pendingSeconds.max,utilization.cpu.mean,utilization.cpu.peak',
  );
  t.is(
    lines[1],
    'run,spread,tr,1,1,h1,100,40.000000,2.000000,2,5,4,1,0,0,0,0,6,3.000000,0,2.000000,2.000000,2.000000,2.000000,0.500000,1.000000',
  );
  t.is(lines[2]!.slice(0, 22), 'run,binpack,tr,1,1,h0,');
  t.is(
    lines[5],
    'mean,spread,tr,,3,,100.000000,40.000000,2.000000,2.000000,5.000000,3.000000,2.000000,0.000000,0.000000,0.000000,0.000000,6.000000,3.000000,0.000000,5.000000,5.000000,5.000000,5.000000,0.583333,1.000000',
  );
  t.is(
    lines[6],
    'sd,spread,tr,,3,,0.000000,0.000000,0.000000,0.000000,0.000000,1.000000,1.000000,0.000000,0.000000,0.000000,0.000000,0.000000,0.000000,0.000000,3.605551,3.605551,3.605551,3.605551,0.144338,0.000000',
  );
  t.is(
    lines[7],
    'ci95,spread,tr,,3,,0.000000,0.000000,0.000000,0.000000,0.000000,2.484138,2.484138,0.000000,0.000000,0.000000,0.000000,0.000000,0.000000,0.000000,8.956686,8.956686,8.956686,8.956686,0.358554,0.000000',
  );
  // binpack has one run: a mean, and empty sd / ci95.
  t.regex(lines[8]!, /^mean,binpack,tr,,1,,100\.000000,/);
  t.regex(lines[9]!, /^sd,binpack,tr,,1,,,,,/);
  t.regex(lines[10]!, /^ci95,binpack,tr,,1,,,,,/);
  t.is(lines[11], '');
  t.is(lines.length, 12);
});
