import test from 'ava';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPENB_GENERATED, generate } from '../../../traces/generator/index.js';
import { runReplay } from '../../../workloads/replay/run-replay.js';
import { parsePolicy } from '../../../workloads/replay/policy.js';

test('same seed, same event-log hash for 1, 2 and 4 scheduler workers', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kreplay-workers-'));
  // A seeded openb-format cluster: 150 GPU nodes, 400 pods arriving together (arrival-only), so the
  // queue holds many pods at once and the workers speculate batches of them.
  await generate('openb', dir, { nodes: 150, pods: 400, seed: 'workers' });
  const inputs = {
    nodes: join(dir, OPENB_GENERATED.nodes),
    pods: join(dir, OPENB_GENERATED.pods),
    mode: 'arrival-only' as const,
  };
  const hashes: string[] = [];
  const scheduled: number[] = [];
  for (const workers of [1, 2, 4]) {
    const r = await runReplay({
      inputs,
      policy: parsePolicy('test/fixtures/policies/exhaustive.yaml'),
      seed: '3',
      workers,
      untilUs: 600_000_000,
    });
    hashes.push(r.summary.eventLogSha256);
    scheduled.push(r.summary.podsScheduled);
  }
  t.is(hashes[1], hashes[0]);
  t.is(hashes[2], hashes[0]);
  t.true(scheduled[0]! > 0);
});
