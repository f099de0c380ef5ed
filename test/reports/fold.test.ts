import test from 'ava';
import { ReportFold } from '../../reports/fold.js';
import { nearestRank } from '../../reports/format.js';
import { LogBuilder, sampleLog } from './helpers.js';

function fold(b: LogBuilder, wallSeconds = 2) {
  const f = new ReportFold();
  for (const e of b.entries) f.consume(e);
  return f.finish({ wallSeconds, eventLogSha256: 'abc' });
}

test('nearest-rank percentiles', (t) => {
  const xs = [1, 2, 3, 20];
  // p50: ceil(0.50 × 4) = 2nd value; p90: ceil(3.6) = 4th; p25: ceil(1) = 1st; p0 → 1st.
  t.is(nearestRank(xs, 50), 2);
  t.is(nearestRank(xs, 90), 20);
  t.is(nearestRank(xs, 25), 1);
  t.is(nearestRank(xs, 0), 1);
  t.is(nearestRank(xs, 100), 20);
  t.is(nearestRank([], 50), 0);
});

test('summary of the sample log, derived by hand', (t) => {
  const r = fold(sampleLog());
  t.deepEqual(r.resources, ['cpu', 'memory', 'nvidia.com/gpu']);
  t.deepEqual(r.run, { seed: '1', policy: 'default-scheduler', trace: 'hand-built', bucketSeconds: 10 });
  t.deepEqual(r.summary, {
    eventLogSha256: 'abc',
    events: 31,
    virtualSeconds: 40,
    wallSeconds: 2,
    nodes: 2,
    // a, b, c, e created; q refused by quota.
    podsSubmitted: 5,
    podsScheduled: 3, // a, b, c
    podsUnschedulable: 1, // e
    podsPreempted: 1, // c
    podsRejectedByQuota: 1, // q
    podsSucceeded: 1, // a
    podsFailed: 1, // c (Preempted)
    // binds a, c, b + failures b#1, e#1, e#2
    schedulingAttempts: 6,
    decisionsPerSecond: 3, // 6 / 2 s
    invalidSkipped: 1,
    // pending: c 1-0 = 1, a 2-0 = 2, b 8-5 = 3, e never bound 40-20 = 20 → sorted [1, 2, 3, 20]
    // p50 = 2nd (ceil 2), p90 = 4th (ceil 3.6), p99 = 4th (ceil 3.96)
    pendingSeconds: { p50: 2, p90: 20, p99: 20, max: 20 },
    utilization: {
      // cpu of 8000m: [1,2) 3000 → .375×1; [2,6) 5000 → .625×4; [6,8) 2000 → .25×2; [8,22) 5000 → .625×14;
      // [22,40) 3000 → .375×18. Σ = .375 + 2.5 + .5 + 8.75 + 6.75 = 18.875 / 40 s = 0.471875; peak .625
      cpu: { mean: 0.471875, peak: 0.625 },
      // memory of 16384Mi: .125×1 + .375×4 + .25×2 + .375×14 + .125×18 = 9.625 / 40 = 0.240625; peak .375
      memory: { mean: 0.240625, peak: 0.375 },
      // GPU of 2: a holds 1 during [2,22): .5 × 20 = 10 / 40 = 0.25; peak .5
      'nvidia.com/gpu': { mean: 0.25, peak: 0.5 },
    },
  });
});

test('per node, per bucket, per attempt', (t) => {
  const r = fold(sampleLog());
  // n2: c .75 × 5 s + b .75 × 32 s = 27.75 / 40 = 0.69375; memory .25 × 37 = 9.25 / 40 = 0.23125.
  t.deepEqual(r.nodes[1], {
    name: 'n2',
    created: 0,
    deleted: undefined,
    gpuModel: '',
    zone: 'z1',
    allocatable: { cpu: 4000, memory: 8 * 1024 ** 3, 'nvidia.com/gpu': 0 },
    podsBound: 2,
    allocation: {
      cpu: { mean: 0.69375, peak: 0.75 },
      memory: { mean: 0.23125, peak: 0.25 },
      'nvidia.com/gpu': { mean: 0, peak: 0 },
    },
  });
  // Bucket [20,30): cpu .625×2 + .375×8 = 4.25 / 10; memory .375×2 + .125×8 = 1.75 / 10; GPU .5×2 / 10.
  t.deepEqual(r.timeseries[2], {
    startSeconds: 20,
    endSeconds: 30,
    allocation: { cpu: 0.425, memory: 0.175, 'nvidia.com/gpu': 0.1 },
    running: 1,
    pending: 1,
    bound: 0,
    created: 1,
    failedAttempts: 1,
  });
  t.is(r.timeseries.length, 4);
  t.deepEqual(
    r.reasons.map((x) => [x.plugin, x.reason, x.attempts, x.nodes]),
    [
      ['NodeResourcesFit', 'Insufficient cpu', 1, 2],
      ['NodeResourcesFit', 'Insufficient nvidia.com/gpu', 2, 3],
      ['NodeAffinity', "node(s) didn't match Pod's node affinity/selector", 1, 1],
    ],
  );
  const c = r.pods.find((p) => p.name === 'c')!;
  t.like(c, { phase: 'Failed', preemptions: 1, deleted: 6, finished: 6, ownerKind: 'Job', ownerName: 'j1' });
  const q = r.pods.find((p) => p.name === 'q')!;
  t.like(q, { phase: 'Rejected', created: undefined, pendingSeconds: undefined, quotaRejections: 1 });
});

test('node deletion, pods created bound, evictions and the attempt-row cap', (t) => {
  const b = new LogBuilder();
  b.at(0).runStart(100).node('n', { cpu: '2', memory: '1Gi' });
  b.node('m', { cpu: '2', memory: '1Gi' });
  // A pod created already bound (DaemonSet-like): scheduled at creation, pending 0.
  b.at(10).pod('kube-system/ds', { cpu: '1', memory: '512Mi' }, 'DaemonSet/agent');
  b.add('api', {
    verb: 'update',
    kind: 'Pod',
    key: 'kube-system/ds',
    rv: '99',
    object: {
      kind: 'Pod',
      metadata: { name: 'ds', namespace: 'kube-system' },
      spec: {
        nodeName: 'n',
        containers: [{ name: 'c', resources: { requests: { cpu: '1', memory: '512Mi' } } }],
      },
    },
  });
  b.at(20)
    .pod('default/x', { cpu: '1' })
    .fail('default/x', 1, {}, 'no nodes')
    .fail('default/x', 2, {}, 'no nodes');
  b.at(30).add('kubelet.finish', { pod: 'kube-system/ds', node: 'n', phase: 'Failed', reason: 'Evicted' });
  b.at(50).deleteNode('n');
  b.at(100).runEnd();
  const f = new ReportFold({ maxAttemptRows: 1 });
  for (const e of b.entries) f.consume(e);
  const r = f.finish({ wallSeconds: 0, eventLogSha256: 'x', events: 7 });
  t.is(r.summary.events, 7);
  t.is(r.summary.decisionsPerSecond, 0);
  t.like(r.pods[0]!, { scheduled: 10, pendingSeconds: 0, evictions: 1, phase: 'Failed', node: 'n' });
  // x never bound: 100 − 20 = 80 s pending.
  t.like(r.pods[1]!, { pendingSeconds: 80, attempts: 2, phase: 'Pending' });
  // Node n lived [0,50): cpu .5 during [10,30) = 10 / 50 = 0.2.
  t.like(r.nodes[0]!, { deleted: 50, allocation: { cpu: { mean: 0.2, peak: 0.5 } } });
  // Cluster cpu: [10,30) 1000 of 4000 = .25 × 20 = 5 / 100 = 0.05; after n goes, 0 of 2000.
  t.deepEqual(r.summary.utilization.cpu, { mean: 0.05, peak: 0.25 });
  t.is(r.attempts.length, 1);
  t.is(r.attemptsDropped, 1);
  t.deepEqual(r.attempts[0], {
    pod: 'default/x',
    attempt: 1,
    time: 20,
    code: 'Unschedulable',
    plugin: '',
    reason: 'no nodes',
    nodes: 0,
  });
  t.deepEqual(r.reasons, [{ plugin: '', reason: 'no nodes', attempts: 2, nodes: 0 }]);
});

test('finish twice and consume after finish are errors', (t) => {
  const f = new ReportFold();
  f.finish({ wallSeconds: 1, eventLogSha256: '' });
  t.throws(() => f.finish({ wallSeconds: 1, eventLogSha256: '' }));
  t.throws(() => f.consume({ seq: 1, time: 0, type: 'run.end', untilUs: 0 }));
});

test('long runs coarsen the time series: buckets merge pairwise until at most MAX_BUCKETS remain', (t) => {
  // 3 days in 60 s buckets would be 4,320 rows; doubling twice gives 240 s buckets: 259,200 / 240 = 1,080.
  const log = new LogBuilder()
    .at(0)
    .runStart(60)
    .node('n1', { cpu: '4', memory: '8Gi' })
    .pod('default/a', { cpu: '2', memory: '1Gi' })
    .bind('default/a', 'n1', 1)
    .at(86_400)
    .deletePod('default/a')
    .at(259_200)
    .runEnd();
  const fold = new ReportFold();
  for (const e of log.entries) fold.consume(e);
  const r = fold.finish({ wallSeconds: 1, eventLogSha256: 'x' });
  t.is(r.run.bucketSeconds, 240);
  t.is(r.timeseries.length, 1080);
  // a held 2 of 4 cpu for the first day: 360 buckets at 0.5, then 0.
  t.is(r.timeseries[0]!.allocation.cpu, 0.5);
  t.is(r.timeseries[359]!.allocation.cpu, 0.5);
  t.is(r.timeseries[360]!.allocation.cpu, 0);
  t.is(r.timeseries[0]!.bound, 1);
  // time-weighted mean over 3 days: one day at 0.5 → 1/6
  t.is(r.summary.utilization.cpu!.mean, 0.166667);
});
