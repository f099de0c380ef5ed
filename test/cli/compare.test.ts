import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { kreplay } from '../helpers/cli.js';

const TRACE = 'test/fixtures/replay/small.ndjson';
const tmp = (): string => mkdtempSync(join(tmpdir(), 'kreplay-cmpcli-'));

/** A copy of the small trace whose last line is not an object: its cells fail after their replay began. */
function badTrace(dir: string): string {
  const path = join(dir, 'bad.ndjson');
  writeFileSync(path, `${readFileSync(TRACE, 'utf8')}{"time": 5, "op": "create", "object": 7}\n`);
  return path;
}

const compare = (out: string, trace: string, seeds: string, ...more: string[]) =>
  kreplay([
    'compare',
    '--trace',
    trace,
    '--policies',
    'default-scheduler',
    '--seeds',
    seeds,
    '--out',
    out,
    '--no-progress',
    ...more,
  ]);

/** The first four columns of compare.csv (row kind, policy, trace, seed). */
const rowsOf = (out: string): string[] =>
  readFileSync(join(out, 'compare.csv'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(',').slice(0, 4).join(','));

test.serial(
  'a rerun into the same --out replaces the whole comparison: no run of the earlier seeds is left',
  async (t) => {
    const out = join(tmp(), 'cmp');
    t.is((await compare(out, TRACE, '1..3', '--workers', '1')).code, 0);
    t.deepEqual(readdirSync(join(out, 'runs')), [
      'default-scheduler--small--seed1',
      'default-scheduler--small--seed2',
      'default-scheduler--small--seed3',
    ]);
    const r = await compare(out, TRACE, '1,2', '--workers', '1');
    t.is(r.code, 0, r.stderr);
    t.true(
      r.stdout.endsWith(`wrote ${join(out, 'compare.csv')} and ${join(out, 'report.html')}\n`),
      r.stdout,
    );
    t.deepEqual(readdirSync(out).sort(), ['compare.csv', 'report.html', 'runs', 'timing.csv']);
    t.deepEqual(readdirSync(join(out, 'runs')), [
      'default-scheduler--small--seed1',
      'default-scheduler--small--seed2',
    ]);
    t.deepEqual(rowsOf(out), [
      'row,policy,trace,seed',
      'run,default-scheduler,small,1',
      'run,default-scheduler,small,2',
      'mean,default-scheduler,small,',
      'sd,default-scheduler,small,',
      'ci95,default-scheduler,small,',
    ]);
  },
);

test.serial('a failed compare into a new --out leaves nothing behind (no empty runs/ folder)', async (t) => {
  const dir = tmp();
  const out = join(dir, 'a', 'cmp');
  const r = await compare(out, badTrace(dir), '1..2', '--workers', '2');
  t.is(r.code, 2);
  t.is(
    r.stderr,
    `kreplay: run default-scheduler on bad with seed 1 failed: ${join(dir, 'bad.ndjson')}:18: object: missing or not an object\n`,
  );
  t.false(existsSync(join(dir, 'a')));
  t.deepEqual(readdirSync(dir), ['bad.ndjson']);
});

test.serial('a failed compare into an earlier output leaves it exactly as it was', async (t) => {
  const dir = tmp();
  const out = join(dir, 'cmp');
  t.is((await compare(out, TRACE, '1', '--workers', '1')).code, 0);
  const files = [
    'compare.csv',
    'timing.csv',
    'report.html',
    'runs/default-scheduler--small--seed1/events.ndjson.gz',
  ];
  const before = files.map((f) => readFileSync(join(out, f)));
  // The small trace's cells succeed (and would have replaced the earlier ones), the bad one's fail.
  const r = await compare(out, `${TRACE},${badTrace(dir)}`, '1', '--workers', '1');
  t.is(r.code, 2);
  // On this thread (--workers 1) the failed cell is named as in a pool.
  t.is(
    r.stderr,
    `kreplay: run default-scheduler on bad with seed 1 failed: ${join(dir, 'bad.ndjson')}:18: object: missing or not an object\n`,
  );
  t.deepEqual(readdirSync(out).sort(), ['compare.csv', 'report.html', 'runs', 'timing.csv']);
  t.deepEqual(readdirSync(join(out, 'runs')), ['default-scheduler--small--seed1']);
  t.deepEqual(
    files.map((f) => readFileSync(join(out, f))),
    before,
  );
});

test.serial(
  'a failing cell prints the same line, exit 2, on this thread (--workers 1) as in a pool',
  async (t) => {
    const dir = tmp();
    const bad = badTrace(dir);
    const line = `kreplay: run default-scheduler on bad with seed 1 failed: ${bad}:18: object: missing or not an object\n`;
    // Two seeds, so that --workers 2 really runs a pool (the worker count is capped by the cells).
    for (const workers of ['1', '2']) {
      const r = await compare(join(dir, `cmp${workers}`), bad, '1..2', '--workers', workers);
      t.is(r.code, 2, workers);
      t.is(r.stderr, line, workers);
      t.false(existsSync(join(dir, `cmp${workers}`)));
    }
  },
);

test.serial(
  'an input inside --out/runs is refused before anything runs (the rerun would remove it)',
  async (t) => {
    const out = join(tmp(), 'cmp');
    t.is((await compare(out, TRACE, '1', '--workers', '1')).code, 0);
    const inside = join(out, 'runs', 'small.ndjson');
    writeFileSync(inside, readFileSync(TRACE));
    const r = await compare(out, inside, '1', '--workers', '1');
    t.is(r.code, 2);
    t.is(
      r.stderr,
      `kreplay: ${inside}: --out ${out} would remove this input (the comparison's runs/ folder is replaced); write the reports elsewhere\n`,
    );
    t.true(existsSync(inside));
  },
);

test.serial(
  "compare accepts experiment fill's policy names, reported by their preset name, each once",
  async (t) => {
    const out = join(tmp(), 'cmp');
    const r = await kreplay([
      'compare',
      '--trace',
      TRACE,
      '--policies',
      'bestfit,gpu-bestfit,packing',
      '--out',
      out,
      '--workers',
      '1',
      '--no-progress',
    ]);
    t.is(r.code, 0, r.stderr);
    t.deepEqual(readdirSync(join(out, 'runs')), ['gpu-bestfit--small--seed1', 'gpu-packing--small--seed1']);
    t.deepEqual(rowsOf(out).slice(0, 3), [
      'row,policy,trace,seed',
      'run,gpu-bestfit,small,1',
      'run,gpu-packing,small,1',
    ]);
  },
);

test.serial(
  'two configuration files of one base name are refused (their runs would share a name)',
  async (t) => {
    const dir = tmp();
    const a = join(dir, 'a', 'k.yaml');
    const b = join(dir, 'b', 'k.yaml');
    for (const f of [a, b]) {
      mkdirSync(dirname(f));
      writeFileSync(f, readFileSync('test/fixtures/policies/exhaustive.yaml'));
    }
    const out = join(dir, 'cmp');
    const r = await kreplay([
      'compare',
      '--trace',
      TRACE,
      '--policies',
      `${a},${b}`,
      '--out',
      out,
      '--no-progress',
    ]);
    t.is(r.code, 2);
    t.is(
      r.stderr,
      `kreplay: --policies: ${b} and ${a} are both named "k" in the reports; give the files different names\n`,
    );
    t.false(existsSync(out));
  },
);

test.serial('a trace that does not exist is one line naming it, before any cell runs', async (t) => {
  const dir = tmp();
  const missing = join(dir, 'nope.ndjson');
  const r = await compare(join(dir, 'out'), missing, '1,2', '--workers', '2');
  t.is(r.code, 2);
  t.is(r.stderr, `kreplay: ${missing}: no such file or directory\n`);
  t.deepEqual(readdirSync(dir), []);
});
