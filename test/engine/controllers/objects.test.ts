import test from 'ava';
import {
  controllerRef,
  ownerRefTo,
  podFromTemplate,
  type PodTemplate,
} from '../../../engine/controllers/objects.js';
import type { ObjectLike } from '../../../engine/api/store.js';
import type { OwnerReference } from '../../../engine/api/types.js';

const RS: ObjectLike = {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web-abc', namespace: 'prod', uid: 'uid-rs' },
} as ObjectLike;

// The ownerReference a workload controller sets (metav1.NewControllerRef): the owner's apiVersion,
// kind, name, uid, controller: true and blockOwnerDeletion: true.
const RS_REF: OwnerReference = {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  name: 'web-abc',
  uid: 'uid-rs',
  controller: true,
  blockOwnerDeletion: true,
};

test('controllerRef: the owner reference with controller: true', (t) => {
  const other: OwnerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: 'c', uid: 'u1' };
  const notController: OwnerReference = { ...other, name: 'd', uid: 'u2', controller: false };
  const obj = {
    kind: 'Pod',
    metadata: { name: 'p', ownerReferences: [other, notController, RS_REF] },
  } as ObjectLike;
  t.is(controllerRef(obj), RS_REF);
});

test('controllerRef: undefined without a controller reference', (t) => {
  const other: OwnerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: 'c', uid: 'u1' };
  t.is(
    controllerRef({ kind: 'Pod', metadata: { name: 'p', ownerReferences: [other] } } as ObjectLike),
    undefined,
  );
  t.is(controllerRef({ kind: 'Pod', metadata: { name: 'p' } } as ObjectLike), undefined);
  t.is(controllerRef({ kind: 'Pod' } as ObjectLike), undefined);
});

test('ownerRefTo: a controller reference to the owner', (t) => {
  t.deepEqual(ownerRefTo(RS), RS_REF);
});

test('ownerRefTo: apiVersion from the kind when the owner has none', (t) => {
  const job = { kind: 'Job', metadata: { name: 'j', uid: 'uid-j' } } as ObjectLike;
  t.deepEqual(ownerRefTo(job), {
    apiVersion: 'batch/v1',
    kind: 'Job',
    name: 'j',
    uid: 'uid-j',
    controller: true,
    blockOwnerDeletion: true,
  });
  const unknown = { kind: 'Widget', metadata: { name: 'w', uid: 'uid-w' } } as ObjectLike;
  t.is(ownerRefTo(unknown).apiVersion, 'v1');
});

const TEMPLATE: PodTemplate = {
  metadata: { labels: { app: 'web' }, annotations: { 'kreplay.io/duration': '60s' } },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
};

test('podFromTemplate: generateName, namespace of the owner, template metadata, owner reference', (t) => {
  const pod = podFromTemplate(TEMPLATE, RS, { generateName: 'web-abc-' });
  t.deepEqual(pod, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: 'web-abc-',
      namespace: 'prod',
      labels: { app: 'web' },
      annotations: { 'kreplay.io/duration': '60s' },
      ownerReferences: [RS_REF],
    },
    spec: { containers: [{ name: 'c', image: 'nginx' }] },
  });
  // The template's spec is shared, not copied.
  t.is(pod.spec, TEMPLATE.spec);
});

test('podFromTemplate: a fixed name, extra labels and annotations override the template', (t) => {
  const ss = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', uid: 'uid-ss' },
  } as ObjectLike;
  const pod = podFromTemplate(
    TEMPLATE,
    ss,
    { name: 'db-0' },
    {
      labels: { app: 'db', 'statefulset.kubernetes.io/pod-name': 'db-0' },
      annotations: { note: 'x' },
    },
  );
  t.deepEqual(pod.metadata, {
    name: 'db-0',
    namespace: 'default', // the owner has no namespace
    labels: { app: 'db', 'statefulset.kubernetes.io/pod-name': 'db-0' },
    annotations: { 'kreplay.io/duration': '60s', note: 'x' },
    ownerReferences: [
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        name: 'db',
        uid: 'uid-ss',
        controller: true,
        blockOwnerDeletion: true,
      },
    ],
  });
  // The template itself is not modified.
  t.deepEqual(TEMPLATE.metadata!.labels, { app: 'web' });
});

test('podFromTemplate: an extra spec replaces the template spec', (t) => {
  const spec = { containers: [{ name: 'other' }], nodeName: 'n1' };
  t.is(podFromTemplate(TEMPLATE, RS, { generateName: 'x-' }, { spec }).spec, spec);
});

test('podFromTemplate: no template gives an empty pod without labels or annotations', (t) => {
  t.deepEqual(podFromTemplate(undefined, RS, { generateName: 'x-' }), {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: 'x-', namespace: 'prod', ownerReferences: [RS_REF] },
    spec: { containers: [] },
  });
  // Empty maps are dropped as well.
  const empty = podFromTemplate(
    { metadata: { labels: {}, annotations: {} } },
    RS,
    { generateName: 'x-' },
    { labels: {} },
  );
  t.false('labels' in empty.metadata!);
  t.false('annotations' in empty.metadata!);
});
