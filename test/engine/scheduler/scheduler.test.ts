import test from 'ava';
import {
  Scheduler,
  loadSchedulerConfig,
  numFeasibleNodesToFind,
  type ScheduleFailure,
} from '../../../engine/scheduler/index.js';
import { makeNode, makePod } from '../../helpers/builders.js';
import { cluster, coreDefaults, coreRegistry } from './helpers.js';

test('numFeasibleNodesToFind: adaptive percentage', (t) => {
  // N < 100 → all
  t.is(numFeasibleNodesToFind(0, 99), 99);
  // 1,000: p = 50 − 8 = 42 → 420
  t.is(numFeasibleNodesToFind(0, 1000), 420);
  // 5,000: p = 50 − 40 = 10 → 500
  t.is(numFeasibleNodesToFind(0, 5000), 500);
  // 15,000: p = max(5, 50 − 120) = 5 → 750
  t.is(numFeasibleNodesToFind(0, 15000), 750);
  // 150: p = 49 → 73 < 100 → 100
  t.is(numFeasibleNodesToFind(0, 150), 100);
  // Explicit percentages
  t.is(numFeasibleNodesToFind(30, 1000), 300);
  t.is(numFeasibleNodesToFind(100, 1000), 1000);
  t.is(numFeasibleNodesToFind(1, 1000), 100);
});

const nodesN = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    makeNode(`n${String(i).padStart(5, '0')}`)
      .cap({ cpu: '4', memory: '8Gi', pods: 110 })
      .build(),
  );

test('percentageOfNodesToScore: stops after the needed feasible nodes; round-robin start index', (t) => {
  const s = cluster(nodesN(1000));
  t.is(s.nextStartNodeIndex, 0);
  const r1 = s.scheduleOne(makePod('p1').req({ cpu: '100m' }).build());
  t.like(r1, { code: 'Success', feasibleNodes: 420, evaluatedNodes: 420 });
  t.is(s.nextStartNodeIndex, 420);
  s.scheduleOne(makePod('p2').req({ cpu: '100m' }).build());
  t.is(s.nextStartNodeIndex, 840);
  // Wraps: 840 + 420 = 1260 % 1000 = 260
  s.scheduleOne(makePod('p3').req({ cpu: '100m' }).build());
  t.is(s.nextStartNodeIndex, 260);
});

test('round-robin counts rejected nodes as examined', (t) => {
  const nodes = nodesN(200);
  // Nodes 0..49 are too small for the pod.
  for (let i = 0; i < 50; i++) nodes[i]!.status!.allocatable!.cpu = '100m';
  const s = cluster(nodes);
  // 200 nodes: p = 50 − 1 = 49 → 98 → at least 100 to find; 50 rejected + 100 feasible examined.
  const r = s.scheduleOne(makePod('p').req({ cpu: '1' }).build());
  t.like(r, { code: 'Success', feasibleNodes: 100, evaluatedNodes: 150 });
  t.is(s.nextStartNodeIndex, 150);
});

test('exactly one feasible node: chosen without scoring', (t) => {
  const s = cluster([
    makeNode('small').cap({ cpu: '1', pods: 10 }).build(),
    makeNode('big').cap({ cpu: '8', pods: 10 }).build(),
  ]);
  t.deepEqual(s.scheduleOne(makePod('p').req({ cpu: '2' }).build()), {
    code: 'Success',
    nodeName: 'big',
    score: 0,
    feasibleNodes: 1,
    evaluatedNodes: 2,
  });
});

test('ties broken by the seeded stream, deterministically', (t) => {
  const run = (seed: number) => {
    const s = cluster(nodesN(10), [], coreDefaults(), seed);
    return Array.from(
      { length: 20 },
      (_, i) => (s.scheduleOne(makePod(`p${i}`).req({ cpu: '1' }).build()) as { nodeName: string }).nodeName,
    );
  };
  t.deepEqual(run(0.25), run(0.25));
  t.notDeepEqual(run(0.25), run(0.75));
  // All ten nodes are identical: every pick is one of them, and more than one is picked.
  t.true(new Set(run(0.25)).size > 1);
  // One draw r picks the floor(r × 5)-th of the 5 tied nodes in slot order: r = 0 → the first,
  // r = 0.999 → floor(4.995) = 4 → the last, r = 0.5 → floor(2.5) = 2 → the third.
  for (const [r, name] of [
    [0, 'n00000'],
    [0.999, 'n00004'],
    [0.5, 'n00002'],
  ] as const) {
    let draws = 0;
    const s = new Scheduler({ config: coreDefaults(), registry: coreRegistry(), random: () => (draws++, r) });
    for (const n of nodesN(5)) s.addNode(n);
    t.like(s.scheduleOne(makePod('p').req({ cpu: '1' }).build()), { code: 'Success', nodeName: name });
    t.is(draws, 1);
  }
});

test('highest total score wins; scheduleOne does not mutate the index', (t) => {
  const s = cluster([
    makeNode('a').cap({ cpu: '4', memory: '8Gi', pods: 110 }).build(),
    makeNode('b').cap({ cpu: '8', memory: '8Gi', pods: 110 }).build(),
  ]);
  const pod = makePod('p').req({ cpu: '1', memory: '1Gi' }).build();
  const r = s.scheduleOne(pod);
  t.like(r, { code: 'Success', nodeName: 'b', feasibleNodes: 2 });
  t.is(s.index.podCount[s.index.slotOf('b')], 0);
  s.addPod({ ...pod, spec: { ...pod.spec!, nodeName: 'b' } });
  t.is(s.index.podCount[s.index.slotOf('b')], 1);
});

test('failure diagnosis: counts per reason, sorted like kube-scheduler', (t) => {
  const s = cluster([
    makeNode('n1').cap({ cpu: '1', memory: '1Gi', pods: 110 }).build(),
    makeNode('n2').cap({ cpu: '1', memory: '1Gi', pods: 110 }).build(),
    makeNode('n3').cap({ cpu: '1', memory: '1Gi', pods: 110 }).build(),
    makeNode('n4').cap({ cpu: '8', pods: 110 }).taint('k', 'v', 'NoSchedule').build(),
    makeNode('n5').cap({ cpu: '8', pods: 110 }).taint('k', 'v', 'NoSchedule').build(),
  ]);
  const r = s.scheduleOne(makePod('p').req({ cpu: '2' }).build()) as ScheduleFailure;
  t.is(r.code, 'Unschedulable');
  t.is(r.message, '0/5 nodes are available: 2 node(s) had untolerated taint {k: v}, 3 Insufficient cpu.');
  t.deepEqual(r.reasons, {
    NodeResourcesFit: ['Insufficient cpu'],
    TaintToleration: ['node(s) had untolerated taint {k: v}'],
  });
  t.deepEqual(r.reasonCounts, {
    NodeResourcesFit: { 'Insufficient cpu': 3 },
    TaintToleration: { 'node(s) had untolerated taint {k: v}': 2 },
  });
  t.is(r.evaluatedNodes, 5);
  // Only unresolvable reasons → UnschedulableAndUnresolvable.
  const u = s.scheduleOne(makePod('q').nodeSelector({ nope: 'x' }).build()) as ScheduleFailure;
  t.is(u.code, 'UnschedulableAndUnresolvable');
  // TaintToleration runs before NodeAffinity, so the tainted nodes report the taint.
  t.is(
    u.message,
    "0/5 nodes are available: 2 node(s) had untolerated taint {k: v}, 3 node(s) didn't match Pod's node affinity/selector.",
  );
});

test('profiles by schedulerName', (t) => {
  const text = JSON.stringify({
    apiVersion: 'kubescheduler.config.k8s.io/v1',
    kind: 'KubeSchedulerConfiguration',
    profiles: [
      { schedulerName: 'default-scheduler' },
      {
        schedulerName: 'packer',
        pluginConfig: [{ name: 'NodeResourcesFit', args: { scoringStrategy: { type: 'MostAllocated' } } }],
      },
    ],
  });
  const nodes = [
    makeNode('empty').cap({ cpu: '8', memory: '8Gi', pods: 110 }).build(),
    makeNode('busy').cap({ cpu: '8', memory: '8Gi', pods: 110 }).build(),
  ];
  const bound = [makePod('b').req({ cpu: '6', memory: '6Gi' }).node('busy').build()];
  const sched = cluster(nodes, bound, loadSchedulerConfig(text, 'two.yaml', coreRegistry()));
  t.like(sched.scheduleOne(makePod('p').req({ cpu: '1', memory: '1Gi' }).build()), { nodeName: 'empty' });
  t.like(sched.scheduleOne(makePod('p').req({ cpu: '1', memory: '1Gi' }).scheduler('packer').build()), {
    nodeName: 'busy',
  });
  t.like(sched.scheduleOne(makePod('p').scheduler('nobody').build()), {
    code: 'UnschedulableAndUnresolvable',
  });
});
