import test from 'ava';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kreplay } from '../helpers/cli.js';

test.serial('generate: --nodes must be a whole number >= 1, --pods a whole number >= 0', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kreplay-cli-'));
  const out = join(dir, 'g.ndjson');
  const cases: [string[], string][] = [
    [['--nodes', '0'], '--nodes: "0" is not a whole number >= 1'],
    [['--nodes', '-3'], '--nodes: "-3" is not a whole number >= 1'],
    [['--nodes', '1.5'], '--nodes: "1.5" is not a whole number >= 1'],
    [['--nodes', 'abc'], '--nodes: "abc" is not a whole number >= 1'],
    [['--pods', '2.5'], '--pods: "2.5" is not a whole number >= 0'],
    [['--days', '-1'], '--days: "-1" is not a number >= 0'],
  ];
  for (const [args, message] of cases) {
    const r = await kreplay(['generate', '--format', 'native', ...args, '--out', out]);
    t.is(r.code, 2, args.join(' '));
    t.is(r.stderr, `kreplay: ${message}\n`);
  }
  t.deepEqual(readdirSync(dir), []);
  const ok = await kreplay(['generate', '--format', 'native', '--nodes', '1', '--pods', '0', '--out', out]);
  t.is(ok.code, 0, ok.stderr);
});

test.serial('generate: an empty --seed is refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kreplay-cli-'));
  const r = await kreplay(['generate', '--format', 'native', '--seed', '', '--out', join(dir, 'g.ndjson')]);
  t.is(r.code, 2);
  t.is(r.stderr, 'kreplay: --seed: "" is not a seed: give a non-empty one, e.g. --seed 42\n');
  t.deepEqual(readdirSync(dir), []);
});

test.serial('generate: a folder format over an existing file is one worded line, exit 2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kreplay-cli-'));
  const file = join(dir, 'g.ndjson.gz');
  t.is(
    (await kreplay(['generate', '--format', 'native', '--nodes', '2', '--pods', '3', '--out', file])).code,
    0,
  );
  for (const format of ['openb', 'google2011', 'google2019']) {
    const r = await kreplay(['generate', '--format', format, '--nodes', '2', '--pods', '3', '--out', file]);
    t.is(r.code, 2, format);
    t.is(r.stderr, `kreplay: ${file}: cannot write the trace there: exists and is not a directory\n`, format);
  }
  t.deepEqual(readdirSync(dir), ['g.ndjson.gz']);
});
