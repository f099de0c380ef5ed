import test from 'ava';
import seedrandom from 'seedrandom';
import { drawIndex, namedStream } from '../../../engine/gpu/rng.js';

test('namedStream is seedrandom alea seeded with "seed/name"', (t) => {
  const ref = seedrandom.alea('42/node-order');
  const s = namedStream(42, 'node-order');
  for (let i = 0; i < 5; i++) t.is(s(), ref());
  const refStr = seedrandom.alea('run-a/gpu-select');
  const s2 = namedStream('run-a', 'gpu-select');
  for (let i = 0; i < 5; i++) t.is(s2(), refStr());
});

test('namedStream: equal seeds and names replay the same draws; another name is another stream', (t) => {
  const a = namedStream(7, 'x');
  const b = namedStream(7, 'x');
  const c = namedStream(7, 'y');
  const da = [a(), a(), a()];
  t.deepEqual([b(), b(), b()], da);
  t.notDeepEqual([c(), c(), c()], da);
  // A number seed and its decimal string give the same stream ("7/x" both ways).
  const d = namedStream('7', 'x');
  t.deepEqual([d(), d(), d()], da);
});

test('drawIndex: floor(draw * n)', (t) => {
  t.is(
    drawIndex(() => 0, 5),
    0,
  );
  t.is(
    drawIndex(() => 0.5, 4),
    2,
  );
  t.is(
    drawIndex(() => 0.2499, 4),
    0,
  );
  t.is(
    drawIndex(() => 0.25, 4),
    1,
  );
  t.is(
    drawIndex(() => 0.999999, 3),
    2,
  );
  t.is(
    drawIndex(() => 0.7, 1),
    0,
  );
});

test('drawIndex: stays below n even for a draw of 1', (t) => {
  t.is(
    drawIndex(() => 1, 3),
    2,
  );
});
