import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate, OPENB_GENERATED } from '../../traces/generator/index.js';
import { readOpenbNodeRows, readOpenbPodRows } from '../../traces/openb/index.js';
import { readNative } from '../../traces/native/index.js';
import { openTrace } from '../../traces/detect.js';
import { calls, collect, tempDir } from './helpers.js';
import { runCli } from './cli-helper.js';

test('openb generator -> openb reader: counts, validity, creation order', async (t) => {
  const dir = tempDir();
  await generate('openb', dir, { nodes: 40, pods: 3000, days: 2, seed: 5 });
  const nodes = await readOpenbNodeRows(join(dir, OPENB_GENERATED.nodes));
  const pods = await readOpenbPodRows(join(dir, OPENB_GENERATED.pods));
  t.is(nodes.length, 40);
  t.is(pods.length, 3000);
  for (let i = 1; i < pods.length; i++) t.true(pods[i]!.creationTime! >= pods[i - 1]!.creationTime!);
  t.true(pods.every((p) => p.creationTime! <= 2 * 86400));
  // detection recognises the generated files by their headers
  t.is(
    (await openTrace({ nodes: join(dir, OPENB_GENERATED.nodes), pods: join(dir, OPENB_GENERATED.pods) }))
      .format,
    'openb',
  );
});

test('same seed => byte-identical files; another seed => different', async (t) => {
  const [a, b, c] = [tempDir(), tempDir(), tempDir()];
  await generate('openb', a, { nodes: 10, pods: 200, seed: 'x' });
  await generate('openb', b, { nodes: 10, pods: 200, seed: 'x' });
  await generate('openb', c, { nodes: 10, pods: 200, seed: 'y' });
  const read = (d: string) => readFileSync(join(d, OPENB_GENERATED.pods), 'utf8');
  t.is(read(a), read(b));
  t.not(read(a), read(c));
});

test('native generator -> native reader: the openb mapping of the same seed', async (t) => {
  const dir = tempDir();
  const out = join(dir, 'g.ndjson.gz');
  await generate('native', out, { nodes: 5, pods: 50, seed: 3 });
  const viaNative = await collect(readNative(out).records);
  await generate('openb', dir, { nodes: 5, pods: 50, seed: 3 });
  const viaOpenb = await collect(
    (await openTrace({ nodes: join(dir, OPENB_GENERATED.nodes), pods: join(dir, OPENB_GENERATED.pods) }))
      .records,
  );
  // 5 nodes + 50 creates; generated pods all ran (scheduled_time set), so they end by duration, not delete
  t.is(viaNative.length, 55);
  t.deepEqual(calls(viaNative), calls(viaOpenb));
});

test.serial('generate CLI writes the folder and rejects a bad count', async (t) => {
  const dir = tempDir();
  const ok = await runCli([
    'generate',
    '--format',
    'openb',
    '--nodes',
    '3',
    '--pods',
    '7',
    '--seed',
    '1',
    '--out',
    dir,
  ]);
  t.is(ok.code, 0, ok.stderr);
  t.is((await readOpenbPodRows(join(dir, OPENB_GENERATED.pods))).length, 7);
  const bad = await runCli(['generate', '--format', 'openb', '--pods', '-3', '--out', dir]);
  t.is(bad.code, 2);
});
