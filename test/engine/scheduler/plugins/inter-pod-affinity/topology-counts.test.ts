import test from 'ava';
import { TopologyCounts } from '../../../../../engine/scheduler/plugins/inter-pod-affinity/topology-counts.js';

test('count sums the bases of a key and the own deltas; bases are read by reference', (t) => {
  const c = new TopologyCounts();
  const zoneA = new Map([
    [10, 2],
    [11, 1],
  ]);
  const zoneB = new Map([[10, 3]]);
  c.addBase(1, zoneA);
  c.addBase(1, zoneB);
  c.add(1, 11, 4);
  c.add(2, 7, 1);
  // key 1, value 10: 2 + 3; value 11: 1 + 4; value 12: nothing; key 2, value 7: the delta only.
  t.is(c.count(1, 10), 5);
  t.is(c.count(1, 11), 5);
  t.is(c.count(1, 12), 0);
  t.is(c.count(2, 7), 1);
  t.is(c.count(3, 10), 0);
  t.deepEqual(c.keys().sort(), [1, 2]);
  // A base that changes (its owner counted a pod) is seen at once.
  zoneB.set(12, 1);
  t.is(c.count(1, 12), 1);
  // Negative value ids (a node without the key) and zero deltas are ignored.
  c.add(1, -1, 5);
  c.add(1, 13, 0);
  t.is(c.count(1, -1), 0);
  t.deepEqual(c.keys().sort(), [1, 2]);
});

test('isEmpty: true only when no pair has a non-zero count, deltas cancelling bases included', (t) => {
  const c = new TopologyCounts();
  t.true(c.isEmpty());
  c.addBase(1, new Map());
  t.true(c.isEmpty());
  const base = new Map([[10, 1]]);
  c.addBase(1, base);
  t.false(c.isEmpty());
  // Preemption's what-if removes the only counted pod: the pair sums to 0.
  c.add(1, 10, -1);
  t.true(c.isEmpty());
  c.add(2, 3, 1);
  t.false(c.isEmpty());
});

test('withChanges snapshots the bases and the deltas; later changes to either side stay apart', (t) => {
  const base = new Map([[10, 1]]);
  const c = new TopologyCounts();
  c.addBase(1, base);
  c.add(1, 11, 1);
  const d = c.withChanges();
  d.add(1, 10, -1);
  d.add(1, 11, 1);
  d.addBase(2, new Map([[5, 1]]));
  t.is(c.count(1, 10), 1);
  t.is(c.count(1, 11), 1);
  t.is(c.count(2, 5), 0);
  t.is(d.count(1, 10), 0);
  t.is(d.count(1, 11), 2);
  t.is(d.count(2, 5), 1);
  // The live base moves (the index took the pod off during a dry run): the original sees it, the
  // snapshot does not — its own -1 already says so.
  base.set(10, 0);
  base.delete(10);
  t.is(c.count(1, 10), 0);
  t.is(d.count(1, 10), 0);
  base.set(10, 4);
  t.is(c.count(1, 10), 4);
  t.is(d.count(1, 10), 0);
});
