import test from 'ava';
import { Store } from '../../../engine/api/store.js';
import type { Pod } from '../../../engine/api/types.js';
import { storeLookups } from '../../../engine/cluster/lookups.js';

function fixture() {
  let now = 0;
  const store = new Store({ clock: { now: () => now++ } });
  store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'a' } } });
  store.create({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { selector: { app: 'web' } },
  });
  store.create({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'db', namespace: 'shop' },
    spec: { selector: { app: 'db' } },
  });
  store.create({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web-1', namespace: 'shop' },
    spec: { selector: { matchLabels: { app: 'web', rev: '1' } }, template: {} },
  });
  store.create({
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } },
  });
  return store;
}

test('namespace labels, selecting owners and PDBs come from the store', (t) => {
  const store = fixture();
  const l = storeLookups(store, () => 0.5);
  t.deepEqual(l.namespaceLabels!('shop'), { team: 'a' });
  t.is(l.namespaceLabels!('none'), undefined);
  const pod = { metadata: { name: 'p', namespace: 'shop', labels: { app: 'web', rev: '1' } } } as Pod;
  // The web Service (as matchLabels) and the ReplicaSet select it; the db Service does not.
  t.deepEqual(l.ownerSelectors!(pod), [
    { matchLabels: { app: 'web' } },
    { matchLabels: { app: 'web', rev: '1' } },
  ]);
  const other = { metadata: { name: 'q', namespace: 'shop', labels: { app: 'web', rev: '2' } } } as Pod;
  t.deepEqual(l.ownerSelectors!(other), [{ matchLabels: { app: 'web' } }]);
  t.deepEqual(l.ownerSelectors!({ metadata: { name: 'r', namespace: 'shop' } } as Pod), []);
  t.deepEqual(
    l.podDisruptionBudgets!('shop').map((p) => p.metadata?.name),
    ['web'],
  );
  t.is(l.preemptionRandom!(), 0.5);
});
