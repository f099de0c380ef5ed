import test from 'ava';
import { PrioritySort } from '../../../../engine/scheduler/plugins/priority-sort/index.js';
import { SchedulingGates } from '../../../../engine/scheduler/plugins/scheduling-gates/index.js';
import { portConflicts } from '../../../../engine/scheduler/plugins/node-ports/index.js';
import { makeNode, makePod } from '../../../helpers/builders.js';
import { cluster, onlyPlugins, verdicts } from '../helpers.js';

test('NodeUnschedulable: cordoned nodes rejected unless the taint is tolerated', (t) => {
  const nodes = [
    makeNode('ok').cap({ cpu: '1', pods: 10 }).build(),
    makeNode('cordoned').cap({ cpu: '1', pods: 10 }).unschedulable().build(),
  ];
  const s = cluster(nodes, [], onlyPlugins([{ name: 'NodeUnschedulable' }]));
  t.deepEqual(verdicts(s.explain(makePod('p').build())), {
    ok: 'ok',
    cordoned: 'UnschedulableAndUnresolvable: node(s) were unschedulable',
  });
  const tol = makePod('p')
    .toleration({ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' })
    .build();
  t.deepEqual(verdicts(s.explain(tol)), { ok: 'ok', cordoned: 'ok' });
  // Uncordoned: no node is unschedulable (the filter has nothing to do); cordoned again: rejected.
  s.updateNode(makeNode('cordoned').cap({ cpu: '1', pods: 10 }).build());
  t.is(s.index.unschedulableNodes, 0);
  t.deepEqual(verdicts(s.explain(makePod('p').build())), { ok: 'ok', cordoned: 'ok' });
  s.updateNode(makeNode('ok').cap({ cpu: '1', pods: 10 }).unschedulable().build());
  t.deepEqual(verdicts(s.explain(makePod('p').build())), {
    ok: 'UnschedulableAndUnresolvable: node(s) were unschedulable',
    cordoned: 'ok',
  });
});

test('NodeName: only the named node', (t) => {
  const nodes = [
    makeNode('a').cap({ cpu: '1', pods: 10 }).build(),
    makeNode('b').cap({ cpu: '1', pods: 10 }).build(),
  ];
  const s = cluster(nodes, [], onlyPlugins([{ name: 'NodeName' }]));
  t.deepEqual(verdicts(s.explain(makePod('p').node('b').build())), {
    a: "UnschedulableAndUnresolvable: node(s) didn't match the requested node name",
    b: 'ok',
  });
  t.deepEqual(verdicts(s.explain(makePod('p').build())), { a: 'ok', b: 'ok' });
});

test('NodePorts: conflicts by protocol, port and host IP', (t) => {
  const tcp = (port: number, hostIP = '0.0.0.0') => ({ protocol: 'TCP', hostIP, port });
  t.true(portConflicts(tcp(80), [tcp(80)]));
  t.false(portConflicts(tcp(80), [{ protocol: 'UDP', hostIP: '0.0.0.0', port: 80 }]));
  t.true(portConflicts(tcp(80, '10.0.0.1'), [tcp(80)]), 'used on 0.0.0.0 conflicts with any IP');
  t.true(portConflicts(tcp(80), [tcp(80, '10.0.0.1')]), 'wanting 0.0.0.0 conflicts with any IP');
  t.false(portConflicts(tcp(80, '10.0.0.1'), [tcp(80, '10.0.0.2')]));
  const nodes = [
    makeNode('a').cap({ cpu: '1', pods: 10 }).build(),
    makeNode('b').cap({ cpu: '1', pods: 10 }).build(),
  ];
  const s = cluster(
    nodes,
    [makePod('web').hostPort(8080).node('a').build()],
    onlyPlugins([{ name: 'NodePorts' }]),
  );
  t.deepEqual(verdicts(s.explain(makePod('p').hostPort(8080).build())), {
    a: "Unschedulable: node(s) didn't have free ports for the requested pod ports",
    b: 'ok',
  });
  t.deepEqual(verdicts(s.explain(makePod('p').hostPort(8081).build())), { a: 'ok', b: 'ok' });
  // Removing the pod frees the port.
  s.removePod(makePod('web').build());
  t.deepEqual(verdicts(s.explain(makePod('p').hostPort(8080).build())), { a: 'ok', b: 'ok' });
});

test('SchedulingGates and PrioritySort', (t) => {
  const g = new SchedulingGates();
  t.deepEqual(g.preEnqueue(makePod('p').gate('a').gate('b').build()), {
    code: 'UnschedulableAndUnresolvable',
    plugin: 'SchedulingGates',
    reasons: ['waiting for scheduling gates: [a b]'],
  });
  t.is(g.preEnqueue(makePod('p').build()).code, 'Success');
  const q = new PrioritySort();
  const hi = { pod: makePod('h').priority(10).build(), timestampUs: 5 };
  const lo = { pod: makePod('l').priority(1).build(), timestampUs: 1 };
  const lo2 = { pod: makePod('l2').priority(1).build(), timestampUs: 2 };
  t.true(q.less(hi, lo));
  t.false(q.less(lo, hi));
  t.true(q.less(lo, lo2), 'same priority: earlier first');
});
