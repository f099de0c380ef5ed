import test from 'ava';
import { applyMergePatch, type Json } from '../../../engine/api/merge-patch.js';
import {
  AlreadyExistsError,
  compileSelectorString,
  ConflictError,
  ForbiddenError,
  GoneError,
  nameSuffix,
  NotFoundError,
  Store,
  uidFor,
  ValidationError,
} from '../../../engine/api/index.js';
import type { KObject, Pod, WatchEvent } from '../../../engine/api/index.js';
import type { EventPayload } from '../../../engine/sim/types.js';

class FakeClock {
  timeUs = 0;
  now(): number {
    return this.timeUs;
  }
}

class RecordingSink {
  readonly entries: { type: string; payload: EventPayload }[] = [];
  append(type: string, payload: EventPayload): void {
    this.entries.push({ type, payload });
  }
}

function setup(historyLimit?: number): { store: Store; clock: FakeClock; sink: RecordingSink } {
  const clock = new FakeClock();
  const sink = new RecordingSink();
  const store = new Store({ clock, sink, ...(historyLimit === undefined ? {} : { historyLimit }) });
  return { store, clock, sink };
}

function pod(name: string, extra: Partial<Pod> = {}, labels?: Record<string, string>): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...(labels ? { labels } : {}) },
    spec: { containers: [{ name: 'c', resources: { requests: { cpu: '100m' } } }] },
    ...extra,
  };
}

function node(name: string): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    status: { allocatable: { cpu: '4', memory: '8Gi' } },
  };
}

/** Watch events as compact strings: `ADDED Pod default/a @1`. */
function fmt(ev: WatchEvent): string {
  return `${ev.type} ${ev.kind} ${ev.key} @${ev.rv}`;
}

test('create sets system fields from counters and the virtual clock', (t) => {
  const { store, clock } = setup();
  clock.timeUs = 90_500_000; // 90.5 s → seconds precision
  const input = pod('a');
  const p = store.create(input);
  t.deepEqual(p.metadata, {
    name: 'a',
    namespace: 'default',
    uid: '00000000-0000-4000-8000-000000000001',
    creationTimestamp: '1970-01-01T00:01:30Z',
    generation: 1,
    resourceVersion: '1',
  });
  t.not(p, input, 'top level is a shallow copy');
  t.is(p.spec, input.spec, 'nested objects are shared, not cloned');
  t.deepEqual(input.metadata, { name: 'a' }, "the caller's metadata is not modified");
  t.is(store.get<Pod>('Pod', 'a'), p);
  t.is(store.get<Pod>('Pod', 'a', 'default'), p);
  t.is(store.getByKey<Pod>('Pod', 'default/a'), p);
  t.is(store.resourceVersion, '1');
  t.is(uidFor(255), '00000000-0000-4000-8000-0000000000ff');
});

test('cluster-scoped kinds drop the namespace and key by name', (t) => {
  const { store } = setup();
  const n = store.create({ ...node('n1'), metadata: { name: 'n1', namespace: 'x' } });
  t.is<unknown, unknown>(n.metadata?.namespace, undefined);
  t.is(store.get('Node', 'n1'), n);
  t.is(store.get('Node', 'n1', 'anything'), n);
});

test('list keeps creation order and filters by namespace, labels and fields', (t) => {
  const { store } = setup();
  store.create(pod('c', {}, { app: 'web' }));
  store.create({
    ...pod('a', {}, { app: 'db' }),
    metadata: { name: 'a', namespace: 'team', labels: { app: 'db' } },
  });
  store.create(pod('b', { spec: { nodeName: 'n1', containers: [] } }, { app: 'web' }));
  store.create(node('n1'));
  const names = (objs: KObject[]): string[] =>
    objs.map((o) => `${o.metadata!.namespace ?? ''}/${o.metadata!.name!}`);
  t.deepEqual(names(store.list('Pod')), ['default/c', 'team/a', 'default/b']);
  t.deepEqual(names(store.list('Pod', { namespace: 'default' })), ['default/c', 'default/b']);
  t.deepEqual(names(store.list('Pod', { namespace: 'none' })), []);
  t.deepEqual(names(store.list('Pod', { namespace: '' })), ['default/c', 'team/a', 'default/b']);
  t.deepEqual(names(store.list('Pod', { labelSelector: 'app=web' })), ['default/c', 'default/b']);
  t.deepEqual(names(store.list('Pod', { labelSelector: compileSelectorString('app in (db)') })), ['team/a']);
  t.deepEqual(names(store.list('Pod', { fieldSelector: 'spec.nodeName=' })), ['default/c', 'team/a']);
  t.deepEqual(names(store.list('Pod', { namespace: 'default', fieldSelector: 'spec.nodeName!=' })), [
    'default/b',
  ]);
  t.deepEqual(names(store.list('Node', { namespace: 'ignored' })), ['/n1']);
  t.deepEqual(names(store.list('Job')), []);
  t.is(store.count('Pod'), 3);
  t.is(store.count('Pod', 'default'), 2);
  t.is(store.count('Node'), 1);
  t.is(store.count('Job'), 0);
  t.deepEqual(
    [...store.values('Pod')].map((p) => p.metadata!.name),
    ['c', 'a', 'b'],
  );
  // Updating keeps the position; delete + re-create moves to the end.
  store.update(pod('c', {}, { app: 'web2' }));
  t.deepEqual(names(store.list('Pod')), ['default/c', 'team/a', 'default/b']);
  store.delete('Pod', 'c');
  store.create(pod('c'));
  t.deepEqual(names(store.list('Pod')), ['team/a', 'default/b', 'default/c']);
});

test('generateName is deterministic per store and skips taken names', (t) => {
  const run = (): string[] => {
    const { store } = setup();
    return [1, 2, 3].map(
      (): string => store.create({ kind: 'Pod', metadata: { generateName: 'web-' } }).metadata!.name!,
    );
  };
  const first = run();
  t.deepEqual(first, run());
  t.deepEqual(first, [`web-${nameSuffix(0)}`, `web-${nameSuffix(1)}`, `web-${nameSuffix(2)}`]);
  t.is(new Set(first).size, 3);
  for (const n of first) t.regex(n, /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);

  // A name already taken is skipped, deterministically.
  const { store } = setup();
  store.create(pod(`web-${nameSuffix(0)}`));
  t.is(
    store.create({ kind: 'Pod', metadata: { generateName: 'web-' } }).metadata!.name,
    `web-${nameSuffix(1)}`,
  );
});

test('nameSuffix is a bijection on its first 100k counters', (t) => {
  const seen = new Set<string>();
  for (let i = 0; i < 100_000; i++) seen.add(nameSuffix(i));
  t.is(seen.size, 100_000);
});

test('update: optimistic concurrency, generation, immutable identity', (t) => {
  const { store, clock } = setup();
  const v1 = store.create(pod('a'));
  clock.timeUs = 5_000_000;
  // Metadata-only change: generation stays.
  const v2 = store.update({ ...v1, metadata: { ...v1.metadata, labels: { x: 'y' } } });
  t.is(v2.metadata!.resourceVersion, '2');
  t.is(v2.metadata!.generation, 1);
  t.is(v2.metadata!.uid, v1.metadata!.uid);
  t.is(v2.metadata!.creationTimestamp, '1970-01-01T00:00:00Z');
  // Status-only change: generation stays.
  const v3 = store.update({ ...v2, status: { phase: 'Running' } });
  t.is(v3.metadata!.generation, 1);
  // Equal spec, new object: generation stays.
  const v4 = store.update({ ...v3, spec: structuredClone(v3.spec) });
  t.is(v4.metadata!.generation, 1);
  // Spec change: generation bumps.
  const v5 = store.update({ ...v4, spec: { ...v4.spec!, nodeName: 'n1' } });
  t.is(v5.metadata!.generation, 2);
  t.is(v5.metadata!.resourceVersion, '5');

  // Stale resourceVersion → Conflict; nothing changes.
  const err = t.throws(() => store.update({ ...v4, spec: { ...v4.spec!, nodeName: 'n2' } }), {
    instanceOf: ConflictError,
  });
  t.is(err.code, 'CONFLICT');
  t.is(
    err.message,
    'Pod "default/a": resourceVersion 4 is stale (current 5); the object has been modified, read it again',
  );
  t.is(store.resourceVersion, '5');
  // Missing resourceVersion → unconditional.
  const { resourceVersion: _rv, ...metaNoRv } = v4.metadata!;
  const v6 = store.update({
    ...v4,
    metadata: metaNoRv,
    spec: { ...(v4.spec as object), nodeName: 'n2' },
  }) as Pod;
  t.is(v6.metadata!.resourceVersion, '6');
  t.is(v6.metadata!.generation, 3);
  // A different uid means the object was replaced meanwhile.
  t.throws(() => store.update({ ...v6, metadata: { ...v6.metadata, uid: 'other' } }), {
    instanceOf: ConflictError,
  });
  // Updates never modify the object they replace.
  t.is(v1.metadata!.resourceVersion, '1');
});

test('NotFound and AlreadyExists', (t) => {
  const { store } = setup();
  store.create(pod('a'));
  const ae = t.throws(() => store.create(pod('a')), { instanceOf: AlreadyExistsError });
  t.is(ae.code, 'ALREADY_EXISTS');
  t.is(ae.message, 'Pod "default/a" already exists');
  // Same name in another namespace is fine.
  store.create({ ...pod('a'), metadata: { name: 'a', namespace: 'other' } });
  const nf = t.throws(() => store.update(pod('b')), { instanceOf: NotFoundError });
  t.is(nf.code, 'NOT_FOUND');
  t.is(nf.message, 'Pod "default/b" not found');
  t.throws(() => store.delete('Pod', 'b'), { instanceOf: NotFoundError });
  t.throws(() => store.delete('Node', 'n'), { instanceOf: NotFoundError });
  t.is(store.get('Pod', 'b'), undefined);
  t.is(store.get('Job', 'b'), undefined);
});

test('delete returns the last state at the deletion rv; preconditions', (t) => {
  const { store } = setup();
  const a = store.create(pod('a'));
  t.throws(() => store.delete('Pod', 'a', { resourceVersion: '7' }), { instanceOf: ConflictError });
  t.throws(() => store.delete('Pod', 'a', { uid: 'nope' }), { instanceOf: ConflictError });
  const last = store.delete('Pod', 'a', {
    namespace: 'default',
    resourceVersion: '1',
    uid: a.metadata!.uid!,
  });
  t.is(last.metadata!.resourceVersion, '2');
  t.is(last.spec, a.spec);
  t.is(store.get('Pod', 'a'), undefined);
  t.is(store.count('Pod'), 0);
  t.is(store.count('Pod', 'default'), 0);
});

test('validation runs on create and update', (t) => {
  const { store } = setup();
  t.is(
    t.throws(() => store.create({ kind: 'Widget', metadata: { name: 'w' } }), { instanceOf: ValidationError })
      .message,
    'kind: unknown kind "Widget" (known: Pod, Node, Namespace, Service, ResourceQuota, LimitRange, ReplicaSet, Deployment, DaemonSet, StatefulSet, Job, CronJob, PriorityClass, PodDisruptionBudget)',
  );
  t.is(
    t.throws(() => store.create({ kind: 'Pod', metadata: {} })).message,
    'metadata.name: name or generateName is required',
  );
  const p = store.create(pod('a'));
  t.is(
    t.throws(() =>
      store.update({ ...p, spec: { containers: [{ name: 'c', resources: { requests: { cpu: 'abc' } } }] } }),
    ).message,
    'spec.containers[0].resources.requests.cpu: invalid quantity "abc"',
  );
  t.is(store.resourceVersion, '1');
});

test('pods sharing one template spec are validated, valid or not, every time it matters', (t) => {
  const { store } = setup();
  const good = { containers: [{ name: 'c', resources: { requests: { cpu: '1' } } }] };
  const bad = { containers: [{ name: 'c', resources: { requests: { cpu: '-1' } } }] };
  for (const name of ['a', 'b']) store.create({ kind: 'Pod', metadata: { name }, spec: good });
  for (const name of ['c', 'd']) {
    t.is(
      t.throws(() => store.create({ kind: 'Pod', metadata: { name }, spec: bad })).message,
      'spec.containers[0].resources.requests.cpu: must be greater than or equal to 0, got "-1"',
    );
  }
  t.is(store.count('Pod'), 2);
});

test('watch delivers events across kinds in commit order', (t) => {
  const { store } = setup();
  const all: string[] = [];
  const pods: string[] = [];
  const nodes: string[] = [];
  store.watch('*', undefined, (e) => all.push(fmt(e)));
  const stopPods = store.watch('Pod', undefined, (e) => pods.push(fmt(e)));
  store.watch('Node', '0', (e) => nodes.push(fmt(e)));
  const p = store.create(pod('a'));
  store.create(node('n1'));
  store.update({ ...p, spec: { ...p.spec!, nodeName: 'n1' } });
  store.delete('Node', 'n1');
  stopPods();
  store.delete('Pod', 'a');
  t.deepEqual(all, [
    'ADDED Pod default/a @1',
    'ADDED Node n1 @2',
    'MODIFIED Pod default/a @3',
    'DELETED Node n1 @4',
    'DELETED Pod default/a @5',
  ]);
  t.deepEqual(pods, ['ADDED Pod default/a @1', 'MODIFIED Pod default/a @3']);
  t.deepEqual(nodes, ['ADDED Node n1 @2', 'DELETED Node n1 @4']);
});

test('watch events carry the old object and the deletion state', (t) => {
  const { store } = setup();
  const events: WatchEvent[] = [];
  store.watch('Pod', undefined, (e) => events.push(e));
  const v1 = store.create(pod('a'));
  const v2 = store.update({ ...v1, spec: { ...v1.spec!, nodeName: 'n1' } });
  const last = store.delete('Pod', 'a');
  t.is<unknown, unknown>(events[0]!.old, undefined);
  t.is<unknown, unknown>(events[0]!.object, v1);
  t.is<unknown, unknown>(events[1]!.old, v1);
  t.is<unknown, unknown>(events[1]!.object, v2);
  t.is<unknown, unknown>(events[2]!.old, v2);
  t.is<unknown, unknown>(events[2]!.object, last);
  t.is(last.metadata!.resourceVersion, '3');
});

test('resuming a watch replays exactly the missed events, then goes live', (t) => {
  const { store } = setup();
  const p = store.create(pod('a')); // 1
  store.create(node('n1')); // 2
  const seenAt = store.resourceVersion; // a client listed here
  store.update({ ...p, status: { phase: 'Running' } }); // 3
  store.create(node('n2')); // 4
  store.delete('Pod', 'a'); // 5
  const got: string[] = [];
  store.watch('Pod', seenAt, (e) => got.push(fmt(e)));
  t.deepEqual(got, ['MODIFIED Pod default/a @3', 'DELETED Pod default/a @5']);
  store.create(pod('b')); // 6
  store.create(node('n3')); // 7
  t.deepEqual(got, ['MODIFIED Pod default/a @3', 'DELETED Pod default/a @5', 'ADDED Pod default/b @6']);

  const everything: number[] = [];
  store.watch('*', 0, (e) => everything.push(e.rv));
  t.deepEqual(everything, [1, 2, 3, 4, 5, 6, 7]);
  const none: number[] = [];
  store.watch('*', '7', (e) => none.push(e.rv));
  t.deepEqual(none, []);
  t.throws(() => store.watch('*', 8, () => {}), { instanceOf: ValidationError });
  t.throws(() => store.watch('*', 'abc', () => {}), { instanceOf: ValidationError });
});

test('resuming from before the retained history is Gone', (t) => {
  const { store } = setup(3);
  for (const n of ['a', 'b', 'c', 'd', 'e']) store.create(pod(n)); // rv 1..5; ring keeps 3..5
  const got: number[] = [];
  store.watch('Pod', 2, (e) => got.push(e.rv));
  t.deepEqual(got, [3, 4, 5]);
  const err = t.throws(() => store.watch('Pod', 1, () => {}), { instanceOf: GoneError });
  t.is(err.code, 'GONE');
  t.is(
    err.message,
    "too old resource version: 1 (oldest retained event is 3); list again and watch from the list's resourceVersion",
  );
  // No history at all: only the current rv can be watched from.
  const { store: bare } = setup(0);
  bare.create(pod('a'));
  t.throws(() => bare.watch('Pod', 0, () => {}), { instanceOf: GoneError });
  t.notThrows(() => bare.watch('Pod', 1, () => {}));
});

test('mutations made inside a handler reach every watcher in commit order', (t) => {
  const { store, sink } = setup();
  const first: string[] = [];
  const second: string[] = [];
  // A "controller" that creates a pod for each node.
  store.watch('Node', undefined, (e) => {
    first.push(fmt(e));
    if (e.type === 'ADDED') store.create(pod(`on-${e.object.metadata!.name!}`));
  });
  store.watch('*', undefined, (e) => second.push(fmt(e)));
  store.create(node('n1'));
  t.deepEqual(first, ['ADDED Node n1 @1']);
  // The second watcher sees the node before the pod created in reaction to it.
  t.deepEqual(second, ['ADDED Node n1 @1', 'ADDED Pod default/on-n1 @2']);
  t.deepEqual(
    sink.entries.map((e) => e.payload.rv),
    [1, 2],
  );
});

test('a throwing handler does not starve the others; the error surfaces after commit', (t) => {
  const { store } = setup();
  const got: number[] = [];
  store.watch('*', undefined, () => {
    throw new Error('boom');
  });
  store.watch('*', undefined, (e) => got.push(e.rv));
  t.throws(() => store.create(pod('a')), { message: 'boom' });
  t.deepEqual(got, [1]);
  t.truthy(store.get('Pod', 'a'));
});

test('admission: mutating before validating; rejection leaves no trace', (t) => {
  const { store, sink } = setup();
  const calls: string[] = [];
  const events: number[] = [];
  store.watch('*', undefined, (e) => events.push(e.rv));
  store.admission.validating.push((op, obj) => {
    calls.push(`validate ${op} ${obj.metadata!.labels?.team ?? '-'}`);
    if (obj.metadata!.name === 'forbidden') throw new ForbiddenError(obj.kind!, obj.metadata!.name, 'no way');
  });
  store.admission.mutating.push((op, obj, old) => {
    calls.push(`mutate ${op} old=${old ? 'yes' : 'no'}`);
    if (op !== 'delete')
      obj.metadata = { ...obj.metadata, labels: { ...obj.metadata!.labels, team: 'core' } };
  });
  const p = store.create(pod('a'));
  t.deepEqual(p.metadata!.labels, { team: 'core' });
  const err = t.throws(() => store.create(pod('forbidden')), { instanceOf: ForbiddenError });
  t.is(err.code, 'FORBIDDEN');
  t.is(err.message, 'Pod "forbidden" is forbidden: no way');
  store.delete('Pod', 'a');
  t.deepEqual(calls, [
    'mutate create old=no',
    'validate create core',
    'mutate create old=no',
    'validate create core',
    'mutate delete old=yes',
    'validate delete core',
  ]);
  t.is(store.get('Pod', 'forbidden'), undefined);
  t.deepEqual(events, [1, 2]);
  t.deepEqual(
    sink.entries.map((e) => [e.payload.verb, e.payload.rv]),
    [
      ['create', 1],
      ['delete', 2],
    ],
  );
  t.is(store.resourceVersion, '2');
});

test('the event sink receives one api entry per mutation: the object, or for pod updates the merge patch', (t) => {
  const { store, sink } = setup();
  const a = store.create(pod('a'));
  const n = store.create(node('n1'));
  const a2 = store.update({ ...a, status: { phase: 'Running' } });
  const n2 = store.update({ ...n, metadata: { ...n.metadata, labels: { zone: 'z1' } } });
  store.delete('Pod', 'a');
  const last = store.delete('Node', 'n1');
  t.deepEqual(sink.entries, [
    { type: 'api', payload: { verb: 'create', kind: 'Pod', key: 'default/a', rv: 1, object: a } },
    { type: 'api', payload: { verb: 'create', kind: 'Node', key: 'n1', rv: 2, object: n } },
    // A pod update carries only what changed: its resourceVersion (1 → 3) and the new status.
    {
      type: 'api',
      payload: {
        verb: 'update',
        kind: 'Pod',
        key: 'default/a',
        rv: 3,
        patch: { metadata: { resourceVersion: '3' }, status: { phase: 'Running' } },
      },
    },
    // Other kinds carry the whole object.
    { type: 'api', payload: { verb: 'update', kind: 'Node', key: 'n1', rv: 4, object: n2 } },
    // A pod delete carries only its key.
    { type: 'api', payload: { verb: 'delete', kind: 'Pod', key: 'default/a', rv: 5 } },
    { type: 'api', payload: { verb: 'delete', kind: 'Node', key: 'n1', rv: 6, object: last } },
  ]);
  t.is(sink.entries[0]!.payload.object, a);
  // The patch rebuilds the stored object from the previous one.
  t.deepEqual(applyMergePatch(a as Json, sink.entries[2]!.payload.patch as Json), a2 as unknown as Json);
});

test('constructor validates historyLimit', (t) => {
  t.throws(() => new Store({ clock: new FakeClock(), historyLimit: -1 }), {
    instanceOf: RangeError,
    message: 'options.historyLimit must be a non-negative integer, got -1',
  });
});
