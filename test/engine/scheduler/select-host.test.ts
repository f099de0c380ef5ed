import test from 'ava';
import { selectHost } from '../../../engine/scheduler/select-host.js';

/** A stream that returns the given values in order and counts its draws. */
function stream(...values: number[]): { random: () => number; draws: () => number } {
  let i = 0;
  return { random: () => values[i++]!, draws: () => i };
}

test('a unique top score wins without drawing', (t) => {
  const s = stream();
  t.deepEqual(selectHost([40, 90, 70], 3, s.random), { index: 1, score: 90, ties: 1 });
  t.is(s.draws(), 0);
});

test('ties at the top take the floor(r × ties)-th tied node in slot order, with one draw', (t) => {
  // Tied at 80: positions 1, 3, 4. r = 0.5 → floor(1.5) = 1 → the second of them, position 3.
  const s = stream(0.5);
  t.deepEqual(selectHost([10, 80, 20, 80, 80], 5, s.random), { index: 3, score: 80, ties: 3 });
  t.is(s.draws(), 1);
  // r = 0 → the first tied (1); r = 0.99 → floor(2.97) = 2 → the last tied (4).
  t.is(selectHost([10, 80, 20, 80, 80], 5, stream(0).random).index, 1);
  t.is(selectHost([10, 80, 20, 80, 80], 5, stream(0.99).random).index, 4);
});

test('a higher score after a tie resets the tie count', (t) => {
  const s = stream();
  t.deepEqual(selectHost([50, 50, 60], 3, s.random), { index: 2, score: 60, ties: 1 });
  t.is(s.draws(), 0);
});

test('only the first `count` entries are considered', (t) => {
  t.deepEqual(selectHost(new Float64Array([5, 7, 99]), 2, stream().random), { index: 1, score: 7, ties: 1 });
});

test('each tied node is chosen equally often over a uniform stream', (t) => {
  // 3 ties, r over k/300 for k = 0..299: each tied position gets exactly 100 picks.
  const counts = [0, 0, 0, 0];
  for (let k = 0; k < 300; k++) counts[selectHost([9, 3, 9, 9], 4, () => k / 300).index]!++;
  t.deepEqual(counts, [100, 0, 100, 100]);
});
