import test from 'ava';
import {
  compileFieldRequirements,
  compileRequirements,
  labelKeyProblem,
  labelSelectorRequirements,
  labelValueProblem,
  type FieldRequirement,
  type LabelRequirement,
} from '../../../engine/api/selector.js';
import { ValidationError } from '../../../engine/api/errors.js';
import type { KObject, LabelSelector } from '../../../engine/api/types.js';

// ---- labelKeyProblem: apimachinery IsQualifiedName ----
// [prefix '/'] name, prefix a DNS-1123 subdomain (≤ 253), name 1-63 of [A-Za-z0-9-_.] starting and
// ending with an alphanumeric (uppercase allowed in the name part, not in the prefix).

const PREFIX_MSG = (k: string) =>
  `invalid label key ${JSON.stringify(k)}: prefix must be a DNS-1123 subdomain`;
const NAME_MSG = (k: string) =>
  `invalid label key ${JSON.stringify(k)}: name must be 1-63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric`;

test('labelKeyProblem accepts plain and prefixed qualified names', (t) => {
  const prefix253 = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
  for (const key of [
    'app',
    'App_Name.v1-2',
    'x',
    'kubernetes.io/hostname',
    'topology.kubernetes.io/zone',
    'a/b',
    'z'.repeat(63),
    `${prefix253}/name`,
  ]) {
    t.is(labelKeyProblem(key), undefined, key);
  }
});

test('labelKeyProblem rejects invalid name parts', (t) => {
  // Empty, 64 chars, bad edges, characters outside the set, and a second '/' (lands in the name part).
  for (const key of [
    '',
    'z'.repeat(64),
    '-app',
    'app-',
    '_app',
    'app.',
    'a b',
    'a:b',
    'example.com/',
    'a/b/c',
  ]) {
    t.is(labelKeyProblem(key), NAME_MSG(key), JSON.stringify(key));
  }
});

test('labelKeyProblem rejects invalid prefixes', (t) => {
  const prefix254 = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`;
  for (const key of [
    '/app',
    'Example.com/app',
    'a_b.com/app',
    '-a.com/app',
    'a..com/app',
    `${prefix254}/app`,
  ]) {
    t.is(labelKeyProblem(key), PREFIX_MSG(key), JSON.stringify(key));
  }
});

// ---- labelValueProblem: IsValidLabelValue, empty or a ≤ 63-char name part ----

test('labelValueProblem accepts empty and valid values', (t) => {
  for (const v of ['', 'a', 'Web_1.2-x', '0', 'v'.repeat(63)]) t.is(labelValueProblem(v), undefined, v);
});

test('labelValueProblem rejects values outside the name-part syntax', (t) => {
  for (const v of ['v'.repeat(64), '-a', 'a-', '.a', 'a/b', 'a b', 'a=b']) {
    t.is(
      labelValueProblem(v),
      `invalid label value ${JSON.stringify(v)}: must be empty or 1-63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric`,
      JSON.stringify(v),
    );
  }
});

// ---- compileRequirements ----

const SETS: Record<string, Record<string, string> | undefined> = {
  web: { app: 'web', tier: 'a' },
  db: { app: 'db', tier: 'b' },
  bare: {},
  none: undefined,
};

function matching(reqs: LabelRequirement[]): string[] {
  const m = compileRequirements(reqs);
  return Object.keys(SETS).filter((k) => m(SETS[k]));
}

test('compileRequirements: no requirements match everything, including undefined labels', (t) => {
  t.deepEqual(matching([]), ['web', 'db', 'bare', 'none']);
});

test('compileRequirements: each operator with Kubernetes semantics', (t) => {
  t.deepEqual(matching([{ key: 'app', operator: 'In', values: ['web'] }]), ['web']);
  t.deepEqual(matching([{ key: 'app', operator: 'In', values: ['web', 'db', 'x'] }]), ['web', 'db']);
  // NotIn also matches objects without the key.
  t.deepEqual(matching([{ key: 'app', operator: 'NotIn', values: ['web'] }]), ['db', 'bare', 'none']);
  t.deepEqual(matching([{ key: 'app', operator: 'NotIn', values: ['web', 'db'] }]), ['bare', 'none']);
  t.deepEqual(matching([{ key: 'tier', operator: 'Exists', values: [] }]), ['web', 'db']);
  t.deepEqual(matching([{ key: 'tier', operator: 'DoesNotExist', values: [] }]), ['bare', 'none']);
});

test('compileRequirements ANDs two and three requirements', (t) => {
  t.deepEqual(
    matching([
      { key: 'tier', operator: 'Exists', values: [] },
      { key: 'app', operator: 'NotIn', values: ['web'] },
    ]),
    ['db'],
  );
  t.deepEqual(
    matching([
      { key: 'tier', operator: 'In', values: ['a', 'b'] },
      { key: 'app', operator: 'In', values: ['web', 'db'] },
      { key: 'app', operator: 'NotIn', values: ['db'] },
    ]),
    ['web'],
  );
});

test('compileRequirements does not read inherited properties as labels', (t) => {
  const m = compileRequirements([{ key: 'toString', operator: 'Exists', values: [] }]);
  t.false(m({}));
});

// ---- labelSelectorRequirements ----

test('labelSelectorRequirements: matchLabels become In requirements, then matchExpressions', (t) => {
  const sel: LabelSelector = {
    matchLabels: { app: 'web', 'example.com/tier': 'a' },
    matchExpressions: [
      { key: 'env', operator: 'NotIn', values: ['dev', 'test'] },
      { key: 'legacy', operator: 'DoesNotExist' },
    ],
  };
  t.deepEqual(labelSelectorRequirements(sel), [
    { key: 'app', operator: 'In', values: ['web'] },
    { key: 'example.com/tier', operator: 'In', values: ['a'] },
    { key: 'env', operator: 'NotIn', values: ['dev', 'test'] },
    { key: 'legacy', operator: 'DoesNotExist', values: [] },
  ]);
  t.deepEqual(labelSelectorRequirements({}), []);
});

test('labelSelectorRequirements: an empty matchLabels value is valid', (t) => {
  t.deepEqual(labelSelectorRequirements({ matchLabels: { app: '' } }), [
    { key: 'app', operator: 'In', values: [''] },
  ]);
});

// Each case: the selector, the path of the error, its detail (metav1 ValidateLabelSelector rules).
const invalid: { sel: LabelSelector; path: string; detail: string }[] = [
  {
    sel: { matchLabels: { 'bad key': 'x' } },
    path: 'spec.selector.matchLabels.bad key',
    detail: NAME_MSG('bad key'),
  },
  {
    sel: { matchLabels: { app: 'bad value' } },
    path: 'spec.selector.matchLabels.app',
    detail: `invalid label value "bad value": must be empty or 1-63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric`,
  },
  {
    sel: { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['x'] }] },
    path: 'spec.selector.matchExpressions[0].operator',
    detail: 'unknown operator "Equals"',
  },
  {
    sel: { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] },
    path: 'spec.selector.matchExpressions[0].values',
    detail: 'must be non-empty when operator is In',
  },
  {
    sel: { matchExpressions: [{ key: 'app', operator: 'NotIn' }] },
    path: 'spec.selector.matchExpressions[0].values',
    detail: 'must be non-empty when operator is NotIn',
  },
  {
    sel: { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['x'] }] },
    path: 'spec.selector.matchExpressions[0].values',
    detail: 'must be empty when operator is Exists',
  },
  {
    sel: {
      matchExpressions: [
        { key: 'ok', operator: 'Exists' },
        { key: '-k', operator: 'Exists' },
      ],
    },
    path: 'spec.selector.matchExpressions[1].key',
    detail: NAME_MSG('-k'),
  },
  {
    sel: { matchExpressions: [{ key: 'app', operator: 'In', values: ['ok', 'not ok'] }] },
    path: 'spec.selector.matchExpressions[0].values[1]',
    detail: `invalid label value "not ok": must be empty or 1-63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric`,
  },
];

for (const [i, tc] of invalid.entries()) {
  test(`labelSelectorRequirements rejects invalid selector #${i} at ${tc.path}`, (t) => {
    const err = t.throws(() => labelSelectorRequirements(tc.sel, 'spec.selector'), {
      instanceOf: ValidationError,
    });
    t.is(err.path, tc.path);
    t.is(err.detail, tc.detail);
    t.is(err.code, 'INVALID_SELECTOR');
  });
}

test('labelSelectorRequirements defaults the path to "selector"', (t) => {
  const err = t.throws(
    () => labelSelectorRequirements({ matchExpressions: [{ key: 'a', operator: 'In' }] }),
    {
      instanceOf: ValidationError,
    },
  );
  t.is(err.path, 'selector.matchExpressions[0].values');
});

// ---- compileFieldRequirements ----

const OBJS: Record<string, KObject> = {
  boundA: { kind: 'Pod', metadata: { name: 'a', namespace: 'ns1' }, spec: { nodeName: 'n1' } } as KObject,
  pendingB: { kind: 'Pod', metadata: { name: 'b', namespace: 'ns2' }, spec: {} } as KObject,
  node: { kind: 'Node', metadata: { name: 'n1' } } as KObject,
};

function fieldMatching(reqs: FieldRequirement[]): string[] {
  const m = compileFieldRequirements(reqs);
  return Object.keys(OBJS).filter((k) => m(OBJS[k]!));
}

test('compileFieldRequirements: no requirements match everything', (t) => {
  t.deepEqual(fieldMatching([]), ['boundA', 'pendingB', 'node']);
});

test('compileFieldRequirements: = and != per field; a missing field reads as ""', (t) => {
  t.deepEqual(fieldMatching([{ field: 'metadata.name', operator: '=', value: 'a' }]), ['boundA']);
  t.deepEqual(fieldMatching([{ field: 'metadata.namespace', operator: '!=', value: 'ns1' }]), [
    'pendingB',
    'node',
  ]);
  // spec.nodeName= (empty) selects unscheduled pods, and objects without the field.
  t.deepEqual(fieldMatching([{ field: 'spec.nodeName', operator: '=', value: '' }]), ['pendingB', 'node']);
  t.deepEqual(fieldMatching([{ field: 'spec.nodeName', operator: '!=', value: '' }]), ['boundA']);
  t.deepEqual(fieldMatching([{ field: 'metadata.namespace', operator: '=', value: '' }]), ['node']);
});

test('compileFieldRequirements ANDs requirements', (t) => {
  t.deepEqual(
    fieldMatching([
      { field: 'metadata.name', operator: '!=', value: 'b' },
      { field: 'spec.nodeName', operator: '=', value: 'n1' },
    ]),
    ['boundA'],
  );
  t.deepEqual(
    fieldMatching([
      { field: 'metadata.name', operator: '!=', value: 'b' },
      { field: 'metadata.name', operator: '!=', value: 'a' },
      { field: 'metadata.namespace', operator: '=', value: '' },
    ]),
    ['node'],
  );
});
