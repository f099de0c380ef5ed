import test from 'ava';
import type { Job, KObject, Pod } from '../../../engine/api/types.js';
import { CronSchedule, jobFinished } from '../../../engine/controllers/index.js';
import { at, D, MIN, node, podCreates, replay, S, template } from './helpers.js';

function job(name: string, spec: Record<string, unknown>, annotations: Record<string, string> = {}): KObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default' },
    spec: { template: template(name, annotations, { restartPolicy: 'Never' }), ...spec },
  };
}

function cronJob(
  name: string,
  schedule: string,
  duration: string,
  spec: Record<string, unknown> = {},
): KObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: 'default' },
    spec: {
      schedule,
      jobTemplate: {
        spec: { template: template(name, { 'kreplay.io/duration': duration }, { restartPolicy: 'Never' }) },
      },
      ...spec,
    },
  };
}

test('a Job runs its pods to completion with parallelism and completions', async (t) => {
  const { r, log } = await replay(
    [
      at(0, node('n1')),
      at(0, job('batch', { parallelism: 2, completions: 5 }, { 'kreplay.io/duration': '30s' })),
    ],
    10 * MIN,
  );
  const j = r.store.get<Job>('Job', 'batch')!;
  t.is(jobFinished(j)?.type, 'Complete');
  t.is(j.status!.succeeded, 5);
  // Waves of 2, 2, 1: each pod takes 1 s start-up + 30 s, and the Job controller reacts 10 ms after
  // a pod ends. Wave k starts at 10 ms + k·(31 s + 10 ms).
  t.deepEqual(
    podCreates(log).map(([time]) => time),
    [D, D, D + 31 * S + D, D + 31 * S + D, D + 2 * (31 * S + D)],
  );
});

test('a failing Job retries with 10 s, 20 s backoff and fails after backoffLimit', async (t) => {
  const { r, log } = await replay(
    [
      at(0, node('n1')),
      at(0, job('flaky', { backoffLimit: 2 }, { 'kreplay.io/duration': '30s', 'kreplay.io/exit': 'failed' })),
    ],
    10 * MIN,
  );
  // pod 1 created at 10 ms, bound at once, Running at 1.01 s, fails at 31.01 s.
  // backoff 10 s → pod 2 at 41.01 s; Running 42.01 s, fails 72.01 s.
  // backoff 20 s → pod 3 at 92.01 s; Running 93.01 s, fails 123.01 s: 3 failures > backoffLimit 2,
  // the Job fails at 123.02 s (one reaction delay later).
  t.deepEqual(
    podCreates(log).map(([time]) => time),
    [D, 41 * S + D, 92 * S + D],
  );
  const j = r.store.get<Job>('Job', 'flaky')!;
  const cond = jobFinished(j)!;
  t.is(cond.type, 'Failed');
  t.is(cond.reason, 'BackoffLimitExceeded');
  t.is(j.status!.failed, 3);
  const failedAt = log.find(
    (e) => e.type === 'api' && e.kind === 'Job' && (e.object as Job).status?.conditions,
  )!.time;
  t.is(failedAt, 123 * S + 2 * D);
});

test('activeDeadlineSeconds fails a Job and deletes its pods; ttlSecondsAfterFinished deletes the Job', async (t) => {
  const { r, log } = await replay(
    [
      at(0, node('n1')),
      at(
        0,
        job(
          'slow',
          { activeDeadlineSeconds: 60, ttlSecondsAfterFinished: 30 },
          { 'kreplay.io/duration': '10m' },
        ),
      ),
    ],
    5 * MIN,
  );
  const deletes = log.filter((e) => e.type === 'api' && e.verb === 'delete').map((e) => [e.time, e.kind]);
  // started at 10 ms (first sync); deadline at 60.01 s: the pod is deleted and the Job fails;
  // 30 s later the TTL controller deletes the Job.
  t.deepEqual(deletes, [
    [60 * S + D, 'Pod'],
    [90 * S + D, 'Job'],
  ]);
  t.is(r.store.count('Job'), 0);
});

test('an Indexed Job gives each pod its completion index', async (t) => {
  const { r } = await replay(
    [
      at(0, node('n1')),
      at(
        0,
        job(
          'idx',
          { completionMode: 'Indexed', completions: 3, parallelism: 3 },
          { 'kreplay.io/duration': '5s' },
        ),
      ),
    ],
    MIN,
  );
  const j = r.store.get<Job>('Job', 'idx')!;
  t.is(jobFinished(j)?.type, 'Complete');
  t.is(j.status!.completedIndexes, '0-2');
  const idx = r.store
    .list<Pod>('Pod')
    .map((p) => p.metadata!.annotations!['batch.kubernetes.io/job-completion-index']);
  t.deepEqual(idx, ['0', '1', '2']);
  t.true(r.store.list<Pod>('Pod').every((p, i) => p.metadata!.name!.startsWith(`idx-${i}-`)));
});

function jobCreates(
  log: { type: string; kind?: unknown; verb?: unknown; time: number; key?: unknown }[],
): [number, string][] {
  return log
    .filter((e) => e.type === 'api' && e.kind === 'Job' && e.verb === 'create')
    .map((e) => [e.time, String(e.key)]);
}

test('a */5 CronJob over one hour with 2-minute jobs creates 12 Jobs', async (t) => {
  const { r, log } = await replay(
    [at(0, node('n1')), at(0, cronJob('tick', '*/5 * * * *', '2m'))],
    60 * MIN + S,
  );
  const creates = jobCreates(log);
  // Created at t=0: schedule times strictly after creation count, so 5, 10, …, 60 min: 12 Jobs,
  // each created right at its schedule time (the controller sleeps until then).
  t.is(creates.length, 12);
  t.deepEqual(
    creates.map(([time]) => time),
    Array.from({ length: 12 }, (_, i) => (i + 1) * 5 * MIN),
  );
  t.is(creates[0]![1], 'default/tick-5');
  // successfulJobsHistoryLimit 3: the 3 latest completed Jobs are kept, plus the one started at 60 min.
  t.is(r.store.count('Job'), 4);
});

test('with Forbid and 7-minute jobs, skipped times run late and fewer Jobs start', async (t) => {
  const { log } = await replay(
    [at(0, node('n1')), at(0, cronJob('tick', '*/5 * * * *', '7m', { concurrencyPolicy: 'Forbid' }))],
    60 * MIN + S,
  );
  const creates = jobCreates(log);
  // A job runs 7 min + ε after it is created (ε = job sync 10 ms + 1 s start-up, then job sync and
  // cronjob sync, 10 ms each, after the pod ends = 1.03 s). While one is active, Forbid skips the schedule
  // time but leaves it unmet, so the latest unmet time starts as soon as the active Job finishes:
  //   :05 → ends 12:01 → runs :10 late (…:12)  → ends ~19 → runs :15 at ~19
  //   ~26: :20 and :25 were missed → only :25 runs → ends ~33 → runs :30 → ends ~40 → :35,:40 missed → :40
  //   ~47 → :45 → ends ~54 → :50 → ends ~61 (:55 and :60 are missed while it runs, and the window ends).
  // So 8 Jobs: for :05 :10 :15 :25 :30 :40 :45 :50 — instead of 12.
  t.deepEqual(
    creates.map(([, key]) => Number(key.split('-')[1])),
    [5, 10, 15, 25, 30, 40, 45, 50],
  );
  t.is(creates[0]![0], 5 * MIN);
  t.is(creates[1]![0], 12 * MIN + 1_030_000);
});

test('cron schedules: ranges, steps, names, macros, time zones', (t) => {
  const day = new Date('2024-03-04T00:00:00Z').getTime() * 1000; // a Monday
  const s = new CronSchedule('0 9-17/4 * * MON-FRI');
  t.is(new Date(s.next(day) / 1000).toISOString(), '2024-03-04T09:00:00.000Z');
  t.is(new Date(s.next(s.next(day)) / 1000).toISOString(), '2024-03-04T13:00:00.000Z');
  t.is(new Date(new CronSchedule('@hourly').next(day) / 1000).toISOString(), '2024-03-04T01:00:00.000Z');
  t.is(
    new Date(new CronSchedule('0 9 * * *', 'Europe/Berlin').next(day) / 1000).toISOString(),
    '2024-03-04T08:00:00.000Z',
  );
  t.is(
    new Date(new CronSchedule('TZ=America/New_York 0 9 * * *').next(day) / 1000).toISOString(),
    '2024-03-04T14:00:00.000Z',
  );
  t.throws(() => new CronSchedule('61 * * * *'), { code: 'INVALID_SCHEDULE' });
});
