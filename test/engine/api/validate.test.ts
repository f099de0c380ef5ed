import test from 'ava';
import { ValidationError } from '../../../engine/api/errors.js';
import type { KObject } from '../../../engine/api/types.js';
import {
  dns1123LabelProblem,
  dns1123SubdomainProblem,
  validateObject,
} from '../../../engine/api/validate.js';

// RFC 1123 label (apimachinery IsDNS1123Label): 1-63 chars, lowercase alphanumerics and '-', starting
// and ending with an alphanumeric. Subdomain (IsDNS1123Subdomain): dot-separated labels, ≤ 253 chars.

const LABEL_MSG = (name: string) =>
  `invalid name ${JSON.stringify(name)}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`;
const SUBDOMAIN_MSG = (name: string) =>
  `invalid name ${JSON.stringify(name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`;

test('dns1123LabelProblem accepts valid labels', (t) => {
  for (const name of ['a', '0', 'web', 'my-app-2', '9lives', 'a--b', 'a'.repeat(63)]) {
    t.is(dns1123LabelProblem(name), undefined, name);
  }
});

test('dns1123LabelProblem rejects names breaking the character and edge rules', (t) => {
  // Empty, uppercase, leading/trailing '-', '_' and '.' (a label has no dots).
  for (const name of ['', 'Web', 'web-', '-web', 'my_app', 'a.b', 'a b', 'ü']) {
    t.is(dns1123LabelProblem(name), LABEL_MSG(name), JSON.stringify(name));
  }
});

test('dns1123LabelProblem rejects 64 characters with the length message', (t) => {
  const name = 'a'.repeat(64);
  t.is(dns1123LabelProblem(name), `invalid name "${name}": must be no more than 63 characters`);
});

test('dns1123SubdomainProblem accepts dotted names up to 253 characters', (t) => {
  const exact = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
  t.is(exact.length, 253);
  for (const name of ['a', 'example.com', 'web-1.default.svc', 'a.b.c', exact]) {
    t.is(dns1123SubdomainProblem(name), undefined, name);
  }
});

test('dns1123SubdomainProblem rejects bad characters, empty labels and bad edges', (t) => {
  for (const name of ['', 'Example.com', '.a', 'a.', 'a..b', 'a.-b', 'a-.b', 'a_b', 'a/b']) {
    t.is(dns1123SubdomainProblem(name), SUBDOMAIN_MSG(name), JSON.stringify(name));
  }
});

test('dns1123SubdomainProblem rejects 254 characters with the length message', (t) => {
  const name = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`;
  t.is(name.length, 254);
  t.is(dns1123SubdomainProblem(name), `invalid name "${name}": must be no more than 253 characters`);
});

// ---- kreplay.io/duration: the syntax the kubelet parses, checked when the pod enters the store ----

function podWith(kind: string, annotations: Record<string, string>): KObject {
  return { kind, metadata: { name: 'p', namespace: 'default', annotations }, spec: { containers: [] } };
}

test('a pod duration annotation in any form the kubelet reads is valid', (t) => {
  for (const d of ['90s', '15m', '36h', '30d', '250ms', '1h30m', '1.5s', '42', '0s', '0']) {
    t.notThrows(() => validateObject(podWith('Pod', { 'kreplay.io/duration': d })), d);
  }
});

test('a bad pod duration annotation is refused, naming the annotation', (t) => {
  for (const d of ['abc', '-5s', '', '5x', '1h 30m', '5s5', ' 5s']) {
    const err = t.throws(() => validateObject(podWith('Pod', { 'kreplay.io/duration': d })), {
      instanceOf: ValidationError,
    });
    t.is(
      err.message,
      `metadata.annotations.kreplay.io/duration: invalid duration ${JSON.stringify(d)} (use e.g. 90s, 15m, 36h, 30d)`,
      JSON.stringify(d),
    );
    t.is(err.code, 'INVALID_DURATION');
  }
});

test('a pod update that changes the duration annotation is checked again', (t) => {
  const old = podWith('Pod', { 'kreplay.io/duration': '5s' });
  validateObject(old);
  const bad = { ...old, metadata: { ...old.metadata, annotations: { 'kreplay.io/duration': '-5s' } } };
  t.throws(() => validateObject(bad, old), {
    message: 'metadata.annotations.kreplay.io/duration: invalid duration "-5s" (use e.g. 90s, 15m, 36h, 30d)',
  });
});

test('the duration annotation means nothing on other kinds and is not checked there', (t) => {
  t.notThrows(() => validateObject(podWith('ReplicaSet', { 'kreplay.io/duration': 'abc' })));
});

// ---- Deployment rollingUpdate maxSurge / maxUnavailable (apps ValidatePositiveIntOrPercent) ----

function deploymentWith(rollingUpdate: Record<string, unknown>): KObject {
  return {
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'default' },
    spec: { strategy: { type: 'RollingUpdate', rollingUpdate } },
  };
}

test('maxSurge and maxUnavailable take a non-negative integer or a percentage', (t) => {
  for (const v of [0, 3, '0%', '25%', '100%']) {
    t.notThrows(() => validateObject(deploymentWith({ maxSurge: v, maxUnavailable: v })), String(v));
  }
  t.notThrows(() => validateObject(deploymentWith({})));
});

test('a maxSurge or maxUnavailable string that is not a percentage is refused at create', (t) => {
  const PERCENT = `a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%' or '93%')`;
  const cases: [Record<string, unknown>, string][] = [
    [{ maxSurge: '5' }, `spec.strategy.rollingUpdate.maxSurge: invalid value "5": ${PERCENT}`],
    [
      { maxUnavailable: '2.5%' },
      `spec.strategy.rollingUpdate.maxUnavailable: invalid value "2.5%": ${PERCENT}`,
    ],
    [{ maxUnavailable: '' }, `spec.strategy.rollingUpdate.maxUnavailable: invalid value "": ${PERCENT}`],
    [{ maxSurge: -1 }, 'spec.strategy.rollingUpdate.maxSurge: must be greater than or equal to 0, got -1'],
    [
      { maxSurge: 1.5 },
      `spec.strategy.rollingUpdate.maxSurge: must be an integer or a percentage (e.g. '5%'), got 1.5`,
    ],
  ];
  for (const [ru, message] of cases) {
    const err = t.throws(() => validateObject(deploymentWith(ru)), { instanceOf: ValidationError });
    t.is(err.message, message);
    t.is(err.code, 'INVALID_INT_OR_PERCENT');
  }
});

// ---- container resource names (core validation validateContainerResourceName, ValidateResourceRequirements) ----
// A name without '/' must be a standard container resource: cpu, memory, ephemeral-storage or
// hugepages-<size>. A name with '/' must be a qualified name (a DNS-1123 subdomain prefix, a name part
// of 1-63 [A-Za-z0-9-_.] starting and ending alphanumeric); outside *kubernetes.io/ it is an extended
// resource, which must also not start with "requests." and stay a qualified name as "requests.<name>".
// Extended resources are counted in whole units, and (like hugepages) cannot be overcommitted: with
// both a request and a limit, the two must be equal.

function podResources(resources: Record<string, unknown>, where = 'containers'): KObject {
  return {
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: { [where]: [{ name: 'a' }, { name: 'b', resources }] },
  };
}

const STANDARD_MSG = (name: string) =>
  `invalid resource name ${JSON.stringify(name)}: must be a standard resource for containers (cpu, memory, ephemeral-storage, hugepages-<size>) or a domain-qualified name (e.g. example.com/foo)`;

test('container resource names Kubernetes accepts are accepted', (t) => {
  for (const name of [
    'cpu',
    'memory',
    'ephemeral-storage',
    'hugepages-2Mi',
    'hugepages-1Gi',
    'nvidia.com/gpu',
    'kreplay.io/gpu-milli',
    'example.com/Foo_Bar.v2',
    'kubernetes.io/batch-cpu', // native (kubernetes.io/): not an extended resource
    'scheduling.k8s.io/foo',
  ]) {
    t.notThrows(
      () => validateObject(podResources({ requests: { [name]: '2' }, limits: { [name]: '2' } })),
      name,
    );
  }
});

test('a container resource name Kubernetes rejects is refused at create, naming the field', (t) => {
  const cases: [string, string][] = [
    ['gpu', STANDARD_MSG('gpu')],
    ['pods', STANDARD_MSG('pods')],
    ['storage', STANDARD_MSG('storage')],
    ['requests.cpu', STANDARD_MSG('requests.cpu')],
    ['CPU', STANDARD_MSG('CPU')],
    [
      'Example.com/foo',
      'invalid resource name "Example.com/foo": the prefix before \'/\' must be a lowercase DNS-1123 subdomain',
    ],
    [
      'example.com/a/b',
      `invalid resource name "example.com/a/b": the name after the prefix must be 1-63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric`,
    ],
    [
      'example.com/',
      `invalid resource name "example.com/": the name after the prefix must be 1-63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric`,
    ],
    [
      'requests.example.com/foo',
      'invalid resource name "requests.example.com/foo": not a valid extended resource name (a domain-qualified name outside kubernetes.io/ must not start with "requests." and must stay a qualified name as "requests.<name>")',
    ],
    [
      // 253 characters of prefix: a valid qualified name, but "requests." + it is too long.
      `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}/x`,
      `invalid resource name ${JSON.stringify(`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}/x`)}: not a valid extended resource name (a domain-qualified name outside kubernetes.io/ must not start with "requests." and must stay a qualified name as "requests.<name>")`,
    ],
  ];
  for (const [name, message] of cases) {
    for (const which of ['requests', 'limits']) {
      for (const where of ['containers', 'initContainers']) {
        const err = t.throws(
          () => validateObject(podResources({ [which]: { cpu: '1', [name]: '1' } }, where)),
          {
            instanceOf: ValidationError,
          },
        );
        t.is(err.message, `spec.${where}[1].resources.${which}.${name}: ${message}`, name);
        t.is(err.path, `spec.${where}[1].resources.${which}.${name}`);
        t.is(err.code, 'INVALID_RESOURCE_NAME');
      }
    }
  }
});

test('an extended resource must be a whole number', (t) => {
  // Upstream tests the value in milli-units, rounded up: 1.9999 -> 2000m passes (and counts as 2).
  for (const q of ['1', '0', '8', '2k', '1e3', '1.0', '3000m', '1Ki', '1.9999']) {
    t.notThrows(() => validateObject(podResources({ requests: { 'example.com/foo': q } })), q);
  }
  for (const [which, q] of [
    ['requests', '0.5'],
    ['requests', '500m'],
    ['limits', '1.5'],
    ['limits', '1001m'],
  ] as const) {
    const err = t.throws(() => validateObject(podResources({ [which]: { 'example.com/foo': q } })), {
      instanceOf: ValidationError,
    });
    t.is(
      err.message,
      `spec.containers[1].resources.${which}.example.com/foo: must be an integer (example.com/foo is an extended resource), got ${JSON.stringify(q)}`,
    );
    t.is(err.code, 'INVALID_QUANTITY');
  }
  // Native resources take fractions (cpu in millicores; a kubernetes.io/ name is not extended).
  t.notThrows(() =>
    validateObject(
      podResources({ requests: { cpu: '0.5', 'kubernetes.io/batch-cpu': '0.5', memory: '1.5Gi' } }),
    ),
  );
});

test('an extended resource or hugepages with both a request and a limit needs them equal; cpu may overcommit', (t) => {
  // Equal in value, spelled differently: accepted (quantities compare by value).
  t.notThrows(() =>
    validateObject(
      podResources({ requests: { 'nvidia.com/gpu': '1' }, limits: { 'nvidia.com/gpu': '1000m' } }),
    ),
  );
  // Only one of the two: nothing to compare. (The API server also refuses a request without a limit,
  // "Limit must be set for non overcommitable resources"; kreplay does not check that one.)
  t.notThrows(() => validateObject(podResources({ limits: { 'nvidia.com/gpu': '2' } })));
  t.notThrows(() => validateObject(podResources({ requests: { 'nvidia.com/gpu': '2' } })));
  // cpu and memory may request less than their limit.
  t.notThrows(() =>
    validateObject(
      podResources({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } }),
    ),
  );
  for (const [name, req, lim] of [
    ['nvidia.com/gpu', '1', '2'],
    ['nvidia.com/gpu', '2', '1'],
    ['hugepages-2Mi', '2Mi', '4Mi'],
  ] as const) {
    const err = t.throws(
      () => validateObject(podResources({ requests: { cpu: '1', [name]: req }, limits: { [name]: lim } })),
      { instanceOf: ValidationError },
    );
    t.is(
      err.message,
      `spec.containers[1].resources.requests.${name}: must be equal to ${name} limit of ${lim} (${name} cannot be overcommitted)`,
    );
  }
  // The overcommittable kind keeps its own rule and message.
  t.throws(() => validateObject(podResources({ requests: { cpu: '2' }, limits: { cpu: '1' } })), {
    message: 'spec.containers[1].resources.requests.cpu: must be less than or equal to cpu limit of 1',
  });
});

test('resource names are checked once per distinct spec, and again when an update brings new containers', (t) => {
  // A spec whose containers count how often validation reads them.
  let reads = 0;
  const containers = [{ name: 'c', resources: { requests: { 'nvidia.com/gpu': '1' } } }];
  const spec = {
    get containers() {
      reads++;
      return containers;
    },
  };
  const pod = (name: string): KObject => ({ kind: 'Pod', metadata: { name, namespace: 'default' }, spec });
  validateObject(pod('a'));
  const once = reads;
  t.true(once > 0);
  // Pods stamped from the same (already valid) spec are not checked again.
  validateObject(pod('b'));
  validateObject(pod('c'));
  t.is(reads, once);
  // An update that brings a new spec is.
  const ok = pod('d');
  const bad = { ...ok, spec: { containers: [{ name: 'c', resources: { requests: { gpu: '1' } } }] } };
  t.throws(() => validateObject(bad, ok), {
    code: 'INVALID_RESOURCE_NAME',
    message: `spec.containers[0].resources.requests.gpu: ${STANDARD_MSG('gpu')}`,
  });
});
