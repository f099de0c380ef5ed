import test from 'ava';
import { canonicalJson } from '../../../engine/sim/index.js';

test('keys are sorted at every depth and undefined members dropped', (t) => {
  t.is(
    canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } }),
    '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}',
  );
});

test('scalars and arrays', (t) => {
  t.is(canonicalJson([null, 'x"y', true, 1.5, -0, undefined]), '[null,"x\\"y",true,1.5,0,null]');
});

test('non-finite numbers are refused', (t) => {
  t.throws(() => canonicalJson({ a: NaN }), { instanceOf: TypeError });
});
