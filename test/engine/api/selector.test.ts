import test from 'ava';
import {
  compileFieldSelector,
  compileLabelSelector,
  compileOptionalLabelSelector,
  compileSelectorString,
  parseFieldSelector,
  parseSelectorString,
  ValidationError,
} from '../../../engine/api/index.js';
import type { KObject, LabelSelector } from '../../../engine/api/index.js';

const WEB = { app: 'web', tier: 'a' };
const DB = { app: 'db', tier: 'b', legacy: 'true' };
const BARE = {};
const NONE = undefined;
const SETS = [WEB, DB, BARE, NONE] as const;

// Each case lists which of [WEB, DB, BARE, NONE] match.
const structured: { name: string; sel: LabelSelector | null | undefined; want: boolean[] }[] = [
  { name: 'nil selector matches nothing', sel: undefined, want: [false, false, false, false] },
  { name: 'null selector matches nothing', sel: null, want: [false, false, false, false] },
  { name: 'empty selector matches everything', sel: {}, want: [true, true, true, true] },
  { name: 'empty matchLabels matches everything', sel: { matchLabels: {} }, want: [true, true, true, true] },
  { name: 'matchLabels', sel: { matchLabels: { app: 'web' } }, want: [true, false, false, false] },
  {
    name: 'matchLabels ANDed',
    sel: { matchLabels: { app: 'db', tier: 'a' } },
    want: [false, false, false, false],
  },
  {
    name: 'In',
    sel: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] },
    want: [true, true, false, false],
  },
  {
    name: 'NotIn matches objects without the key',
    sel: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a'] }] },
    want: [false, true, true, true],
  },
  {
    name: 'Exists',
    sel: { matchExpressions: [{ key: 'legacy', operator: 'Exists' }] },
    want: [false, true, false, false],
  },
  {
    name: 'DoesNotExist',
    sel: { matchExpressions: [{ key: 'legacy', operator: 'DoesNotExist' }] },
    want: [true, false, true, true],
  },
  {
    name: 'matchLabels and matchExpressions ANDed',
    sel: { matchLabels: { app: 'db' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b'] }] },
    want: [false, true, false, false],
  },
];
for (const tc of structured) {
  test(`compileLabelSelector: ${tc.name}`, (t) => {
    const m = compileLabelSelector(tc.sel);
    t.deepEqual(
      SETS.map((l) => m(l)),
      tc.want,
    );
  });
}

test('compileOptionalLabelSelector treats a missing selector as no constraint', (t) => {
  t.true(compileOptionalLabelSelector(undefined)(undefined));
  t.false(compileOptionalLabelSelector({ matchLabels: { a: 'b' } })(undefined));
});

const structuredErrors: { sel: LabelSelector; message: string }[] = [
  {
    sel: { matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] },
    message: 'spec.selector.matchExpressions[0].operator: unknown operator "Equals"',
  },
  {
    sel: { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] },
    message: 'spec.selector.matchExpressions[0].values: must be non-empty when operator is In',
  },
  {
    sel: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
    message: 'spec.selector.matchExpressions[0].values: must be empty when operator is Exists',
  },
  {
    sel: { matchLabels: { 'bad key!': 'x' } },
    message:
      "spec.selector.matchLabels.bad key!: invalid label key \"bad key!\": name must be 1-63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric",
  },
];
for (const tc of structuredErrors) {
  test(`compileLabelSelector rejects: ${tc.message.slice(0, 60)}`, (t) => {
    const err = t.throws(() => compileLabelSelector(tc.sel, 'spec.selector'), {
      instanceOf: ValidationError,
    });
    t.is(err.message, tc.message);
    t.is(err.code, 'INVALID_SELECTOR');
  });
}

const strings: { text: string; want: boolean[] }[] = [
  { text: '', want: [true, true, true, true] },
  { text: 'app=web', want: [true, false, false, false] },
  { text: 'app==web', want: [true, false, false, false] },
  { text: 'app!=web', want: [false, true, true, true] },
  { text: 'env!=prod', want: [true, true, true, true] },
  { text: 'legacy', want: [false, true, false, false] },
  { text: '!legacy', want: [true, false, true, true] },
  { text: 'tier in (a,b)', want: [true, true, false, false] },
  { text: 'tier notin (a)', want: [false, true, true, true] },
  { text: 'app=web,tier in (a,b),!legacy', want: [true, false, false, false] },
  { text: '  app = db ,  tier in ( b , c )  ', want: [false, true, false, false] },
  { text: 'app=', want: [false, false, false, false] }, // app present with the empty value
];
for (const tc of strings) {
  test(`compileSelectorString(${JSON.stringify(tc.text)})`, (t) => {
    const m = compileSelectorString(tc.text);
    t.deepEqual(
      SETS.map((l) => m(l)),
      tc.want,
    );
  });
}

test('parseSelectorString produces requirements', (t) => {
  t.deepEqual(parseSelectorString('app=web,tier in (a,b),!legacy,env!=prod,key,x notin (in)'), [
    { key: 'app', operator: 'In', values: ['web'] },
    { key: 'tier', operator: 'In', values: ['a', 'b'] },
    { key: 'legacy', operator: 'DoesNotExist', values: [] },
    { key: 'env', operator: 'NotIn', values: ['prod'] },
    { key: 'key', operator: 'Exists', values: [] },
    { key: 'x', operator: 'NotIn', values: ['in'] },
  ]);
  t.deepEqual(parseSelectorString('example.com/role in ()'), [
    { key: 'example.com/role', operator: 'In', values: [''] },
  ]);
});

const stringErrors: { text: string; message: string }[] = [
  { text: 'app=web,', message: 'labelSelector: offset 8: expected a label key, found end of input' },
  { text: ',app', message: 'labelSelector: offset 0: expected a label key, found ","' },
  {
    text: 'app web',
    message:
      'labelSelector: offset 4: expected an operator (=, ==, !=, in, notin), "," or end of input, found "web"',
  },
  { text: 'tier in a,b', message: 'labelSelector: offset 8: expected "(" after in, found "a"' },
  { text: 'tier in (a,b', message: 'labelSelector: offset 12: expected "," or ")", found end of input' },
  { text: 'tier in (a b)', message: 'labelSelector: offset 11: expected "," or ")", found "b"' },
  { text: '!', message: 'labelSelector: offset 1: expected a label key after "!", found end of input' },
  { text: 'a=b=c', message: 'labelSelector: offset 3: expected "," or end of input, found "="' },
  { text: 'a=(b)', message: 'labelSelector: offset 2: expected a label value after "=", found "("' },
  {
    text: 'a=b c',
    message: 'labelSelector: offset 4: expected "," or end of input, found "c"',
  },
  {
    text: 'app=-web',
    message:
      "labelSelector: offset 4: invalid label value \"-web\": must be empty or 1-63 alphanumeric characters, '-', '_' or '.', starting and ending with an alphanumeric",
  },
];
for (const tc of stringErrors) {
  test(`parseSelectorString(${JSON.stringify(tc.text)}) fails`, (t) => {
    const err = t.throws(() => parseSelectorString(tc.text), { instanceOf: ValidationError });
    t.is(err.message, tc.message);
    t.is(err.path, 'labelSelector');
  });
}

const pods: KObject[] = [
  { kind: 'Pod', metadata: { name: 'a', namespace: 'default' }, spec: { nodeName: 'n1' } },
  { kind: 'Pod', metadata: { name: 'b', namespace: 'team' }, spec: {} },
  { kind: 'Node', metadata: { name: 'n1' } },
];
const fieldCases: { text: string; want: boolean[] }[] = [
  { text: '', want: [true, true, true] },
  { text: 'metadata.name=a', want: [true, false, false] },
  { text: 'metadata.name==b', want: [false, true, false] },
  { text: 'metadata.namespace!=default', want: [false, true, true] },
  { text: 'spec.nodeName=', want: [false, true, true] }, // unscheduled
  { text: 'spec.nodeName!=', want: [true, false, false] },
  { text: 'spec.nodeName=n1,metadata.namespace=default', want: [true, false, false] },
];
for (const tc of fieldCases) {
  test(`compileFieldSelector(${JSON.stringify(tc.text)})`, (t) => {
    const m = compileFieldSelector(tc.text);
    t.deepEqual(
      pods.map((p) => m(p)),
      tc.want,
    );
  });
}

test('parseFieldSelector errors name the offset', (t) => {
  t.is(
    t.throws(() => parseFieldSelector('metadata.name=a,status.phase=Running')).message,
    'fieldSelector: offset 16: unsupported field "status.phase" (supported: metadata.name, metadata.namespace, spec.nodeName)',
  );
  t.is(
    t.throws(() => parseFieldSelector('metadata.name')).message,
    'fieldSelector: offset 0: expected field=value, field==value or field!=value, found "metadata.name"',
  );
});
