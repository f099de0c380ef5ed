import test from 'ava';
import { seededPermutation } from '../../../engine/gpu/placer.js';
import { namedStream } from '../../../engine/gpu/rng.js';

// Fisher–Yates from the end: for i = n-1 … 1, j = floor(draw × (i+1)), swap rank[i] and rank[j].

test('seededPermutation: a draw of 0 always swaps with the first element', (t) => {
  // [0,1,2,3] → i=3 swap 0↔3: [3,1,2,0] → i=2 swap 0↔2: [2,1,3,0] → i=1 swap 0↔1: [1,2,3,0].
  t.deepEqual([...seededPermutation(4, () => 0)], [1, 2, 3, 0]);
});

test('seededPermutation: a draw near 1 swaps each element with itself (identity)', (t) => {
  t.deepEqual([...seededPermutation(5, () => 0.9999)], [0, 1, 2, 3, 4]);
});

test('seededPermutation: a scripted sequence of draws', (t) => {
  // n=4, draws 0.5, 0.9, 0.0: i=3 j=floor(0.5×4)=2 → [0,1,3,2]; i=2 j=floor(0.9×3)=2 → same;
  // i=1 j=0 → [1,0,3,2].
  const draws = [0.5, 0.9, 0.0];
  let k = 0;
  t.deepEqual([...seededPermutation(4, () => draws[k++]!)], [1, 0, 3, 2]);
  t.is(k, 3); // n-1 draws
});

test('seededPermutation: small and empty sizes draw nothing', (t) => {
  let calls = 0;
  const draw = () => (calls++, 0.5);
  t.deepEqual([...seededPermutation(0, draw)], []);
  t.deepEqual([...seededPermutation(1, draw)], [0]);
  t.is(calls, 0);
});

test('seededPermutation: a seeded stream gives a permutation, the same one for the same seed', (t) => {
  const a = seededPermutation(50, namedStream(1, 'node-order'));
  const b = seededPermutation(50, namedStream(1, 'node-order'));
  t.true(a instanceof Int32Array);
  t.deepEqual([...a], [...b]);
  t.deepEqual(
    [...a].sort((x, y) => x - y),
    Array.from({ length: 50 }, (_, i) => i),
  );
});
