import test from 'ava';
import type { Node, Pod } from '../../../engine/api/types.js';
import { UNREACHABLE_TAINT } from '../../../engine/controllers/index.js';
import { at, D, deployment, MIN, node, podCreates, replay, S } from './helpers.js';

test('a node failure taints the node after 40 s and evicts its pods 300 s later; the ReplicaSet re-creates them elsewhere', async (t) => {
  // n1 only at first, so every pod lands there; n2 joins later as the refuge.
  const { r, log } = await replay(
    [at(0, node('n1')), at(0, deployment('web', 3)), at(30 * S, node('n2'))],
    10 * MIN,
    {
      setup: (rr) => rr.controlPlane!.faults.inject(MIN, { type: 'node-down', node: 'n1' }),
    },
  );
  // down at 60 s → unreachable (NoSchedule + NoExecute) at 100 s (grace 40 s) → the pods' implicit
  // 300 s toleration ends at 400 s: evicted, re-created by the ReplicaSet 10 ms later, bound to n2.
  const taintedAt = log.find(
    (e) => e.type === 'api' && e.kind === 'Node' && ((e.object as Node).spec?.taints ?? []).length > 0,
  )!.time;
  t.is(taintedAt, 100 * S);
  const evictions = log.filter((e) => e.type === 'ctrl.evict');
  t.deepEqual(
    evictions.map((e) => [e.time, e.node, e.taint]),
    Array(3).fill([400 * S, 'n1', UNREACHABLE_TAINT]),
  );
  t.deepEqual(
    podCreates(log)
      .slice(3)
      .map(([time]) => time),
    [400 * S + D, 400 * S + D, 400 * S + D],
  );
  const pods = r.store.list<Pod>('Pod');
  t.is(pods.length, 3);
  t.true(pods.every((p) => p.spec!.nodeName === 'n2' && p.status!.phase === 'Running'));
});

test('a node back before the toleration ends keeps its pods', async (t) => {
  const { r, log } = await replay(
    [at(0, node('n1')), at(0, node('n2')), at(0, deployment('web', 2))],
    10 * MIN,
    {
      setup: (rr) => {
        rr.controlPlane!.faults.inject(MIN, { type: 'node-down', node: 'n1' });
        rr.controlPlane!.faults.inject(3 * MIN, { type: 'node-up', node: 'n1' });
      },
    },
  );
  t.is(log.filter((e) => e.type === 'ctrl.evict').length, 0);
  t.deepEqual(r.store.get<Node>('Node', 'n1')!.spec!.taints, []);
  t.is(r.store.count('Pod'), 2);
});

test('killing the controller-manager leader delays pod creation by the lease timings', async (t) => {
  const calls = [at(0, node('n1')), at(12 * S, deployment('web', 2))];
  const base = await replay(calls, MIN);
  t.deepEqual(
    podCreates(base.log).map(([time]) => time),
    [12 * S + 2 * D, 12 * S + 2 * D],
  );

  const { log } = await replay(calls, MIN, {
    setup: (rr) => rr.controlPlane!.faults.inject(11 * S, { type: 'controller-manager-kill' }),
  });
  // kcm-0 leads since 0 s and renews every 2 s: last renewal at 10 s. Killed at 11 s, its lease
  // expires at 10 + 15 = 25 s; the standby (retrying every 2 s since 0 s) acquires at its first try
  // at or after 25 s, i.e. 26 s, re-lists, and the Deployment created at 12 s is synced then:
  // ReplicaSet at 26 s + 10 ms, pods at 26 s + 20 ms.
  const leader = log.filter((e) => e.type === 'ctrl.leader').map((e) => [e.time, e.identity, e.event]);
  t.deepEqual(leader, [
    [11 * S, 'kcm-0-0', 'lost'],
    [26 * S, 'kcm-1-1', 'acquired'],
  ]);
  t.deepEqual(
    podCreates(log).map(([time]) => time),
    [26 * S + 2 * D, 26 * S + 2 * D],
  );
});

test('a quota-change fault raises a quota', async (t) => {
  const quota = {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: 'q', namespace: 'default' },
    spec: { hard: { pods: '1' } },
  };
  const { r } = await replay([at(0, node('n1')), at(0, quota), at(0, deployment('web', 3))], 30 * MIN, {
    setup: (rr) =>
      rr.controlPlane!.faults.inject(MIN, {
        type: 'quota-change',
        namespace: 'default',
        name: 'q',
        hard: { pods: '3' },
      }),
  });
  t.is(r.store.count('Pod'), 3);
});
