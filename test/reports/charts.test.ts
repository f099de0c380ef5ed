import test from 'ava';
import { chartBuckets, CHART_MAX_BUCKETS } from '../../reports/charts.js';
import type { BucketRow } from '../../reports/types.js';

const bucket = (start: number, end: number, cpu: number, gpu: number, n: number): BucketRow => ({
  startSeconds: start,
  endSeconds: end,
  allocation: { cpu, gpu },
  running: 10 * n,
  pending: n,
  bound: n,
  created: 2 * n,
  failedAttempts: 3 * n,
});

test('chartBuckets: at most max buckets, time-weighted allocation, pods at the end, counts summed', (t) => {
  // five buckets of 10 s, the last one cut short at 44 s (the run's end)
  const rows = [
    bucket(0, 10, 0.1, 0, 1),
    bucket(10, 20, 0.2, 0.5, 2),
    bucket(20, 30, 0.3, 1, 3),
    bucket(30, 40, 0.4, 0, 4),
    bucket(40, 44, 0.9, 0.5, 5),
  ];
  t.deepEqual(chartBuckets(rows, 5), { rows, factor: 1 });
  const { rows: drawn, factor } = chartBuckets(rows, 2);
  t.is(factor, 3); // ⌈5 / 2⌉: buckets 0-2 and 3-4
  t.is(drawn.length, 2);
  t.deepEqual(drawn[0], {
    startSeconds: 0,
    endSeconds: 30,
    allocation: { cpu: (0.1 * 10 + 0.2 * 10 + 0.3 * 10) / 30, gpu: (0 + 5 + 10) / 30 },
    running: 30, // at the end of bucket 2
    pending: 3,
    bound: 1 + 2 + 3,
    created: 2 + 4 + 6,
    failedAttempts: 3 + 6 + 9,
  });
  // the 4 s bucket weighs 4/14: cpu (0.4·10 + 0.9·4) / 14 = 7.6 / 14
  t.is(drawn[1]!.startSeconds, 30);
  t.is(drawn[1]!.endSeconds, 44);
  t.is(drawn[1]!.allocation.cpu, (0.4 * 10 + 0.9 * 4) / 14);
  t.is(drawn[1]!.allocation.gpu, (0 * 10 + 0.5 * 4) / 14);
  t.deepEqual([drawn[1]!.running, drawn[1]!.pending, drawn[1]!.bound], [50, 5, 9]);
});

test('chartBuckets: zero-length buckets keep the last allocation; the default cap is 500', (t) => {
  const flat = [bucket(5, 5, 0.25, 0, 1), bucket(5, 5, 0.75, 1, 2)];
  t.deepEqual(chartBuckets(flat, 1).rows[0]!.allocation, { cpu: 0.75, gpu: 1 });
  const many = Array.from({ length: 2000 }, (_, i) => bucket(60 * i, 60 * (i + 1), 0.5, 0, 0));
  const { rows, factor } = chartBuckets(many);
  t.is(CHART_MAX_BUCKETS, 500);
  t.is(factor, 4);
  t.is(rows.length, 500);
  t.is(rows[499]!.endSeconds, 120_000);
});
