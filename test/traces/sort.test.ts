import test from 'ava';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { pendingRemovals } from '../../engine/files/interrupt-cleanup.js';
import { ExternalSorter, stableOrder, type RunCodec } from '../../traces/sort.js';
import { tempDir } from './helpers.js';

/** Items are `<key>:<tag>` strings (one string column, no numbers); the key is the number before the colon. */
const CODEC: RunCodec<string> = {
  numbers: 0,
  strings: 1,
  encode: (item, _n, _at, s) => {
    s.put(item);
  },
  decode: (_n, _at, s, sAt) => s.get(sAt),
};
const keyOf = (item: string): number => Number(item.split(':')[0]);

function drain<T, E>(s: ExternalSorter<T, E>): T[][] {
  const out: T[][] = [];
  for (const batch of s.sorted()) out.push(batch);
  return out;
}

const ITEMS = ['3:a', '1:b', '2:c', '1:d', '0.5:e', '3:f', '1:g'];
// by key, equal keys in insertion order: 0.5:e; 1:b 1:d 1:g; 2:c; 3:a 3:f
const SORTED = ['0.5:e', '1:b', '1:d', '1:g', '2:c', '3:a', '3:f'];

test('in memory when everything fits one run: stable by key, in batches', (t) => {
  const s = new ExternalSorter(CODEC, { batch: 3 });
  for (const x of ITEMS) s.add(keyOf(x), x);
  t.is(s.runs, 0);
  t.deepEqual(drain(s), [SORTED.slice(0, 3), SORTED.slice(3, 6), SORTED.slice(6)]);
});

test('runs on disk, merged in groups: same order, temp folder removed', (t) => {
  const tmp = tempDir();
  // 7 items, 2 per run -> 3 runs written while adding (the 4th, '1:g', on sorted()); fan-in 2 -> two rounds
  const s = new ExternalSorter(CODEC, { runItems: 2, fanIn: 2, tmp });
  for (const x of ITEMS) s.add(keyOf(x), x);
  t.is(s.runs, 3);
  t.is(readdirSync(tmp).length, 1);
  t.deepEqual(drain(s).flat(), SORTED);
  t.deepEqual(readdirSync(tmp), []);
});

test('the last partial buffer is merged from memory, as the newest run (equal keys stay stable)', (t) => {
  const tmp = tempDir();
  // 7 items, 2 per run -> 3 runs on disk; '1:g' is still buffered at sorted(). 3 + 1 <= fan-in 4, so
  // it is merged from memory and never written: the temp folder holds 3 files while the merge runs.
  const s = new ExternalSorter(CODEC, { runItems: 2, fanIn: 4, tmp, batch: 1 });
  for (const x of ITEMS) s.add(keyOf(x), x);
  t.is(s.runs, 3);
  const out: string[] = [];
  for (const batch of s.sorted()) {
    if (out.length === 0) t.is(readdirSync(join(tmp, readdirSync(tmp)[0]!)).length, 3);
    out.push(...batch);
  }
  // '1:g' (the newest run) comes after '1:b' and '1:d' (runs 0 and 1): insertion order at equal keys.
  t.deepEqual(out, SORTED);
  t.deepEqual(readdirSync(tmp), []);
});

test('closing the stream early removes the temp folder; dispose without reading too', (t) => {
  const tmp = tempDir();
  const watched = (): string[] => pendingRemovals().filter((p) => p.startsWith(tmp));
  const s = new ExternalSorter(CODEC, { runItems: 2, tmp, batch: 1 });
  for (const x of ITEMS) s.add(keyOf(x), x);
  for (const batch of s.sorted()) {
    t.deepEqual(batch, ['0.5:e']);
    break;
  }
  t.deepEqual(readdirSync(tmp), []);
  const u = new ExternalSorter(CODEC, { runItems: 1, tmp });
  u.add(1, '1:x');
  t.is(readdirSync(tmp).length, 1);
  // removed on Ctrl-C / SIGTERM / exit while it exists (a big trace spills gigabytes)
  t.deepEqual(watched(), [join(tmp, readdirSync(tmp)[0]!)]);
  u.dispose();
  t.deepEqual(readdirSync(tmp), []);
  t.deepEqual(watched(), []);
});

test('empty input and bad options', (t) => {
  t.deepEqual(drain(new ExternalSorter(CODEC)), []);
  t.throws(() => new ExternalSorter(CODEC, { runItems: 0 }), {
    instanceOf: RangeError,
    message: 'options.runItems must be a positive integer',
  });
  t.throws(() => new ExternalSorter(CODEC, { fanIn: 1 }), {
    instanceOf: RangeError,
    message: 'options.fanIn must be at least 2',
  });
});

/** Items of two numbers and two strings, to check that every field comes back bit for bit. */
type Pair = [number, number, string, string];
const PAIR: RunCodec<Pair> = {
  numbers: 2,
  strings: 2,
  encode: (p, n, at, s) => {
    n[at] = p[0];
    n[at + 1] = p[1];
    s.put(p[2]);
    s.put(p[3]);
  },
  decode: (n, at, s, sAt) => [n[at]!, n[at + 1]!, s.get(sAt), s.get(sAt + 1)],
};

test('numbers and strings come back exactly, from memory and through runs on disk', (t) => {
  const items: Pair[] = [
    [3, 0.1 + 0.2, 'é', ''],
    [1, NaN, 'a,b', 'x y'],
    [2, -0, '', '∞'],
    [1, 5e-324, 'z', 'q'],
    [0, 1.7976931348623157e308, 'tab\there', '"quoted"'],
    [2, 7, 'line\nbreak', '🙂'.repeat(300)], // a break, a surrogate pair, a string longer than a block's room
  ];
  // by key, stable: [0], [1, NaN], [1, 5e-324], [2, -0], [2, 7], [3]
  const want = [items[4], items[1], items[3], items[2], items[5], items[0]];
  for (const opts of [{}, { runItems: 2, fanIn: 2, tmp: tempDir(), batch: 1 }]) {
    const s = new ExternalSorter(PAIR, opts);
    for (const p of items) s.add(p[0], p);
    const got = drain(s).flat();
    t.deepEqual(got, want);
    t.true(Object.is(got[3]![1], -0)); // -0 kept as written (only the sort key treats it as 0)
  }
});

test('put: a range of a text, its ASCII characters mapped through a table when given; the string count is checked', (t) => {
  const UPPER = Uint8Array.from({ length: 128 }, (_, c) => (c >= 97 && c <= 122 ? c - 32 : c));
  const RANGE: RunCodec<string, [string, number, number]> = {
    numbers: 0,
    strings: 2,
    encode: ([text, from, end], _n, _at, s) => {
      s.put(text, from, end, UPPER);
      s.put(text, from, end);
    },
    decode: (_n, _at, s, sAt) => `${s.get(sAt)}|${s.get(sAt + 1)}`,
  };
  for (const opts of [{}, { runItems: 1, fanIn: 2, tmp: tempDir(), batch: 1 }]) {
    const s = new ExternalSorter(RANGE, opts);
    s.add(2, ['..abc_x..', 2, 7]);
    s.add(1, ['<é-bç>', 1, 5]); // only ASCII is mapped, also after a non-ASCII character
    s.add(3, ['', 0, 0]);
    t.deepEqual(drain(s).flat(), ['é-Bç|é-bç', 'ABC_X|abc_x', '|']);
  }
  const wrong = (n: number): RunCodec<string> => ({
    numbers: 0,
    strings: 2,
    encode: (item, _n, _at, s) => {
      for (let k = 0; k < n; k++) s.put(item);
    },
    decode: (_n, _at, s, sAt) => s.get(sAt),
  });
  t.throws(() => new ExternalSorter(wrong(1)).add(1, 'a'), {
    instanceOf: RangeError,
    message: 'a sorted item has 2 string(s); encode put fewer',
  });
  t.throws(() => new ExternalSorter(wrong(3)).add(1, 'a'), {
    instanceOf: RangeError,
    message: 'a sorted item has 2 string(s); encode put more',
  });
});

test('an item whose encode throws is not added, nor are the strings it put', (t) => {
  const PICKY: RunCodec<string> = {
    numbers: 0,
    strings: 1,
    encode: (item, _n, _at, s) => {
      s.put(item);
      if (item.startsWith('bad')) throw new Error(`refused ${item}`);
    },
    decode: (_n, _at, s, sAt) => s.get(sAt),
  };
  const s = new ExternalSorter(PICKY);
  s.add(1, 'a');
  t.throws(() => s.add(2, 'bad1'), { message: 'refused bad1' });
  s.add(3, 'b');
  t.deepEqual(drain(s).flat(), ['a', 'b']);
});

test('stableOrder: ascending keys, ties in index order, negatives, -0 as 0, infinities', (t) => {
  const keys = Float64Array.from([2, -1, 0, -0, Infinity, -Infinity, 2, -1.5, 1e-300, 0]);
  // -inf(5) -1.5(7) -1(1) 0(2) -0(3) 0(9) 1e-300(8) 2(0) 2(6) inf(4)
  t.deepEqual([...stableOrder(keys)], [5, 7, 1, 2, 3, 9, 8, 0, 6, 4]);
  t.deepEqual([...stableOrder(new Float64Array(0))], []);
  t.deepEqual([...stableOrder(Float64Array.from([7, 7, 7]))], [0, 1, 2]);
});

test('stableOrder agrees with a comparator sort on 20,000 seeded keys with many ties', (t) => {
  const rng = seedrandom('kreplay-sort');
  const keys = Float64Array.from({ length: 20_000 }, () => Math.floor(rng() * 500) / 4 - 50);
  const want = Array.from(keys.keys()).sort((a, b) => keys[a]! - keys[b]! || a - b);
  t.deepEqual([...stableOrder(keys)], want);
});
