import test from 'ava';
import { Store } from '../../../engine/api/store.js';
import type { KObject, Pod } from '../../../engine/api/types.js';
import { Simulation } from '../../../engine/sim/simulation.js';
import type { LogEntry } from '../../../engine/sim/types.js';
import { Kubelets } from '../../../engine/kubelet/kubelet.js';

const S = 1_000_000;

function setup(startupLatencyUs?: number) {
  const sim = new Simulation({ seed: 1 });
  const store = new Store({ clock: sim, sink: sim.log });
  const kubelets = new Kubelets(sim, store, startupLatencyUs === undefined ? {} : { startupLatencyUs });
  const log: LogEntry[] = [];
  sim.log.listen((e) => log.push(e));
  store.create({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n1' },
    status: { allocatable: { cpu: '2', memory: '2Gi', pods: '3' } },
  });
  return { sim, store, kubelets, log };
}

function pod(name: string, cpu: string, annotations: Record<string, string> = {}): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', annotations },
    spec: { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu, memory: '100Mi' } } }] },
  };
}

/** Binds a pod as the scheduler would: update spec.nodeName. */
function bind(store: Store, name: string, node = 'n1'): void {
  const p = store.get<Pod>('Pod', name, 'default')!;
  store.update<Pod>({ ...p, spec: { ...p.spec!, nodeName: node } });
}

test('a bound pod starts after the start-up latency, runs its duration, and succeeds', (t) => {
  const { sim, store, log } = setup(2 * S);
  store.create(pod('a', '500m', { 'kreplay.io/duration': '30s' }));
  bind(store, 'a');
  sim.runUntil(Infinity);
  const p = store.get<Pod>('Pod', 'a', 'default')!;
  t.is(p.status?.phase, 'Succeeded');
  t.is(p.status?.startTime, '1970-01-01T00:00:02.000Z');
  t.deepEqual(
    log.filter((e) => e.type.startsWith('kubelet.')).map((e) => [e.type, e.time, e.phase]),
    [
      ['kubelet.start', 2 * S, 'Running'],
      // started at 2 s, runs 30 s
      ['kubelet.finish', 32 * S, 'Succeeded'],
    ],
  );
});

test('exit annotation "failed" ends the pod Failed; no duration runs forever', (t) => {
  const { sim, store } = setup();
  store.create(pod('f', '100m', { 'kreplay.io/duration': '5s', 'kreplay.io/exit': 'failed' }));
  store.create(pod('forever', '100m'));
  bind(store, 'f');
  bind(store, 'forever');
  sim.runUntil(3600 * S);
  t.is(store.get<Pod>('Pod', 'f', 'default')!.status?.phase, 'Failed');
  t.is(store.get<Pod>('Pod', 'f', 'default')!.status?.reason, 'Error');
  t.is(store.get<Pod>('Pod', 'forever', 'default')!.status?.phase, 'Running');
});

test('a stale bind beyond what the node runs fails with OutOf<resource>, like the real kubelet', (t) => {
  const { sim, store, log } = setup();
  store.create(pod('a', '1500m'));
  store.create(pod('b', '1000m'));
  bind(store, 'a');
  // 1500m + 1000m > 2 cpu: the kubelet rejects b at admission.
  bind(store, 'b');
  sim.runUntil(10 * S);
  const b = store.get<Pod>('Pod', 'b', 'default')!;
  t.is(b.status?.phase, 'Failed');
  t.is(b.status?.reason, 'OutOfcpu');
  t.deepEqual(
    log.filter((e) => e.type === 'kubelet.reject').map((e) => [e.pod, e.reason]),
    [['default/b', 'OutOfcpu']],
  );
  t.is(store.get<Pod>('Pod', 'a', 'default')!.status?.phase, 'Running');
});

test('the pod count is a resource too; a deleted pod frees its room', (t) => {
  const { sim, store } = setup();
  for (const n of ['p1', 'p2', 'p3', 'p4']) store.create(pod(n, '10m'));
  for (const n of ['p1', 'p2', 'p3']) bind(store, n);
  bind(store, 'p4');
  // allocatable pods: 3
  t.is(store.get<Pod>('Pod', 'p4', 'default')!.status?.reason, 'OutOfpods');
  store.delete('Pod', 'p1', { namespace: 'default' });
  store.create(pod('p5', '10m'));
  bind(store, 'p5');
  sim.runUntil(5 * S);
  t.is(store.get<Pod>('Pod', 'p5', 'default')!.status?.phase, 'Running');
});

test('a pod deleted before it starts never starts; snapshot/restore keeps what nodes hold', (t) => {
  const { sim, store, kubelets, log } = setup();
  store.create(pod('gone', '500m', { 'kreplay.io/duration': '10s' }));
  bind(store, 'gone');
  store.delete('Pod', 'gone', { namespace: 'default' });
  store.create(pod('kept', '1500m'));
  bind(store, 'kept');
  sim.runUntil(60 * S);
  t.deepEqual(
    log.filter((e) => e.type === 'kubelet.start').map((e) => e.pod),
    ['default/kept'],
  );
  t.deepEqual(kubelets.snapshot(), [
    [
      'default/kept',
      'n1',
      [
        ['cpu', 1500],
        ['memory', 104857600],
        ['pods', 1],
      ],
    ],
  ]);
});
