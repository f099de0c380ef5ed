import test from 'ava';
import { shallowWith } from '../../../engine/api/index.js';

test('shallowWith equals the spread { ...base, ...extra }: keys, order, values, no deep copy', (t) => {
  const labels = { app: 'web' };
  const base = { name: 'p', namespace: 'default', labels, generation: 1 };
  const out = shallowWith<Record<string, unknown>>(base, { generation: 2, uid: 'u-1', extra: undefined });
  const spread = { ...base, ...{ generation: 2, uid: 'u-1', extra: undefined } };
  t.deepEqual(out, spread);
  // Same key order: existing keys keep their place, new ones follow in the order given.
  t.deepEqual(Object.keys(out), ['name', 'namespace', 'labels', 'generation', 'uid', 'extra']);
  t.true(Object.hasOwn(out, 'extra'));
  // Shallow: nested objects are shared, the base is untouched.
  t.is(out.labels, labels);
  t.is(base.generation, 1);
  t.not(out, base as unknown);
});

test('shallowWith of undefined is the extra alone; without extra it is a plain copy', (t) => {
  t.deepEqual(shallowWith<{ a?: number }>(undefined, { a: 1 }), { a: 1 });
  t.deepEqual(shallowWith<{ a?: number }>(undefined), {});
  const b = { a: 1, b: [1] };
  const c = shallowWith(b);
  t.deepEqual(c, b);
  t.not(c, b);
});

test('an own __proto__ key is copied as data, never as the prototype', (t) => {
  const evil = JSON.parse('{"__proto__": {"polluted": true}, "name": "x"}') as Record<string, unknown>;
  const out = shallowWith(evil, { more: 1 } as Record<string, unknown>);
  t.is(Object.getPrototypeOf(out), Object.prototype);
  t.is((out as { polluted?: boolean }).polluted, undefined);
  t.true(Object.hasOwn(out, '__proto__'));
  t.is(out.name, 'x');
  const viaExtra = shallowWith<Record<string, unknown>>({ a: 1 }, JSON.parse('{"__proto__": {"p": 1}}'));
  t.is(Object.getPrototypeOf(viaExtra), Object.prototype);
  t.true(Object.hasOwn(viaExtra, '__proto__'));
});
