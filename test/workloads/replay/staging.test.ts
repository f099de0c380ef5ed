import test from 'ava';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StagedOutput } from '../../../workloads/replay/staging.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'kreplay-staging-'));

test('commit moves every staged file into place, replacing older reports, and leaves nothing hidden', (t) => {
  const dir = tmp();
  writeFileSync(join(dir, 'a.csv'), 'old a');
  writeFileSync(join(dir, 'keep.txt'), 'not ours');
  const out = new StagedOutput(dir);
  writeFileSync(out.path('a.csv'), 'new a');
  writeFileSync(out.path('b.csv'), 'new b');
  t.deepEqual(
    readdirSync(dir).filter((n) => !n.startsWith('.')),
    ['a.csv', 'keep.txt'],
  ); // nothing yet
  out.commit();
  t.deepEqual(readdirSync(dir).sort(), ['a.csv', 'b.csv', 'keep.txt']);
  t.is(readFileSync(join(dir, 'a.csv'), 'utf8'), 'new a');
  t.is(readFileSync(join(dir, 'keep.txt'), 'utf8'), 'not ours');
});

test('a folder in the way of one report: nothing moves, the error names the real path', (t) => {
  const dir = tmp();
  writeFileSync(join(dir, 'a.csv'), 'old a');
  mkdirSync(join(dir, 'b.csv'));
  const out = new StagedOutput(dir);
  writeFileSync(out.path('a.csv'), 'new a');
  writeFileSync(out.path('b.csv'), 'new b');
  writeFileSync(out.path('c.csv'), 'new c');
  t.throws(() => out.commit(), {
    message: `${join(dir, 'b.csv')}: cannot write the report there (a folder is in the way)`,
  });
  out.abort();
  // 'a.csv' (sorted before the folder) was not replaced and 'c.csv' never appeared: all or none.
  t.deepEqual(readdirSync(dir).sort(), ['a.csv', 'b.csv']);
  t.is(readFileSync(join(dir, 'a.csv'), 'utf8'), 'old a');
});

test('a staged folder replaces the folder of its name whole; a staged file still refuses a folder', (t) => {
  const dir = tmp();
  mkdirSync(join(dir, 'runs', 'old-cell'), { recursive: true });
  writeFileSync(join(dir, 'runs', 'old-cell', 'a.csv'), 'old');
  const out = new StagedOutput(dir);
  mkdirSync(out.path('runs'));
  mkdirSync(join(out.path('runs'), 'new-cell'));
  writeFileSync(join(out.path('runs'), 'new-cell', 'a.csv'), 'new');
  writeFileSync(out.path('compare.csv'), 'c');
  out.commit();
  t.deepEqual(readdirSync(dir).sort(), ['compare.csv', 'runs']);
  t.deepEqual(readdirSync(join(dir, 'runs')), ['new-cell']);
  t.is(readFileSync(join(dir, 'runs', 'new-cell', 'a.csv'), 'utf8'), 'new');

  const again = new StagedOutput(dir);
  writeFileSync(again.path('runs'), 'a file');
  t.throws(() => again.commit(), {
    message: `${join(dir, 'runs')}: cannot write the report there (a folder is in the way)`,
  });
  again.abort();
  t.deepEqual(readdirSync(join(dir, 'runs')), ['new-cell']);
});
