import test from 'ava';
import type { Pod, ReplicaSet, ResourceQuota } from '../../../engine/api/types.js';
import {
  isPodActive,
  isPodReady,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
} from '../../../engine/controllers/index.js';
import { at, D, deployment, MIN, node, phases, podCreates, quota, replay, S, template } from './helpers.js';

test('a Deployment of 10 under a quota of 6 pods runs 6, retries with backoff, and gets 4 more after the quota is raised', async (t) => {
  const { r, log } = await replay(
    [
      at(0, node('n1')),
      at(0, quota('q', { pods: '6' })),
      at(0, deployment('web', 10)),
      at(10 * MIN, quota('q', { pods: '10' }), 'update'),
    ],
    20 * MIN,
  );
  const rejects = log.filter((e) => e.type === 'admission.reject');
  t.true(rejects.every((e) => e.by === 'replicaset-controller' && e.key === 'default/web-7f9c9cb49-'));
  t.regex(
    rejects[0]!.message as string,
    /exceeded quota: q, requested: pods=1, used: pods=6, limited: pods=6$/,
  );
  // Deployment sync at 10 ms creates the ReplicaSet; its sync at 20 ms creates 6 pods and is refused
  // on the 7th. Retries follow the work-queue backoff (5 ms doubling per failure), interleaved with
  // syncs that the ReplicaSet's own status updates and its pods turning Running (1 s start-up) cause;
  // each of those also fails and doubles the backoff.
  t.deepEqual(
    rejects.map((e) => e.time),
    [
      20_000, 25_000, 30_000, 35_000, 75_000, 155_000, 315_000, 635_000, 1_030_000, 1_040_000, 1_275_000,
      2_310_000, 3_600_000, 24_080_000, 65_040_000, 146_960_000, 310_800_000,
    ],
  );
  // The failure at 310.8 s was the 17th: the next try comes 5 ms · 2^16 = 327.68 s later, at 638.48 s,
  // after the quota was raised at 600 s — and succeeds for all 4 missing pods.
  const creates = podCreates(log);
  t.deepEqual(
    creates.map(([time]) => time),
    [...Array<number>(6).fill(2 * D), ...Array<number>(4).fill(638_480_000)],
  );
  t.deepEqual(phases(r), { Running: 10 });
  t.deepEqual(r.store.get<ResourceQuota>('ResourceQuota', 'q')!.status, {
    hard: { pods: '10' },
    used: { pods: '10' },
  });
});

test('quota status.used is released when pods are deleted', async (t) => {
  const { r } = await replay(
    [
      at(0, node('n1')),
      at(0, quota('q', { pods: '6', 'requests.cpu': '2' })),
      at(0, deployment('web', 4)),
      at(MIN, { ...deployment('web', 1) }, 'update'),
    ],
    2 * MIN,
  );
  // 1 pod × 100m remains.
  t.deepEqual(r.store.get<ResourceQuota>('ResourceQuota', 'q')!.status, {
    hard: { pods: '6', 'requests.cpu': '2' },
    used: { pods: '1', 'requests.cpu': '100m' },
  });
});

test('a rolling update never exceeds replicas + maxSurge nor goes below replicas - maxUnavailable', async (t) => {
  const v2 = deployment('web', 10, {
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 2, maxUnavailable: 1 } },
    template: {
      ...template('web'),
      spec: { containers: [{ name: 'main', image: 'web:2', resources: { requests: { cpu: '100m' } } }] },
    },
  });
  let maxActive = 0;
  let minReadyDuringRollout = Infinity;
  const { r } = await replay(
    [at(0, node('n1')), at(0, node('n2')), at(0, deployment('web', 10)), at(MIN, v2, 'update')],
    5 * MIN,
    {
      onEntry: (e, rr) => {
        const pods = rr.store.list<Pod>('Pod', { labelSelector: 'app=web' }).filter(isPodActive);
        maxActive = Math.max(maxActive, pods.length);
        if (e.time >= MIN)
          minReadyDuringRollout = Math.min(minReadyDuringRollout, pods.filter(isPodReady).length);
      },
    },
  );
  t.is(maxActive, 12); // 10 + maxSurge 2, reached and never passed
  t.is(minReadyDuringRollout, 9); // 10 - maxUnavailable 1
  const rss = r.store.list<ReplicaSet>('ReplicaSet');
  t.is(rss.length, 2);
  const [oldRs, newRs] = rss;
  t.is(oldRs!.spec!.replicas, 0);
  t.is(newRs!.spec!.replicas, 10);
  t.is(newRs!.metadata!.annotations![REVISION_ANNOTATION], '2');
  const hash = newRs!.metadata!.labels![POD_TEMPLATE_HASH_LABEL]!;
  const pods = r.store.list<Pod>('Pod');
  t.is(pods.length, 10);
  t.true(
    pods.every((p) => p.metadata!.labels![POD_TEMPLATE_HASH_LABEL] === hash && p.status!.phase === 'Running'),
  );
});

test('Recreate deletes every old pod before creating new ones', async (t) => {
  const v2 = deployment('web', 3, {
    strategy: { type: 'Recreate' },
    template: template('web', { v: '2' }),
  });
  const { log } = await replay(
    [
      at(0, node('n1')),
      at(0, deployment('web', 3, { strategy: { type: 'Recreate' } })),
      at(MIN, v2, 'update'),
    ],
    2 * MIN,
  );
  const deletes = log
    .filter((e) => e.type === 'api' && e.kind === 'Pod' && e.verb === 'delete')
    .map((e) => e.time);
  const secondWave = podCreates(log)
    .slice(3)
    .map(([time]) => time);
  t.is(deletes.length, 3);
  t.true(Math.max(...deletes) < Math.min(...secondWave));
  // update at 60 s → deployment sync (+10 ms) scales the old RS to 0 → RS sync (+10 ms) deletes 3 pods →
  // RS status → deployment sync (+10 ms) scales the new RS to 3 → RS sync (+10 ms) creates them.
  t.deepEqual(deletes, [MIN + 2 * D, MIN + 2 * D, MIN + 2 * D]);
  t.deepEqual(secondWave, [MIN + 4 * D, MIN + 4 * D, MIN + 4 * D]);
});

test('scaling a Deployment up and down', async (t) => {
  const { r } = await replay(
    [
      at(0, node('n1')),
      at(0, deployment('web', 2)),
      at(MIN, deployment('web', 5), 'update'),
      at(2 * MIN, deployment('web', 3), 'update'),
    ],
    3 * MIN,
  );
  t.deepEqual(phases(r), { Running: 3 });
  const rs = r.store.list<ReplicaSet>('ReplicaSet');
  t.is(rs.length, 1);
  t.is(rs[0]!.spec!.replicas, 3);
});

test('garbage collection: deleting a Deployment deletes its ReplicaSet, then its pods (background)', async (t) => {
  const { r, log } = await replay(
    [at(0, node('n1')), at(0, deployment('web', 3)), at(MIN, deployment('web', 3), 'delete')],
    2 * MIN,
  );
  const deletes = log.filter((e) => e.type === 'api' && e.verb === 'delete').map((e) => [e.time, e.kind]);
  t.deepEqual(deletes, [
    [MIN, 'Deployment'],
    [MIN + D, 'ReplicaSet'],
    [MIN + 2 * D, 'Pod'],
    [MIN + 2 * D, 'Pod'],
    [MIN + 2 * D, 'Pod'],
  ]);
  t.is(r.store.count('Pod'), 0);
});

test('namespace deletion deletes what it contains', async (t) => {
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } };
  const d = deployment('web', 2);
  d.metadata = { name: 'web', namespace: 'team' };
  const { r } = await replay([at(0, node('n1')), at(0, ns), at(0, d), at(MIN, ns, 'delete')], 2 * MIN);
  t.is(r.store.count('Pod'), 0);
  t.is(r.store.count('ReplicaSet'), 0);
  t.is(r.store.count('Deployment'), 0);
});

test('same scenario twice gives the same log hash', async (t) => {
  const calls = () => [
    at(0, node('n1')),
    at(0, node('n2')),
    at(0, quota('q', { pods: '8' })),
    at(0, deployment('web', 10)),
    at(MIN, deployment('web', 4), 'update'),
  ];
  const a = await replay(calls(), 5 * MIN);
  const b = await replay(calls(), 5 * MIN);
  t.is(a.r.sim.log.hash, b.r.sim.log.hash);
  t.true(a.log.length > 20);
});

test('LimitRange defaults and bounds, PriorityClass resolution', async (t) => {
  const lr = {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: 'lr', namespace: 'default' },
    spec: {
      limits: [
        { type: 'Container', default: { cpu: '500m' }, defaultRequest: { cpu: '200m' }, max: { cpu: '1' } },
      ],
    },
  };
  const pc = {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name: 'high' },
    value: 1000,
    globalDefault: true,
  };
  const pod = (name: string, cpuLimit?: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      containers: [
        { name: 'c', image: 'x', ...(cpuLimit ? { resources: { limits: { cpu: cpuLimit } } } : {}) },
      ],
    },
  });
  const { r, log } = await replay(
    [at(0, node('n1')), at(0, lr), at(0, pc), at(S, pod('a')), at(S, pod('big', '2'))],
    MIN,
  );
  const a = r.store.get<Pod>('Pod', 'a')!;
  t.deepEqual(a.spec!.containers[0]!.resources, { limits: { cpu: '500m' }, requests: { cpu: '200m' } });
  t.is(a.spec!.priority, 1000);
  t.is(a.spec!.priorityClassName, 'high');
  t.is(a.spec!.preemptionPolicy, 'PreemptLowerPriority');
  t.is(r.store.get('Pod', 'big'), undefined);
  const rej = log.find((e) => e.type === 'admission.reject')!;
  t.is(rej.by, 'trace');
  t.regex(rej.message as string, /maximum cpu usage per Container is 1, but limit is 2$/);
});

test('pods from a template with a bad kreplay.io/duration are refused at create, like any invalid pod', async (t) => {
  const d = deployment('web', 2, { template: template('web', { 'kreplay.io/duration': 'abc' }) });
  const { r, log } = await replay([at(0, node('n1')), at(0, d)], MIN);
  t.is(r.store.count('Pod'), 0);
  const rejects = log.filter((e) => e.type === 'admission.reject');
  t.true(rejects.length > 0);
  for (const e of rejects) {
    t.like(e, {
      kind: 'Pod',
      by: 'replicaset-controller',
      reason: 'INVALID_DURATION',
      message:
        'metadata.annotations.kreplay.io/duration: invalid duration "abc" (use e.g. 90s, 15m, 36h, 30d)',
    });
  }
});
