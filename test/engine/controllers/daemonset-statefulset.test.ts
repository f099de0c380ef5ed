import test from 'ava';
import type { KObject, Pod } from '../../../engine/api/types.js';
import { daemonPodNode } from '../../../engine/controllers/index.js';
import { at, D, MIN, node, podCreates, replay, S, template } from './helpers.js';

function daemonSet(name: string, spec: Record<string, unknown> = {}): KObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'default' },
    spec: { selector: { matchLabels: { app: name } }, template: template(name, {}, spec) },
  };
}

test('a DaemonSet follows node additions and removals, honouring nodeSelector and taints', async (t) => {
  const tainted = node(
    'n3',
    '16',
    { pool: 'a' },
    { spec: { taints: [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }] } },
  );
  const { r, log } = await replay(
    [
      at(0, node('n1', '16', { pool: 'a' })),
      at(0, node('n2', '16', { pool: 'b' })),
      at(0, tainted),
      at(0, daemonSet('agent', { nodeSelector: { pool: 'a' } })),
      at(MIN, node('n4', '16', { pool: 'a' })),
      at(2 * MIN, node('n1'), 'delete'),
    ],
    3 * MIN,
  );
  // Only n1 (pool a, no taint) at first; n4 one reaction delay after it joins; n1's pod is deleted
  // one reaction delay after n1 goes.
  const creates = podCreates(log);
  t.is(creates.length, 2);
  t.deepEqual(
    creates.map(([time]) => time),
    [D, MIN + D],
  );
  const pods = r.store.list<Pod>('Pod');
  t.deepEqual(
    pods.map((p) => [daemonPodNode(p), p.spec!.nodeName, p.status!.phase]),
    [['n4', 'n4', 'Running']],
  );
  t.deepEqual(pods[0]!.spec!.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution, {
    nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n4'] }] }],
  });
  const del = log.find((e) => e.type === 'api' && e.kind === 'Pod' && e.verb === 'delete')!;
  t.is(del.time, 2 * MIN + D);
});

test('a DaemonSet tolerating the taint runs there too', async (t) => {
  const tainted = node(
    'n3',
    '16',
    {},
    { spec: { taints: [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }] } },
  );
  const { r } = await replay(
    [
      at(0, node('n1')),
      at(0, tainted),
      at(0, daemonSet('agent', { tolerations: [{ key: 'gpu', operator: 'Exists' }] })),
    ],
    MIN,
  );
  t.deepEqual(
    r.store
      .list<Pod>('Pod')
      .map((p) => p.spec!.nodeName)
      .sort(),
    ['n1', 'n3'],
  );
});

function statefulSet(name: string, replicas: number, policy?: string): KObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: template(name),
      ...(policy ? { podManagementPolicy: policy } : {}),
    },
  };
}

test('StatefulSet OrderedReady creates pod-0, waits until it is Running, then pod-1 …', async (t) => {
  const { r, log } = await replay([at(0, node('n1')), at(0, statefulSet('db', 3))], MIN);
  // pod-i is created one reaction delay after pod-(i-1) turns Running (1 s after its creation).
  t.deepEqual(podCreates(log), [
    [D, 'db-0'],
    [D + S + D, 'db-1'],
    [D + 2 * (S + D), 'db-2'],
  ]);
  t.is(r.store.get<Pod>('Pod', 'db-1')!.spec!.hostname, 'db-1');
  t.is(r.store.get<Pod>('Pod', 'db-1')!.spec!.subdomain, 'db');
});

test('StatefulSet Parallel creates all at once; scale-down removes the highest ordinals', async (t) => {
  const { r, log } = await replay(
    [
      at(0, node('n1')),
      at(0, statefulSet('db', 3, 'Parallel')),
      at(MIN, statefulSet('db', 1, 'Parallel'), 'update'),
    ],
    2 * MIN,
  );
  t.deepEqual(podCreates(log), [
    [D, 'db-0'],
    [D, 'db-1'],
    [D, 'db-2'],
  ]);
  t.deepEqual(
    r.store.list<Pod>('Pod').map((p) => p.metadata!.name),
    ['db-0'],
  );
});
