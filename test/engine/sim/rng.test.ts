import test from 'ava';
import { RngStreams } from '../../../engine/sim/index.js';

test('a stream depends only on the seed and its name', (t) => {
  const a = new RngStreams(7);
  const b = new RngStreams(7);
  // b creates another stream first: a's "x" draws must not shift.
  b.stream('other')();
  const xa = a.stream('x');
  const xb = b.stream('x');
  const da = [xa(), xa(), xa()];
  const db = [xb(), xb(), xb()];
  t.deepEqual(da, db);
  t.notDeepEqual(da, [new RngStreams(8).stream('x')(), 0, 0].slice(0, 3));
});

test('state save and restore continues the exact sequence', (t) => {
  const a = new RngStreams('s');
  const x = a.stream('scheduler/tiebreak');
  x();
  x();
  const saved = JSON.parse(JSON.stringify(a.state()));
  const expected = [x(), x(), x()];
  const b = new RngStreams('s', saved);
  const y = b.stream('scheduler/tiebreak');
  t.deepEqual([y(), y(), y()], expected);
});

test('another seed gives other draws', (t) => {
  t.not(new RngStreams(1).stream('a')(), new RngStreams(2).stream('a')());
});
