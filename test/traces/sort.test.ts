import test from 'ava';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ExternalSorter, type RunCodec } from '../../traces/sort.js';
import { tempDir } from './helpers.js';

/** Items are `<key>:<tag>` lines; the key is the number before the colon. */
const CODEC: RunCodec<string> = { decode: (line) => line, key: (item) => Number(item.split(':')[0]) };

async function drain(s: ExternalSorter<string>): Promise<string[][]> {
  const out: string[][] = [];
  for await (const batch of s.sorted()) out.push(batch);
  return out;
}

const ITEMS = ['3:a', '1:b', '2:c', '1:d', '0.5:e', '3:f', '1:g'];
// by key, equal keys in insertion order: 0.5:e; 1:b 1:d 1:g; 2:c; 3:a 3:f
const SORTED = ['0.5:e', '1:b', '1:d', '1:g', '2:c', '3:a', '3:f'];

test('in memory when everything fits one run: stable by key, in batches', async (t) => {
  const s = new ExternalSorter(CODEC, { batch: 3 });
  for (const x of ITEMS) s.add(CODEC.key(x), x);
  t.is(s.runs, 0);
  t.deepEqual(await drain(s), [SORTED.slice(0, 3), SORTED.slice(3, 6), SORTED.slice(6)]);
});

test('runs on disk, merged in groups: same order, temp folder removed', async (t) => {
  const tmp = tempDir();
  // 7 items, 2 per run -> 3 runs written while adding (the 4th, '1:g', on sorted()); fan-in 2 -> two rounds
  const s = new ExternalSorter(CODEC, { runItems: 2, fanIn: 2, tmp });
  for (const x of ITEMS) s.add(CODEC.key(x), x);
  t.is(s.runs, 3);
  t.is(readdirSync(tmp).length, 1);
  t.deepEqual((await drain(s)).flat(), SORTED);
  t.deepEqual(readdirSync(tmp), []);
});

test('the last partial buffer is merged from memory, as the newest run (equal keys stay stable)', async (t) => {
  const tmp = tempDir();
  // 7 items, 2 per run -> 3 runs on disk; '1:g' is still buffered at sorted(). 3 + 1 <= fan-in 4, so
  // it is merged from memory and never written: the temp folder holds 3 files while the merge runs.
  const s = new ExternalSorter(CODEC, { runItems: 2, fanIn: 4, tmp, batch: 1 });
  for (const x of ITEMS) s.add(CODEC.key(x), x);
  t.is(s.runs, 3);
  const out: string[] = [];
  for await (const batch of s.sorted()) {
    if (out.length === 0) t.is(readdirSync(join(tmp, readdirSync(tmp)[0]!)).length, 3);
    out.push(...batch);
  }
  // '1:g' (the newest run) comes after '1:b' and '1:d' (runs 0 and 1): insertion order at equal keys.
  t.deepEqual(out, SORTED);
  t.deepEqual(readdirSync(tmp), []);
});

test('closing the stream early removes the temp folder; dispose without reading too', async (t) => {
  const tmp = tempDir();
  const s = new ExternalSorter(CODEC, { runItems: 2, tmp, batch: 1 });
  for (const x of ITEMS) s.add(CODEC.key(x), x);
  for await (const batch of s.sorted()) {
    t.deepEqual(batch, ['0.5:e']);
    break;
  }
  t.deepEqual(readdirSync(tmp), []);
  const u = new ExternalSorter(CODEC, { runItems: 1, tmp });
  u.add(1, '1:x');
  t.is(readdirSync(tmp).length, 1);
  u.dispose();
  t.deepEqual(readdirSync(tmp), []);
});

test('empty input and bad options', async (t) => {
  t.deepEqual(await drain(new ExternalSorter(CODEC)), []);
  t.throws(() => new ExternalSorter(CODEC, { runItems: 0 }), {
    instanceOf: RangeError,
    message: 'options.runItems must be a positive integer',
  });
  t.throws(() => new ExternalSorter(CODEC, { fanIn: 1 }), {
    instanceOf: RangeError,
    message: 'options.fanIn must be at least 2',
  });
});
