import test from 'ava';
import type { Pod } from '../../../../engine/api/types.js';
import { SUCCESS, unresolvable } from '../../../../engine/scheduler/framework/index.js';
import {
  SchedulingQueue,
  backoffDurationUs,
  prioritySortLess,
  type ClusterEvent,
} from '../../../../engine/scheduler/queue/index.js';

const S = 1_000_000;

function pod(name: string, priority = 0, extra: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  return {
    metadata: { name, namespace: 'default' },
    spec: { containers: [{ name: 'c' }], priority, ...extra },
  };
}

function queue(): SchedulingQueue {
  return new SchedulingQueue({
    less: prioritySortLess,
    preEnqueue: (p) =>
      (p.spec?.schedulingGates ?? []).length > 0 ? unresolvable('SchedulingGates', 'gated') : SUCCESS,
  });
}

function popName(q: SchedulingQueue, now: number): string | undefined {
  return q.pop(now)?.pod.metadata?.name;
}

test('backoffDurationUs doubles from 1 s and caps at 10 s', (t) => {
  // attempts: 1 → 1 s; 2 → 2 s; 3 → 4 s; 4 → 8 s; 5 → min(16, 10) = 10 s; 6 → 10 s
  const cases: [number, number][] = [
    [1, 1 * S],
    [2, 2 * S],
    [3, 4 * S],
    [4, 8 * S],
    [5, 10 * S],
    [6, 10 * S],
  ];
  for (const [attempts, want] of cases) t.is(backoffDurationUs(attempts), want, `attempts ${attempts}`);
});

test('a pod failing with errors is retried after 1 s, 2 s, 4 s, 8 s, 10 s, 10 s', (t) => {
  const q = queue();
  const p = pod('p');
  q.add(p, 0);
  let now = 0;
  const waits = [1, 2, 4, 8, 10, 10].map((s) => s * S);
  for (const wait of waits) {
    t.is(popName(q, now), 'p');
    q.addUnschedulable(p, { unschedulable: false, pluginsThatRejected: [] }, now);
    t.is(q.locate('default/p'), 'backoff');
    t.is(q.nextWakeUs(), now + wait);
    t.is(popName(q, now + wait - 1), undefined, `still backing off 1 µs before ${wait} µs`);
    now += wait;
  }
  t.is(popName(q, now), 'p');
});

test('an unschedulable pod with no relevant event is flushed after 5 minutes', (t) => {
  const q = queue();
  const p = pod('p');
  q.add(p, 7);
  t.is(popName(q, 10), 'p');
  q.addUnschedulable(p, { unschedulable: true, pluginsThatRejected: ['NodeAffinity'] }, 10);
  t.is(q.locate('default/p'), 'unschedulable');
  // 10 + 300 s
  t.is(q.nextWakeUs(), 10 + 300 * S);
  t.is(popName(q, 10 + 300 * S - 1), undefined);
  t.is(q.unschedulableLength, 1);
  const again = q.pop(10 + 300 * S);
  t.is(again?.pod.metadata?.name, 'p');
  t.is(again?.attempts, 2);
  t.is(again?.timestampUs, 10, 'timestamp refreshed at the failure');
  t.is(again?.initialAttemptTimestampUs, 10);
});

test('moveOnEvent: only events registered by the rejecting plugins move a pod', (t) => {
  const cases: { name: string; plugins: string[]; event: ClusterEvent; moves: boolean }[] = [
    { name: 'fit + node add', plugins: ['NodeResourcesFit'], event: { kind: 'NodeAdd' }, moves: true },
    {
      name: 'fit + pod delete',
      plugins: ['NodeResourcesFit'],
      event: { kind: 'AssignedPodDelete' },
      moves: true,
    },
    { name: 'fit + pod add', plugins: ['NodeResourcesFit'], event: { kind: 'AssignedPodAdd' }, moves: false },
    {
      name: 'fit + allocatable',
      plugins: ['NodeResourcesFit'],
      event: { kind: 'NodeUpdate', changes: ['allocatable'] },
      moves: true,
    },
    {
      name: 'fit + label',
      plugins: ['NodeResourcesFit'],
      event: { kind: 'NodeUpdate', changes: ['label'] },
      moves: false,
    },
    {
      name: 'affinity + label',
      plugins: ['NodeAffinity'],
      event: { kind: 'NodeUpdate', changes: ['label'] },
      moves: true,
    },
    {
      name: 'affinity + taint',
      plugins: ['NodeAffinity'],
      event: { kind: 'NodeUpdate', changes: ['taint'] },
      moves: false,
    },
    {
      name: 'affinity + unspecified update',
      plugins: ['NodeAffinity'],
      event: { kind: 'NodeUpdate' },
      moves: true,
    },
    {
      name: 'taints + node delete',
      plugins: ['TaintToleration'],
      event: { kind: 'NodeDelete' },
      moves: false,
    },
    {
      name: 'spread + node delete',
      plugins: ['PodTopologySpread'],
      event: { kind: 'NodeDelete' },
      moves: true,
    },
    {
      name: 'inter-pod + pod add',
      plugins: ['InterPodAffinity'],
      event: { kind: 'AssignedPodAdd' },
      moves: true,
    },
    {
      name: 'two plugins, one relevant',
      plugins: ['NodeAffinity', 'NodePorts'],
      event: { kind: 'AssignedPodDelete' },
      moves: true,
    },
    { name: 'no plugin named: any event', plugins: [], event: { kind: 'Other' }, moves: true },
    { name: 'unknown plugin: any event', plugins: ['MyPlugin'], event: { kind: 'Other' }, moves: true },
    { name: 'wildcard', plugins: ['NodeAffinity'], event: { kind: 'WildCard' }, moves: true },
  ];
  for (const c of cases) {
    const q = queue();
    const p = pod('p');
    q.add(p, 0);
    q.pop(0);
    q.addUnschedulable(p, { unschedulable: true, pluginsThatRejected: c.plugins }, 0);
    t.is(q.moveOnEvent(c.event, 5 * S), c.moves ? 1 : 0, c.name);
    t.is(q.locate('default/p'), c.moves ? 'active' : 'unschedulable', c.name);
  }
});

test('a node-add event during backoff moves the pod to backoff, after it to active', (t) => {
  const q = queue();
  const a = pod('a');
  const b = pod('b');
  q.add(a, 0);
  q.add(b, 0);
  t.is(popName(q, 0), 'a');
  q.addUnschedulable(a, { unschedulable: true, pluginsThatRejected: ['NodeResourcesFit'] }, 0);
  t.is(popName(q, 0), 'b');
  q.addUnschedulable(b, { unschedulable: true, pluginsThatRejected: ['NodeResourcesFit'] }, 0);
  // a: backoff 1 s from 0 → expiry 1 s; the event at 0.5 s parks it in backoff until then.
  t.is(q.moveOnEvent({ kind: 'NodeAdd' }, S / 2), 2);
  t.is(q.locate('default/a'), 'backoff');
  t.is(q.nextWakeUs(), S);
  t.is(popName(q, S - 1), undefined);
  t.is(popName(q, S), 'a');
  t.is(popName(q, S), 'b');
});

test('an event relevant to the rejecting plugin during the attempt sends the pod to backoff', (t) => {
  const q = queue();
  const p = pod('p');
  q.add(p, 0);
  q.pop(0);
  q.moveOnEvent({ kind: 'AssignedPodAdd' }, 1); // irrelevant to NodeResourcesFit
  q.addUnschedulable(p, { unschedulable: true, pluginsThatRejected: ['NodeResourcesFit'] }, 2);
  t.is(q.locate('default/p'), 'unschedulable');

  const q2 = queue();
  q2.add(p, 0);
  q2.pop(0);
  q2.moveOnEvent({ kind: 'NodeAdd' }, 1);
  q2.addUnschedulable(p, { unschedulable: true, pluginsThatRejected: ['NodeResourcesFit'] }, 2);
  t.is(q2.locate('default/p'), 'backoff');
  t.is(q2.nextWakeUs(), 2 + S);
});

test('PrioritySort: priority desc, then queue timestamp, then insertion order', (t) => {
  const q = queue();
  q.add(pod('low-early', 0), 0);
  q.add(pod('high-late', 100), 5);
  q.add(pod('mid-1', 50), 3);
  q.add(pod('mid-0', 50), 2);
  q.add(pod('tie-a', 10), 4);
  q.add(pod('tie-b', 10), 4);
  const order: string[] = [];
  for (let n = popName(q, 10); n !== undefined; n = popName(q, 10)) order.push(n);
  t.deepEqual(order, ['high-late', 'mid-0', 'mid-1', 'tie-a', 'tie-b', 'low-early']);
});

test('scheduling gates keep a pod out of the active queue until removed', (t) => {
  const q = queue();
  const gated = pod('g', 0, { schedulingGates: [{ name: 'example.com/wait' }] });
  q.add(gated, 0);
  q.add(pod('free'), 1);
  t.is(q.gatedLength, 1);
  t.is(popName(q, 2), 'free');
  t.is(popName(q, 2), undefined);
  t.is(q.moveOnEvent({ kind: 'WildCard' }, 3), 0, 'events do not lift gates');
  t.is(q.nextWakeUs(), undefined, 'gated pods do not wait on time');
  q.update(pod('g', 0, { schedulingGates: [] }), 4);
  t.is(q.locate('default/g'), 'active');
  const p = q.pop(5);
  t.is(p?.pod.metadata?.name, 'g');
  t.is(p?.timestampUs, 0, 'keeps the timestamp of its creation');
});

test('updates: a spec change retries an unschedulable pod, a status change does not', (t) => {
  const q = queue();
  const p = pod('p');
  q.add(p, 0);
  q.pop(0);
  q.addUnschedulable(p, { unschedulable: true, pluginsThatRejected: ['TaintToleration'] }, 0);
  q.update(
    { ...p, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] } },
    2 * S,
  );
  t.is(q.locate('default/p'), 'unschedulable');
  q.update({ ...p, spec: { ...p.spec!, tolerations: [{ operator: 'Exists' }] } }, 2 * S);
  t.is(q.locate('default/p'), 'active', 'past its 1 s backoff');
  t.truthy(q.pop(2 * S)?.pod.spec?.tolerations);
});

test('delete: a pod deleted while in flight is not requeued', (t) => {
  const q = queue();
  const p = pod('p');
  q.add(p, 0);
  q.pop(0);
  q.delete(p);
  q.addUnschedulable(p, { unschedulable: false, pluginsThatRejected: [] }, 1);
  t.is(q.locate('default/p'), undefined);
  t.is(q.inFlightLength, 0);
});

test('nominator: pods per node in nomination order, dropped on done and delete', (t) => {
  const q = queue();
  const a = pod('a', 10);
  const b = pod('b', 20);
  q.add(a, 0);
  q.add(b, 0);
  q.addNominatedPod(a, 'n1');
  q.addNominatedPod(b, 'n1');
  t.deepEqual(
    q.nominatedPodsForNode('n1').map((p) => p.metadata?.name),
    ['a', 'b'],
  );
  q.addNominatedPod(a, 'n2');
  t.deepEqual(
    q.nominatedPodsForNode('n1').map((p) => p.metadata?.name),
    ['b'],
  );
  t.is(q.nominatedNodeOf(a), 'n2');
  const popped = q.pop(0)!; // b (priority 20)
  q.done(popped.pod);
  t.deepEqual(q.nominatedPodsForNode('n1'), []);
  q.delete(a);
  t.false(q.hasNominatedPods);
  // A pod arriving with status.nominatedNodeName is nominated there.
  q.add({ ...pod('c'), status: { nominatedNodeName: 'n3' } }, 1);
  t.is(q.nominatedPodsForNode('n3').length, 1);
});

test('snapshot/restore round-trips through JSON and pops identically', (t) => {
  const build = (): SchedulingQueue => {
    const q = queue();
    q.add(pod('a', 1), 0);
    q.add(pod('b', 5), 1);
    q.add(pod('c', 5), 1);
    q.add(pod('g', 9, { schedulingGates: [{ name: 'x' }] }), 1);
    const b = q.pop(2)!;
    q.addUnschedulable(b.pod, { unschedulable: true, pluginsThatRejected: ['NodeAffinity'] }, 2);
    const c = q.pop(3)!;
    q.addUnschedulable(c.pod, { unschedulable: false, pluginsThatRejected: [] }, 3);
    q.addNominatedPod(pod('a', 1), 'n1');
    return q;
  };
  const q1 = build();
  const q2 = queue();
  q2.restore(JSON.parse(JSON.stringify(q1.snapshot())));
  t.deepEqual(q2.snapshot(), JSON.parse(JSON.stringify(q1.snapshot())));
  const drain = (q: SchedulingQueue): string[] => {
    const out: string[] = [];
    q.moveOnEvent({ kind: 'NodeAdd' }, 5 * S);
    for (let n = popName(q, 5 * S); n !== undefined; n = popName(q, 5 * S)) out.push(n);
    return out;
  };
  t.deepEqual(drain(q2), drain(q1));
  t.is(q2.nominatedNodeOf(pod('a')), 'n1');
});
