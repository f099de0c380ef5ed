import test from 'ava';
import { parseDurationUs } from '../../../engine/api/duration.js';

const S = 1_000_000;

test('durations in every accepted form, to integer microseconds', (t) => {
  const table: [string | number, number][] = [
    ['90s', 90 * S],
    ['15m', 15 * 60 * S],
    ['36h', 36 * 3600 * S],
    ['30d', 30 * 86400 * S],
    ['250ms', 250_000],
    ['1h30m', 5400 * S],
    ['1.5s', 1_500_000],
    ['42', 42 * S],
    [0.25, 250_000],
    ['0s', 0],
  ];
  for (const [text, us] of table) t.is(parseDurationUs(text), us, String(text));
});

test('invalid durations name the path', (t) => {
  for (const bad of ['', 's', '5x', '1h 30m', '-5s', 'abc', '5s5']) {
    t.throws(
      () => parseDurationUs(bad, 'metadata.annotations.kreplay.io/duration'),
      {
        message: /^metadata\.annotations\.kreplay\.io\/duration: invalid duration/,
      },
      JSON.stringify(bad),
    );
  }
  t.throws(() => parseDurationUs(-1), { message: /invalid duration -1/ });
});
