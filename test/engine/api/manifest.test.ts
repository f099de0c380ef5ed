import test from 'ava';
import {
  InputError,
  loadManifests,
  loadManifestText,
  locateManifests,
  locateManifestText,
  ManifestError,
  Store,
} from '../../../engine/api/index.js';
import type { KObject } from '../../../engine/api/index.js';

const F = 'test/fixtures/manifests';
const KNOWN =
  'Pod, Node, Namespace, Service, ResourceQuota, LimitRange, ReplicaSet, Deployment, DaemonSet, StatefulSet, Job, CronJob, PriorityClass, PodDisruptionBudget';

function ids(objs: KObject[]): string[] {
  return objs.map((o) => `${o.kind!}/${o.metadata?.name ?? `${o.metadata!.generateName!}*`}`);
}

test('a folder loads recursively in name order: JSON object, multi-doc YAML, JSON array, List', async (t) => {
  const objs = await loadManifests([`${F}/cluster`]);
  t.deepEqual(ids(objs), [
    'Namespace/team-a', // a-namespace.json
    'Node/node-1', // b-nodes.yaml, document 1 (documents 2 and 4 are empty)
    'Node/node-2', // b-nodes.yaml, document 3
    'Pod/web-1', // c/pods.json [0]
    'Pod/batch-*', // c/pods.json [1]
    'Deployment/web', // d-list.yml items[0]
    'Service/web', // d-list.yml items[1]
  ]); // notes.txt is skipped
  t.deepEqual(objs[1]!.status, { allocatable: { cpu: '4', memory: '16Gi', pods: 110 } });
  t.deepEqual(objs[5]!.spec, {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'app', image: 'nginx' }] },
    },
  });
});

test('paths load in the order given; loaded objects go into a store', async (t) => {
  const objs = await loadManifests([`${F}/cluster/d-list.yml`, `${F}/cluster/a-namespace.json`]);
  t.deepEqual(ids(objs), ['Deployment/web', 'Service/web', 'Namespace/team-a']);
  const store = new Store({ clock: { now: () => 0 } });
  for (const o of await loadManifests([`${F}/cluster`])) store.create(o);
  t.is(store.count('Pod'), 2);
  t.is(store.list('Pod', { labelSelector: 'app=web' }).length, 1);
});

const fileErrors: {
  file: string;
  error: abstract new (...args: never[]) => InputError;
  code: string;
  message: string;
}[] = [
  {
    file: 'bad-quantity.yaml',
    error: ManifestError,
    code: 'INVALID_QUANTITY',
    message: `${F}/bad-quantity.yaml: document 3 (line 24): spec.containers[0].resources.requests.cpu: invalid quantity "1x"`,
  },
  {
    file: 'unknown-kind.yaml',
    error: ManifestError,
    code: 'UNKNOWN_KIND',
    message: `${F}/unknown-kind.yaml: document 2 (line 7): kind: unknown kind "Widget" (known: ${KNOWN})`,
  },
  {
    file: 'bad-list.json',
    error: ManifestError,
    code: 'INVALID_QUANTITY',
    message: `${F}/bad-list.json: document 1 (line 10): items[1].status.allocatable.cpu: must be greater than or equal to 0, got "-2"`,
  },
  {
    file: 'bad-yaml.yaml',
    error: InputError,
    code: 'INVALID_YAML',
    message: `${F}/bad-yaml.yaml:6: invalid YAML (document 1): Flow sequence in block collection must be sufficiently indented and end with a ]`,
  },
  {
    file: 'missing.yaml',
    error: InputError,
    code: 'NOT_FOUND',
    message: `${F}/missing.yaml: no such file or directory`,
  },
];
for (const tc of fileErrors) {
  test(`loadManifests error: ${tc.file}`, async (t) => {
    const err = await t.throwsAsync(loadManifests([`${F}/cluster`, `${F}/${tc.file}`]), {
      instanceOf: tc.error,
    });
    t.is(err.message, tc.message);
    t.is(err.code, tc.code);
    t.is(err.file, `${F}/${tc.file}`);
  });
}

test('ManifestError carries document, line and field', (t) => {
  const err = t.throws(() => loadManifestText('kind: Pod\nmetadata:\n  name: Bad_Name\n', 'x.yaml'), {
    instanceOf: ManifestError,
  });
  t.is(err.document, 1);
  t.is(err.line, 3);
  t.is(err.field, 'metadata.name');
  t.is(err.code, 'INVALID_NAME');
});

const textErrors: { name: string; text: string; message: string }[] = [
  {
    name: 'duplicate keys are invalid YAML',
    text: 'kind: Pod\nkind: Node\n',
    message: 'm.yaml:2: invalid YAML (document 1): Map keys must be unique',
  },
  {
    name: 'a scalar document',
    text: 'kind: Node\nmetadata: {name: n}\n---\nhello\n',
    message: 'm.yaml: document 2 (line 4): expected a Kubernetes object, got string',
  },
  {
    name: 'a list item that is not an object',
    text: '- kind: Node\n  metadata: {name: n}\n- 42\n',
    message: 'm.yaml: document 1 (line 3): [1]: expected a Kubernetes object, got number',
  },
  {
    name: 'missing name points at metadata',
    text: 'kind: Pod\nmetadata:\n  labels: {a: b}\n',
    message: 'm.yaml: document 1 (line 3): metadata.name: name or generateName is required',
  },
  {
    name: 'label keys with dots and slashes are found',
    text: 'kind: Node\nmetadata:\n  name: n\n  labels:\n    a: b\n    topology.kubernetes.io/zone: "-x"\n',
    message:
      "m.yaml: document 1 (line 6): metadata.labels.topology.kubernetes.io/zone: invalid label value \"-x\": must be empty or 1-63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric",
  },
  {
    name: 'label values must be strings',
    text: 'kind: Node\nmetadata:\n  name: n\n  labels:\n    version: 1\n',
    message: 'm.yaml: document 1 (line 5): metadata.labels.version: label value must be a string, got 1',
  },
  {
    name: 'requests above limits',
    text: 'kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    resources:\n      requests: {cpu: 2}\n      limits: {cpu: 1500m}\n',
    message:
      'm.yaml: document 1 (line 7): spec.containers[0].resources.requests.cpu: must be less than or equal to cpu limit of 1500m',
  },
  {
    name: 'missing kind',
    text: 'metadata: {name: p}\n',
    message: 'm.yaml: document 1 (line 1): kind: required',
  },
];
for (const tc of textErrors) {
  test(`loadManifestText: ${tc.name}`, (t) => {
    t.is(t.throws(() => loadManifestText(tc.text, 'm.yaml')).message, tc.message);
  });
}

test('loadManifestText: empty input and empty documents give nothing', (t) => {
  t.deepEqual(loadManifestText('', 'e.yaml'), []);
  t.deepEqual(loadManifestText('# comment\n---\n---\n', 'e.yaml'), []);
  t.deepEqual(loadManifestText('[]', 'e.json'), []);
});

test('loadManifestText: Lists nest inside arrays', (t) => {
  const text = JSON.stringify([
    { kind: 'PodList', items: [{ kind: 'Pod', metadata: { name: 'a' } }] },
    { kind: 'Node', metadata: { name: 'n' } },
  ]);
  t.deepEqual(ids(loadManifestText(text, 'l.json')), ['Pod/a', 'Node/n']);
});

test('locateManifests: each object with its file and the line of its first field', async (t) => {
  const nodes = `${F}/cluster/b-nodes.yaml`;
  const list = `${F}/cluster/d-list.yml`;
  const got = await locateManifests([nodes, list]);
  t.deepEqual(
    got.map((o) => [o.object.metadata!.name, o.file, o.line]),
    [
      ['node-1', nodes, 3], // document 1 starts after the comment and `---`
      ['node-2', nodes, 16], // after the empty document 2
      ['web', list, 4], // items[0]: the `- apiVersion` line
      ['web', list, 20], // items[1]
    ],
  );
  // The same objects as loadManifests, in the same order.
  t.deepEqual(
    got.map((o) => o.object),
    await loadManifests([nodes, list]),
  );
  t.deepEqual(
    locateManifestText('{"kind":"Namespace","metadata":{"name":"x"}}', 'ns.json').map((o) => o.line),
    [1],
  );
});
