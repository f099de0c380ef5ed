import test from 'ava';
import { objectKey, type KObject } from '../../../engine/api/types.js';

// Store keys: `namespace/name` for namespaced kinds (a namespaced object without a namespace is in
// "default", as the API server defaults it), plain `name` for Node, Namespace and PriorityClass.

test('objectKey: namespaced objects', (t) => {
  t.is(objectKey({ kind: 'Pod', metadata: { name: 'web-0', namespace: 'prod' } } as KObject), 'prod/web-0');
  t.is(objectKey({ kind: 'Deployment', metadata: { name: 'web' } } as KObject), 'default/web');
  t.is(objectKey({ kind: 'ConfigMap', metadata: { name: 'x', namespace: 'a' } } as KObject), 'a/x');
});

test('objectKey: cluster-scoped objects ignore any namespace', (t) => {
  t.is(objectKey({ kind: 'Node', metadata: { name: 'n1' } } as KObject), 'n1');
  t.is(objectKey({ kind: 'Namespace', metadata: { name: 'prod' } } as KObject), 'prod');
  t.is(objectKey({ kind: 'PriorityClass', metadata: { name: 'high', namespace: 'x' } } as KObject), 'high');
});

test('objectKey: a missing name or kind', (t) => {
  t.is(objectKey({ kind: 'Pod', metadata: {} } as KObject), 'default/');
  t.is(objectKey({ kind: 'Node' } as KObject), '');
  // Without a kind nothing says it is cluster-scoped: keyed as namespaced.
  t.is(objectKey({ metadata: { name: 'n' } } as KObject), 'default/n');
});
