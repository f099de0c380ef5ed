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
