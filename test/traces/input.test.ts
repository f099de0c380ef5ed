import test from 'ava';
import {
  plainDecimalAt,
  FieldParser,
  flattenBatches,
  inBatches,
  readCsvRowBatches,
  SeenTexts,
  readCsvRows,
  splitCsvLine,
  splitFields,
  readFirstLine,
} from '../../traces/input.js';
import { tempDir, tempFile } from './helpers.js';

test('splitFields cuts the fields of a range as slice + split would', (t) => {
  const text = 'x\n1,,a b,\n7';
  // The range [2, 9) is the line "1,,a b,": four fields, the last one empty.
  t.deepEqual(splitFields(text, 2, 9), ['1', '', 'a b', '']);
  t.deepEqual(splitFields(text, 2, 9), text.slice(2, 9).split(','));
  t.deepEqual(splitFields(text, 10, 11), ['7']);
  t.deepEqual(splitFields(text, 0, 0), ['']);
  // A comma after the range end is not a field boundary.
  t.deepEqual(splitFields('ab,cd', 0, 2), ['ab']);
});

test('readCsvRowBatches: line numbers count empty lines, CRLF stripped, quoted lines via csv-parse', async (t) => {
  const file = tempFile('rows.csv', 'a,b\r\n\n"x,y",2\n1,2,3');
  const rows = [];
  for await (const batch of readCsvRowBatches(file)) rows.push(...batch);
  t.deepEqual(rows, [
    { line: 1, fields: ['a', 'b'] },
    { line: 3, fields: ['x,y', '2'] },
    { line: 4, fields: ['1', '2', '3'] },
  ]);
  t.deepEqual(splitCsvLine(file, 3, '"x,y",2'), ['x,y', '2']);
});

test('readCsvRows of a gzip file: the same rows one by one', async (t) => {
  const file = tempFile('rows.csv.gz', '1,2\n3,4\n');
  const rows = [];
  for await (const row of readCsvRows(file)) rows.push(row);
  t.deepEqual(rows, [
    { line: 1, fields: ['1', '2'] },
    { line: 2, fields: ['3', '4'] },
  ]);
});

test('flattenBatches yields every item in order, skips empty batches, and closes the source on break', async (t) => {
  let closed = false;
  async function* source(): AsyncGenerator<number[]> {
    try {
      yield [1, 2];
      yield [];
      yield [3];
      yield [4, 5, 6];
    } finally {
      closed = true;
    }
  }
  const all: number[] = [];
  for await (const x of flattenBatches(source())) all.push(x);
  t.deepEqual(all, [1, 2, 3, 4, 5, 6]);
  t.true(closed);

  closed = false;
  const some: number[] = [];
  for await (const x of flattenBatches(source())) {
    some.push(x);
    if (x === 3) break;
  }
  t.deepEqual(some, [1, 2, 3]);
  t.true(closed);
});

test('flattenBatches: an error of the source comes after the items before it', async (t) => {
  async function* source(): AsyncGenerator<string[]> {
    yield ['a', 'b'];
    throw new Error('bad batch');
  }
  const seen: string[] = [];
  const err = await t.throwsAsync(async () => {
    for await (const x of flattenBatches(source())) seen.push(x);
  });
  t.is(err!.message, 'bad batch');
  t.deepEqual(seen, ['a', 'b']);
});

test('inBatches: a flattened stream hands over its own batches (the rest of one begun first); others are grouped', async (t) => {
  let closed = false;
  const made: number[][] = [];
  async function* source(): AsyncGenerator<number[]> {
    try {
      for (const b of [[1, 2, 3], [], [4], [5, 6]]) {
        made.push(b);
        yield b;
      }
    } finally {
      closed = true;
    }
  }
  const items = flattenBatches(source());
  t.deepEqual(await items.next(), { value: 1, done: false });
  const got: (readonly number[])[] = [];
  for await (const b of inBatches(items)) got.push(b);
  // [2, 3] is what was left of the first batch; [4] and [5, 6] are the source's arrays themselves
  t.deepEqual(got, [[2, 3], [4], [5, 6]]);
  t.is(got[1], made[2]);
  t.is(got[2], made[3]);
  t.true(closed);
  t.deepEqual(await items.next(), { value: undefined, done: true });

  closed = false;
  for await (const b of inBatches(flattenBatches(source()))) {
    t.deepEqual(b, [1, 2, 3]);
    break;
  }
  t.true(closed); // a break closes the source

  async function* plain(): AsyncGenerator<string> {
    yield* ['a', 'b', 'c', 'd', 'e'];
  }
  const grouped: (readonly string[])[] = [];
  for await (const b of inBatches(plain(), 2)) grouped.push(b);
  t.deepEqual(grouped, [['a', 'b'], ['c', 'd'], ['e']]);
});

test('SeenTexts: one string per valid text, also past the last 16 seen; invalid texts are undefined', (t) => {
  const seen = new SeenTexts(/^[a-z0-9_]+$/);
  const line = Array.from({ length: 40 }, (_, i) => `app_${i}`).join(',');
  const at = (k: number): [number, number] => {
    const from = k === 0 ? 0 : line.split(',').slice(0, k).join(',').length + 1;
    return [from, from + `app_${k}`.length];
  };
  const first = Array.from({ length: 40 }, (_, k) => seen.get(line, ...at(k)));
  t.deepEqual(first, line.split(','));
  // 40 distinct texts cycle past the 16 compared in place: each still comes back, checked once
  for (let k = 0; k < 40; k++) t.is(seen.get(line, ...at(k)), first[k]);
  t.is(seen.get('x,Bad-Text,y', 2, 10), undefined);
  t.is(seen.get('x,Bad-Text,y', 2, 10), undefined); // never remembered as valid
  t.is(seen.get('zz app_3', 3, 8), 'app_3');
  // past 4,096 distinct texts the table starts over; texts seen after that are still found
  const many = Array.from({ length: 5000 }, (_, i) => `id_${i}`);
  for (const id of many) t.is(seen.get(id, 0, id.length), id);
  for (const id of many.slice(4090)) t.is(seen.get(`,${id},`, 1, id.length + 1), id);
});

test('FieldParser fast paths give the values and errors of the strict forms', (t) => {
  const p = new FieldParser('f.csv', 7);
  t.is(p.uint('n', '0'), 0);
  t.is(p.uint('n', '007'), 7);
  t.is(p.uint('n', '123456789012345'), 123456789012345);
  // 16 digits: past the fast path, still a safe integer.
  t.is(p.uint('n', '9007199254740991'), 9007199254740991);
  t.is(p.udec('x', '12'), 12);
  t.is(p.udec('x', '0.025'), 0.025);
  t.is(p.udec('x', '120.0'), 120);
  t.is(p.udec('x', '1234567.12345678'), 1234567.12345678);
  t.is(
    t.throws(() => p.uint('n', '9007199254740993'))!.message,
    'f.csv:7: n: "9007199254740993" is too large',
  );
  t.is(
    t.throws(() => p.udec('x', '123456789012345678.5'))!.message,
    'f.csv:7: x: "123456789012345678.5" is too large',
  );
  t.is(t.throws(() => p.uint('n', '-5'))!.message, 'f.csv:7: n: "-5" is negative');
  t.is(t.throws(() => p.uint('n', '1.5'))!.message, 'f.csv:7: n: "1.5" is not a non-negative integer');
  t.is(t.throws(() => p.udec('x', '1.'))!.message, 'f.csv:7: x: "1." is not a non-negative number');
  t.is(t.throws(() => p.udec('x', '.5'))!.message, 'f.csv:7: x: ".5" is not a non-negative number');
  t.is(t.throws(() => p.udec('x', ''))!.message, 'f.csv:7: x: empty (want a non-negative number)');
  t.is(t.throws(() => p.udec('x', '-0.5'))!.message, 'f.csv:7: x: "-0.5" is negative');
});

test('plainDecimalAt: Number() of short plain decimals read in place, NaN for the rest', (t) => {
  const at = (s: string): number => plainDecimalAt(s, 0, s.length);
  t.is(at('0'), 0);
  t.is(at('120'), 120);
  // 2612 / 10^5: one division of exact values, correctly rounded, as Number('0.02612') is
  t.is(at('0.02612'), 0.02612);
  t.is(at('0.1'), 0.1);
  t.is(at('120.0'), 120);
  t.is(at('12345678901234.5'), 12345678901234.5);
  t.is(at('999999999999999'), 999999999999999);
  // a range of a longer text: "x,0.25,y" -> "0.25"
  t.is(plainDecimalAt('x,0.25,y', 2, 6), 0.25);
  // 16 digits, 17 characters, a bare dot at either end, two dots, a sign, an exponent, empty
  for (const s of ['1234567890123456', '123456789012345.6', '1.', '.5', '1..2', '1.2.3', '-1', '1e3', ''])
    t.true(Number.isNaN(at(s)), s);
});

test('a folder where a trace file is expected: one input error naming it (not an internal error)', async (t) => {
  const dir = tempDir();
  await t.throwsAsync(() => readFirstLine(dir), {
    message: `${dir}: is a folder, not a file: name the trace file(s) instead (e.g. --nodes and --pods)`,
  });
});

test('a UTF-8 byte-order mark does not become part of the first line', async (t) => {
  const file = tempFile('bom.csv', '\ufeffname,cpu\na,1\n');
  t.is(await readFirstLine(file), 'name,cpu');
});
