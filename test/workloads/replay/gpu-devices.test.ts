import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPENB_GENERATED, generate } from '../../../traces/generator/index.js';
import { runReplay } from '../../../workloads/replay/run-replay.js';
import { parsePolicy } from '../../../workloads/replay/policy.js';

test('pods.csv records the GPU devices each GPU pod was given, and no device is over-committed', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kreplay-gpus-'));
  await generate('openb', dir, { nodes: 30, pods: 200, seed: 'gpus' });
  const out = join(dir, 'out');
  await runReplay({
    inputs: {
      nodes: join(dir, OPENB_GENERATED.nodes),
      pods: join(dir, OPENB_GENERATED.pods),
      mode: 'arrival-only',
    },
    policy: parsePolicy('fgd'),
    seed: '1',
    outDir: out,
    untilUs: 60_000_000,
  });
  const [head, ...rows] = readFileSync(join(out, 'pods.csv'), 'utf8').trim().split('\n');
  const col = Object.fromEntries(head!.split(',').map((c, i) => [c, i]));
  let gpuPods = 0;
  const used = new Map<string, number>();
  for (const r of rows.map((l) => l.split(','))) {
    const gpuMilli = Number(r[col.gpuMilli!]);
    const node = r[col.node!]!;
    const gpus = r[col.gpus!]!;
    if (!r[col.scheduled!]) continue;
    if (gpuMilli === 0) {
      t.is(gpus, '', `${r[1]} asks no GPU`);
      continue;
    }
    gpuPods++;
    const devices = gpus.split(';').map(Number);
    // A sharing pod (< 1000 milli) sits on one device; an n-GPU pod takes n whole devices.
    const perDevice = gpuMilli < 1000 ? gpuMilli : 1000;
    t.is(devices.length, gpuMilli < 1000 ? 1 : gpuMilli / 1000, r[1]);
    for (const d of devices) used.set(`${node}/${d}`, (used.get(`${node}/${d}`) ?? 0) + perDevice);
  }
  t.true(gpuPods > 50);
  for (const [device, milli] of used) t.true(milli <= 1000, `${device} holds ${milli} milli`);
});
