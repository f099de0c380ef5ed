import test from 'ava';
import { applyMergePatch, mergePatch } from '../../../engine/api/merge-patch.js';

test('mergePatch: changed scalars, nested objects recursively, removed members as null', (t) => {
  const from = { a: 1, b: { c: 'x', d: 'y' }, e: [1, 2], gone: 'z', kept: { deep: { v: 1 } } };
  const to = { a: 2, b: { c: 'x', d: 'w' }, e: [1, 2, 3], kept: from.kept, added: { n: true } };
  // a changed; b.d changed (b.c did not); e is an array: replaced whole; gone removed; kept shared.
  t.deepEqual(mergePatch(from, to), { a: 2, b: { d: 'w' }, e: [1, 2, 3], gone: null, added: { n: true } });
});

test('mergePatch: nothing changed gives an empty patch; shared and equal rebuilt objects are skipped', (t) => {
  const spec = { containers: [{ name: 'c' }] };
  t.deepEqual(mergePatch({ spec, m: { x: 1 } }, { spec, m: { x: 1 } }), {});
  // undefined members count as absent on both sides.
  t.deepEqual(mergePatch({ a: undefined, b: 1 }, { b: 1, c: undefined }), {});
});

test('mergePatch: an object replaced by a scalar (or back) is taken whole', (t) => {
  t.deepEqual(mergePatch({ a: { b: 1 } }, { a: 'flat' }), { a: 'flat' });
  t.deepEqual(mergePatch({ a: 'flat' }, { a: { b: 1 } }), { a: { b: 1 } });
});

test('applyMergePatch: rebuilds the target and leaves the input untouched (RFC 7386 examples)', (t) => {
  const target = {
    title: 'Goodbye!',
    author: { givenName: 'John', familyName: 'Doe' },
    tags: ['example', 'sample'],
  };
  const patch = {
    title: 'Hello!',
    phoneNumber: '+01-123-456-7890',
    author: { familyName: null },
    tags: ['example'],
  };
  t.deepEqual(applyMergePatch(target, patch), {
    title: 'Hello!',
    author: { givenName: 'John' },
    tags: ['example'],
    phoneNumber: '+01-123-456-7890',
  });
  t.is(target.author.familyName, 'Doe');
  // A patch object onto a missing or scalar member starts from an empty object.
  t.deepEqual(applyMergePatch({ a: 1 }, { a: { b: 2 }, c: { d: 3 } }), { a: { b: 2 }, c: { d: 3 } });
});

test('applyMergePatch(from, mergePatch(from, to)) equals to', (t) => {
  const from = {
    metadata: { name: 'p', resourceVersion: '1', labels: { app: 'a' } },
    spec: { n: 1 },
    status: { phase: 'Pending' },
  };
  const to = {
    metadata: { name: 'p', resourceVersion: '4' },
    spec: { n: 1, nodeName: 'n1' },
    status: { phase: 'Running', startTime: 't' },
  };
  t.deepEqual(applyMergePatch(from, mergePatch(from, to)), to);
});
