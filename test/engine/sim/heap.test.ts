import test from 'ava';
import { EventQueue, type QueuedEvent } from '../../../engine/sim/index.js';

const ev = (time: number, phase: number, serial: number): QueuedEvent => ({
  time,
  phase,
  serial,
  type: 't',
  data: null,
});

test('pops by time, then phase, then serial', (t) => {
  const q = new EventQueue();
  const input = [
    ev(5, 0, 0),
    ev(1, 30, 1),
    ev(1, 0, 2),
    ev(1, 0, 3),
    ev(0, 90, 4),
    ev(5, 0, 5),
    ev(1, 10, 6),
  ];
  for (const e of input) q.push(e);
  const order: number[] = [];
  for (let e = q.pop(); e; e = q.pop()) order.push(e.serial);
  // t=0: 4; t=1: phase 0 serials 2,3, phase 10: 6, phase 30: 1; t=5: serials 0, 5.
  t.deepEqual(order, [4, 2, 3, 6, 1, 0, 5]);
});

test('ties in time and phase come out in serial order whatever the insertion order', (t) => {
  const q = new EventQueue();
  const serials = [9, 3, 7, 1, 8, 0, 2, 6, 5, 4];
  for (const s of serials) q.push(ev(100, 10, s));
  const out: number[] = [];
  for (let e = q.pop(); e; e = q.pop()) out.push(e.serial);
  t.deepEqual(out, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  t.is(q.size, 0);
  t.is(q.pop(), undefined);
});

test('sorted() lists pop order without consuming', (t) => {
  const q = new EventQueue();
  [ev(3, 0, 0), ev(1, 0, 1), ev(2, 0, 2)].forEach((e) => q.push(e));
  t.deepEqual(
    q.sorted().map((e) => e.serial),
    [1, 2, 0],
  );
  t.is(q.size, 3);
});

test('a long interleaving of pushes and pops matches a sort', (t) => {
  const q = new EventQueue();
  let x = 12345;
  const next = () => (x = (x * 1103515245 + 12345) % 2147483648);
  const all: QueuedEvent[] = [];
  const popped: QueuedEvent[] = [];
  for (let i = 0; i < 5000; i++) {
    const e = ev(next() % 50, next() % 3, i);
    all.push(e);
    q.push(e);
    if (i % 3 === 0) popped.push(q.pop()!);
  }
  // Popping interleaved with pushes must never return an event earlier than one popped before it
  // at the time it was popped; check the final drain is sorted.
  const rest: QueuedEvent[] = [];
  for (let e = q.pop(); e; e = q.pop()) rest.push(e);
  const key = (e: QueuedEvent) => e.time * 1e8 + e.phase * 1e6 + e.serial;
  t.deepEqual(
    rest.map(key),
    [...rest].map(key).sort((a, b) => a - b),
  );
  t.is(rest.length + popped.length, all.length);
});
