import test from 'ava';
import seedrandom from 'seedrandom';
import { TimeHeap } from '../../traces/heap.js';

function drain<T>(h: TimeHeap<T>): [number, T][] {
  const out: [number, T][] = [];
  for (let x = h.pop(); x; x = h.pop()) out.push([x.timeUs, x.value]);
  return out;
}

test('pops by time, equal times in push order, whatever the layout', (t) => {
  const h = new TimeHeap<string>();
  t.is(h.size, 0);
  t.is(h.peekTime(), undefined);
  t.is(h.pop(), undefined);
  for (const [time, v] of [
    [5, 'a'],
    [1, 'b'],
    [5, 'c'],
    [3, 'd'],
    [1, 'e'],
    [5, 'f'],
    [0, 'g'],
  ] as const)
    h.push(time, v);
  t.is(h.size, 7);
  t.is(h.peekTime(), 0);
  t.deepEqual(drain(h), [
    [0, 'g'],
    [1, 'b'],
    [1, 'e'],
    [3, 'd'],
    [5, 'a'],
    [5, 'c'],
    [5, 'f'],
  ]);
  t.is(h.size, 0);
});

test('interleaved pushes and pops agree with a stable sort of what is pending (seeded)', (t) => {
  const rng = seedrandom('kreplay-heap');
  const h = new TimeHeap<number>();
  let pending: [number, number][] = [];
  let next = 0;
  const got: number[] = [];
  const want: number[] = [];
  for (let step = 0; step < 5_000; step++) {
    if (rng() < 0.6 || pending.length === 0) {
      const time = Math.floor(rng() * 50);
      h.push(time, next);
      pending.push([time, next++]);
    } else {
      got.push(h.pop()!.value);
      pending = pending.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      want.push(pending.shift()![1]);
    }
  }
  t.deepEqual(got, want);
  t.is(h.size, pending.length);
});
