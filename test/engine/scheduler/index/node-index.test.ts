import test from 'ava';
import { NodeIndex, RES_CPU, RES_MEMORY, RES_PODS } from '../../../../engine/scheduler/index/index.js';
import { makeNode, makePod } from '../../../helpers/builders.js';

test('nodes: add, update, remove with deterministic slot reuse', (t) => {
  const idx = new NodeIndex();
  idx.addNode(makeNode('a').cap({ cpu: '4', memory: '8Gi', pods: 110 }).label('zone', 'z1').build());
  idx.addNode(makeNode('b').cap({ cpu: '2', memory: '4Gi', pods: 10 }).label('zone', 'z2').build());
  idx.addNode(makeNode('c').cap({ cpu: '1', pods: 10 }).build());
  t.is(idx.count, 3);
  t.is(idx.allocatable[RES_CPU]![idx.slotOf('a')], 4000);
  t.is(idx.allocatable[RES_MEMORY]![idx.slotOf('b')], 4 * 1024 ** 3);
  t.is(idx.allocatable[RES_PODS]![idx.slotOf('b')], 10);
  t.is(idx.labelOf(idx.slotOf('a'), 'zone'), 'z1');
  idx.removeNode('a');
  idx.removeNode('c');
  t.is(idx.count, 1);
  t.is(idx.live[0], 0);
  // Lowest free slot first.
  t.is(idx.addNode(makeNode('d').cap({ cpu: '1', pods: 10 }).build()), 0);
  t.is(idx.addNode(makeNode('e').cap({ cpu: '1', pods: 10 }).build()), 2);
  t.is(idx.size, 3);
  // Update changes labels and allocatable in place.
  idx.updateNode(makeNode('b').cap({ cpu: '16', pods: 10 }).label('zone', 'z3').build());
  t.is(idx.allocatable[RES_CPU]![idx.slotOf('b')], 16000);
  t.is(idx.allocatable[RES_MEMORY]![idx.slotOf('b')], 0);
  t.is(idx.labelOf(idx.slotOf('b'), 'zone'), 'z3');
});

test('pods: accounting on bind and delete, pods seen before their node', (t) => {
  const idx = new NodeIndex();
  idx.addNode(makeNode('a').cap({ cpu: '4', memory: '8Gi', pods: 110 }).build());
  const s = idx.slotOf('a');
  const p1 = makePod('p1').req({ cpu: '500m', memory: '1Gi' }).hostPort(80).node('a').build();
  const p2 = makePod('p2').container().node('a').build();
  idx.addPod(p1);
  idx.addPod(p2);
  t.is(idx.requested[RES_CPU]![s], 500);
  t.is(idx.nonZeroMilliCpu[s], 600, 'p2 counts 100m for scoring');
  t.is(idx.nonZeroMemoryBytes[s], 1024 ** 3 + 200 * 1024 ** 2);
  t.is(idx.podCount[s], 2);
  t.is(idx.usedPorts[s]!.length, 1);
  idx.removePod(p1);
  t.is(idx.requested[RES_CPU]![s], 0);
  t.is(idx.podCount[s], 1);
  t.is(idx.usedPorts[s]!.length, 0);
  t.deepEqual(
    idx.pods[s]!.map((p) => p.key),
    ['default/p2'],
  );
  // A pod bound to a node not yet known is accounted when the node arrives.
  idx.addPod(makePod('early').req({ cpu: '1' }).node('late').build());
  const late = idx.addNode(makeNode('late').cap({ cpu: '4', pods: 110 }).build());
  t.is(idx.requested[RES_CPU]![late], 1000);
  // Removing a node drops its accounting; re-adding restores it.
  idx.removeNode('late');
  const again = idx.addNode(makeNode('late').cap({ cpu: '4', pods: 110 }).build());
  t.is(idx.requested[RES_CPU]![again], 1000);
  t.is(idx.podCount[again], 1);
});

test('growth keeps columns, bitsets and counters', (t) => {
  const idx = new NodeIndex();
  const zoneBits = () => idx.labelBitset('zone', 'z0');
  t.is(zoneBits()[0], 0);
  const counter = idx.acquireCounter('app=web@zone', 'zone', (p) =>
    p.pod.metadata?.labels?.app === 'web' ? 1 : 0,
  );
  for (let i = 0; i < 200; i++)
    idx.addNode(
      makeNode(`n${i}`)
        .cap({ cpu: '1', pods: 10 })
        .zone(`z${i % 3}`)
        .label('zone', `z${i % 3}`)
        .build(),
    );
  t.true(idx.capacity >= 200);
  t.is(idx.allocatable[RES_CPU]![199], 1000);
  const bits = zoneBits();
  let n = 0;
  for (let s = 0; s < idx.size; s++) if (bits[s >>> 5]! & (1 << (s & 31))) n++;
  t.is(n, 67);
  for (let i = 0; i < 9; i++) idx.addPod(makePod(`w${i}`).label('app', 'web').node(`n${i}`).build());
  idx.addPod(makePod('other').label('app', 'db').node('n0').build());
  const z0 = idx.labelValuesTable.get('z0');
  t.is(counter.inDomain(z0), 3);
  t.is(counter.onNode(idx.slotOf('n0')), 1);
  t.is(counter.inDomainOfNode(idx.slotOf('n3')), 3);
  // A second acquire shares the counter; a new one scans existing pods.
  const again = idx.acquireCounter('app=web@zone', 'zone', () => 0);
  t.is(again, counter);
  const byHost = idx.acquireCounter('app=web@host', 'kubernetes.io/hostname', (p) =>
    p.pod.metadata?.labels?.app === 'web' ? 1 : 0,
  );
  t.is(byHost.inDomainOfNode(idx.slotOf('n4')), 1);
  // Relabeling a node moves its count between domains.
  idx.updateNode(makeNode('n0').cap({ cpu: '1', pods: 10 }).label('zone', 'z1').build());
  t.is(counter.inDomain(z0), 2);
  t.is(counter.inDomain(idx.labelValuesTable.get('z1')), 4);
  idx.removePod(makePod('w1').build());
  t.is(counter.inDomain(idx.labelValuesTable.get('z1')), 3);
  // domainCounts is the live map of non-zero domains: z0 holds w3, w6; z1 holds w0 (n0 relabelled),
  // w4, w7; z2 holds w2, w5, w8.
  const live = counter.domainCounts();
  const v = (z: string) => idx.labelValuesTable.get(z);
  t.deepEqual(
    [...live].sort((a, b) => a[0] - b[0]),
    [
      [v('z0'), 2],
      [v('z1'), 3],
      [v('z2'), 3],
    ].sort((a, b) => a[0]! - b[0]!),
  );
  idx.removePod(makePod('w3').build());
  t.is(live.get(z0), 1);
  counter.release();
  counter.release();
  byHost.release();
  t.is(idx.counterCount, 0);
});

test('minPodPriority: the lowest bound priority per node, kept through binds, deletes and node churn', (t) => {
  const idx = new NodeIndex();
  idx.addNode(makeNode('a').cap({ cpu: '8', pods: 110 }).build());
  const a = idx.slotOf('a');
  t.is(idx.minPodPriority(a), Number.POSITIVE_INFINITY); // no pods
  const p5 = makePod('p5').priority(5).node('a').build();
  const p3 = makePod('p3').priority(3).node('a').build();
  const p7 = makePod('p7').priority(7).node('a').build();
  const none = makePod('none').node('a').build(); // spec.priority unset counts as 0
  idx.addPod(p5);
  t.is(idx.minPodPriority(a), 5);
  idx.addPod(p3);
  idx.addPod(p7);
  t.is(idx.minPodPriority(a), 3);
  idx.removePod(p3); // the minimum leaves: recomputed from p5, p7
  t.is(idx.minPodPriority(a), 5);
  idx.addPod(none);
  t.is(idx.minPodPriority(a), 0);
  idx.removePod(none);
  idx.removePod(p7);
  t.is(idx.minPodPriority(a), 5);
  // The node leaves (its pods wait for it) and comes back: its pods count again.
  idx.removeNode('a');
  idx.addNode(makeNode('b').cap({ cpu: '8', pods: 110 }).build()); // takes slot 0
  t.is(idx.minPodPriority(idx.slotOf('b')), Number.POSITIVE_INFINITY);
  const again = idx.addNode(makeNode('a').cap({ cpu: '8', pods: 110 }).build());
  t.is(idx.minPodPriority(again), 5);
});

test('podResources: a spread of a spec (a binding) reuses the requests compiled for its containers', (t) => {
  const idx = new NodeIndex();
  const pod = makePod('p').req({ cpu: '250m', memory: '1Gi' }).build();
  const r = idx.podResources(pod);
  t.is(r.milliCpu, 250);
  t.is(r.memoryBytes, 1024 ** 3);
  const bound = { ...pod, spec: { ...pod.spec!, nodeName: 'n1' } };
  t.is(idx.podResources(bound), r);
  // Init containers or overhead add to the requests: such a spec's spread is compiled again.
  const withInit = makePod('q').req({ cpu: '250m' }).initReq({ cpu: '2' }).build();
  const ri = idx.podResources(withInit);
  t.is(ri.milliCpu, 2000);
  const boundInit = { ...withInit, spec: { ...withInit.spec!, nodeName: 'n1' } };
  t.not(idx.podResources(boundInit), ri);
  t.is(idx.podResources(boundInit).milliCpu, 2000);
  // Same containers array but an added overhead: compiled, with the overhead.
  const over = { ...pod, spec: { ...pod.spec!, overhead: { cpu: '100m' } } };
  t.is(idx.podResources(over).milliCpu, 350);
});

test('withdrawPod / restorePod: a what-if takes the same pod object off its node and puts it back', (t) => {
  const idx = new NodeIndex();
  idx.addNode(makeNode('n').cap({ cpu: '4', pods: 10 }).build());
  const counter = idx.acquireCounter('app=web@host', 'kubernetes.io/hostname', (p) =>
    p.pod.metadata?.labels?.app === 'web' ? 1 : 0,
  );
  idx.addPod(makePod('a').label('app', 'web').req({ cpu: '1' }).priority(5).node('n').build());
  idx.addPod(makePod('b').req({ cpu: '500m' }).priority(1).node('n').build());
  const slot = idx.slotOf('n');
  const a = idx.getPod('default/a')!;
  t.is(idx.withdrawPod(a), slot);
  // Off the node: requests 1500m → 500m, 2 pods → 1, the counter 1 → 0, lowest priority still 1.
  t.is(idx.requested[RES_CPU]![slot], 500);
  t.is(idx.podCount[slot], 1);
  t.is(counter.onNode(slot), 0);
  // Still known by name, on no node, until restored.
  t.is(idx.getPod('default/a'), a);
  t.is(a.slot, -1);
  // Withdrawing twice does nothing.
  t.is(idx.withdrawPod(a), -1);
  t.is(idx.podCount[slot], 1);
  idx.restorePod(a, slot);
  t.is(idx.requested[RES_CPU]![slot], 1500);
  t.is(idx.podCount[slot], 2);
  t.is(counter.onNode(slot), 1);
  t.is(idx.getPod('default/a'), a);
  t.is(a.slot, slot);
  // Restoring a pod that was not withdrawn is a bug in the caller.
  t.throws(() => idx.restorePod(a, slot), { message: /default\/a was not withdrawn/ });
});

test('taintedNodes and unschedulableNodes follow add, update, remove and slot reuse', (t) => {
  const idx = new NodeIndex();
  const counts = (): [number, number] => [idx.taintedNodes, idx.unschedulableNodes];
  t.deepEqual(counts(), [0, 0]);
  idx.addNode(
    makeNode('a')
      .cap({ cpu: '1' })
      .taint('k', 'v', 'NoSchedule')
      .taint('x', undefined, 'PreferNoSchedule')
      .build(),
  );
  idx.addNode(makeNode('b').cap({ cpu: '1' }).unschedulable().build());
  idx.addNode(makeNode('c').cap({ cpu: '1' }).build());
  // a has two taints but is one tainted node; b is cordoned without taints.
  t.deepEqual(counts(), [1, 1]);
  idx.updateNode(makeNode('c').cap({ cpu: '1' }).taint('k', 'v', 'NoExecute').unschedulable().build());
  t.deepEqual(counts(), [2, 2]);
  idx.updateNode(makeNode('a').cap({ cpu: '1' }).build()); // taints removed
  t.deepEqual(counts(), [1, 2]);
  idx.removeNode('c');
  t.deepEqual(counts(), [0, 1]);
  // c's slot is reused by a plain node: nothing left over from c.
  t.is(idx.addNode(makeNode('d').cap({ cpu: '1' }).build()), 2);
  t.deepEqual(counts(), [0, 1]);
  idx.removeNode('b');
  t.deepEqual(counts(), [0, 0]);
});

test('domainNodes and nodesWithKey: live nodes per value of a label key', (t) => {
  const idx = new NodeIndex();
  idx.addNode(makeNode('a').cap({ cpu: '1' }).label('zone', 'z1').build());
  idx.addNode(makeNode('b').cap({ cpu: '1' }).label('zone', 'z2').build());
  idx.addNode(makeNode('c').cap({ cpu: '1' }).label('zone', 'z1').build());
  idx.addNode(makeNode('d').cap({ cpu: '1' }).build());
  const zone = idx.labelKeys.get('zone');
  const z = (v: string): number => idx.labelValuesTable.get(v);
  const domains = (): [number, number][] => [...idx.domainNodes(zone)];
  t.deepEqual(domains(), [
    [z('z1'), 2],
    [z('z2'), 1],
  ]);
  t.is(idx.nodesWithKey(zone), 3); // d has no zone
  idx.updateNode(makeNode('b').cap({ cpu: '1' }).label('zone', 'z1').build()); // z2 empties
  t.deepEqual(domains(), [[z('z1'), 3]]);
  idx.removeNode('a');
  idx.updateNode(makeNode('d').cap({ cpu: '1' }).label('zone', 'z3').build());
  t.deepEqual(domains(), [
    [z('z1'), 2],
    [z('z3'), 1],
  ]);
  t.is(idx.nodesWithKey(zone), 3);
  t.is(idx.nodesWithKey(idx.labelKeyId('never-seen')), 0);
  t.deepEqual([...idx.domainNodes(idx.labelKeyId('never-seen'))], []);
});
