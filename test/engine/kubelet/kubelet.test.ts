import test from 'ava';
import { Store } from '../../../engine/api/store.js';
import type { KObject, Pod } from '../../../engine/api/types.js';
import { Simulation } from '../../../engine/sim/simulation.js';
import type { LogEntry } from '../../../engine/sim/types.js';
import { Kubelets, restartBackoffUs } from '../../../engine/kubelet/kubelet.js';

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

function withPolicy(p: KObject, restartPolicy: string): KObject {
  return { ...p, spec: { ...(p as Pod).spec!, restartPolicy } } as KObject;
}

test('restartPolicy Always: the container restarts after 10 s, 20 s, 40 s back-off; the pod stays Running', (t) => {
  const { sim, store, log } = setup(1 * S);
  store.create(withPolicy(pod('a', '500m', { 'kreplay.io/duration': '60s' }), 'Always'));
  bind(store, 'a');
  sim.runUntil(300 * S);
  // Starts at 1 s; exits at 61 s → restart 1 after 10 s (runs 71–131 s) → restart 2 after 20 s (151–211 s)
  // → restart 3 after 40 s (251–311 s): three restarts by 300 s, never Succeeded.
  t.deepEqual(
    log
      .filter((e) => e.type === 'kubelet.restart')
      .map((e) => [e.time / S, e.restarts, e.backoffSeconds, e.reason]),
    [
      [61, 1, 10, 'Completed'],
      [131, 2, 20, 'Completed'],
      [211, 3, 40, 'Completed'],
    ],
  );
  const p = store.get<Pod>('Pod', 'a', 'default')!;
  t.is(p.status?.phase, 'Running');
  t.like(p.status?.containerStatuses?.[0], { name: 'c', restartCount: 3, ready: true });
  t.false(log.some((e) => e.type === 'kubelet.finish'));
});

test('restartPolicy OnFailure restarts failed exits only; Never and unset end the pod', (t) => {
  const { sim, store, log } = setup(1 * S);
  store.create(withPolicy(pod('ok', '100m', { 'kreplay.io/duration': '30s' }), 'OnFailure'));
  store.create(
    withPolicy(
      pod('bad', '100m', { 'kreplay.io/duration': '30s', 'kreplay.io/exit': 'failed' }),
      'OnFailure',
    ),
  );
  store.create(
    withPolicy(pod('never', '100m', { 'kreplay.io/duration': '30s', 'kreplay.io/exit': 'failed' }), 'Never'),
  );
  for (const n of ['ok', 'bad', 'never']) bind(store, n);
  sim.runUntil(100 * S);
  t.is(store.get<Pod>('Pod', 'ok', 'default')!.status?.phase, 'Succeeded');
  t.is(store.get<Pod>('Pod', 'never', 'default')!.status?.phase, 'Failed');
  // bad: 1 → exits 31 s (restart 1, 10 s) → 41–71 s (restart 2, 20 s) → 91 s running again.
  t.is(store.get<Pod>('Pod', 'bad', 'default')!.status?.phase, 'Running');
  t.deepEqual(
    log.filter((e) => e.type === 'kubelet.restart').map((e) => [e.pod, e.time / S, e.reason]),
    [
      ['default/bad', 31, 'Error'],
      ['default/bad', 71, 'Error'],
    ],
  );
});

test('restartBackoffUs: doubling from 10 s, capped at 5 minutes, reset for runs of 10 minutes or more', (t) => {
  t.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 40].map((n) => restartBackoffUs(n, 60 * S) / S),
    [10, 20, 40, 80, 160, 300, 300, 300],
  );
  t.is(restartBackoffUs(5, 600 * S), 10 * S);
});
