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
