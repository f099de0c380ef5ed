import test from 'ava';
import {
  googleJob,
  googleNode,
  googleWorkload,
  jobDraws,
  JOB_TTL_SECONDS,
  nodeCount,
  TENANTS,
} from '../../bench/google-workload.js';
import { runGoogleScale } from '../../bench/google-scale.js';

function totals(scale: number, seed: string): { jobs: number; pods: number } {
  let jobs = 0;
  let pods = 0;
  for (const d of jobDraws({ scale, seed })) {
    jobs++;
    pods += d.completions;
  }
  return { jobs, pods };
}

test('the full day (scale 1, seed 1): 12,500 nodes, 31,440 Jobs, 1,115,240 pods', (t) => {
  t.is(nodeCount(1), 12_500);
  // ≈ 1.1 M expected pods / 35.125 pods per Job = 31,317 Jobs expected; the seed draws these.
  t.deepEqual(totals(1, '1'), { jobs: 31_440, pods: 1_115_240 });
});

test('tiny scales: exact counts per seed, draws within their ranges', (t) => {
  t.is(nodeCount(0.001), 13); // round(12.5)
  t.deepEqual(totals(0.001, '1'), { jobs: 31, pods: 1_062 });
  t.deepEqual(totals(0.001, '2'), { jobs: 29, pods: 1_409 });
  const first = jobDraws({ scale: 0.001, seed: '1' }).next().value!;
  t.deepEqual(first, {
    timeUs: 811_960,
    name: 'job-000000',
    namespace: 'tenant-05',
    completions: 1,
    parallelism: 1,
    durationSeconds: 30,
    cpu: '250m',
    memory: '1Gi',
  });
  let last = -1;
  for (const d of jobDraws({ scale: 0.01, seed: '3' })) {
    t.true(d.timeUs >= last && d.timeUs < 86_400_000_000);
    last = d.timeUs;
    t.true(d.completions >= 1 && d.completions <= 1000);
    t.true(d.parallelism >= 1 && d.parallelism <= Math.min(d.completions, 200));
    t.true(d.durationSeconds >= 5 && d.durationSeconds <= 600);
  }
  t.throws(() => nodeCount(0), { instanceOf: RangeError });
});

test('the objects: Namespaces and nodes at 0, then Jobs with a TTL and a duration annotation', async (t) => {
  const kinds: Record<string, number> = {};
  for await (const c of googleWorkload({ scale: 0.001, seed: '1' })) {
    kinds[c.object.kind!] = (kinds[c.object.kind!] ?? 0) + 1;
    if (c.object.kind !== 'Job') t.is(c.timeUs, 0);
  }
  t.deepEqual(kinds, { Namespace: TENANTS, Node: 13, Job: 31 });
  t.deepEqual(googleNode(7).status!.allocatable, { cpu: '64', memory: '256Gi', pods: '110' });
  const job = googleJob(jobDraws({ scale: 0.001, seed: '1' }).next().value!);
  t.is(job.spec!.ttlSecondsAfterFinished, JOB_TTL_SECONDS);
  t.is(job.spec!.template.metadata!.annotations!['kreplay.io/duration'], '30s');
});

test('a tiny replay: the Job controller creates every pod, all succeed, TTL and GC empty the store', async (t) => {
  const r = await runGoogleScale({ scale: 0.001, seed: '1' });
  t.like(r, {
    nodes: 13,
    jobs: 31,
    pods: 1_062,
    podsSucceeded: 1_062,
    schedulingAttempts: 1_062,
    livePodsAtEnd: 0,
    liveJobsAtEnd: 0,
  });
  // The last Job arrives at 85,697 s; the run ends once it has finished and been collected.
  t.true(r.virtualSeconds > 85_697 && r.virtualSeconds < 86_400 + 3_600);
});
