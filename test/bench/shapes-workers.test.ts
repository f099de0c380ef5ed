/**
 * Every scheduler_perf benchmark shape, at reduced counts and with exhaustive scoring (so speculative
 * batches are actually used), replayed through the whole control plane with 1, 2 and 4 scheduler
 * workers: the event-log hashes must be identical (issue: parallel scheduling, "identical
 * eventLogSha256 for workers 1, 2, 4 on every shape").
 */
import test from 'ava';
import type { KObject } from '../../engine/api/types.js';
import { ClusterReplay } from '../../engine/cluster/replay.js';
import { EVENT } from '../../engine/cluster/events.js';
import type { SchedulerOptions } from '../../engine/scheduler/index.js';
import { ParallelScheduler } from '../../engine/scheduler/parallel/index.js';
import { SHAPES, type Shape } from '../../bench/shapes.js';
import { exhaustiveConfig } from '../../bench/speedup.js';
import { records, shapeSetupCalls } from '../../bench/scheduling.js';

/** One replay of `shape` (120 nodes, 40 init pods, 64 measured pods arriving together). */
async function replay(
  shape: Shape,
  workers: number,
): Promise<{ hash: string; binds: number; batches: number }> {
  let parallel: ParallelScheduler | undefined;
  const r = new ClusterReplay({
    seed: 'shapes',
    config: exhaustiveConfig(),
    policy: 'exhaustive',
    trace: `scheduler_perf/${shape.name}`,
    ...(workers > 1
      ? { makeScheduler: (o: SchedulerOptions) => (parallel = new ParallelScheduler({ ...o, workers })) }
      : {}),
  });
  let binds = 0;
  r.sim.log.listen((e) => {
    if (e.type === EVENT.BIND) binds++;
  });
  await parallel?.start();
  try {
    const calls = shapeSetupCalls(shape, 120, 40);
    for (let i = 0; i < 64; i++)
      calls.push({ timeUs: 5_000_000, op: 'create', object: shape.measurePod(i) as KObject });
    await r.run(records(calls));
    r.end();
    return { hash: r.sim.log.hash, binds, batches: parallel?.stats.batches ?? 0 };
  } finally {
    await parallel?.close();
  }
}

for (const shape of SHAPES) {
  test.serial(`${shape.name}: same event-log hash for 1, 2 and 4 workers`, async (t) => {
    const one = await replay(shape, 1);
    const two = await replay(shape, 2);
    const four = await replay(shape, 4);
    t.is(two.hash, one.hash);
    t.is(four.hash, one.hash);
    t.is(two.binds, one.binds);
    // The shape scheduled something, and the threads were used (batches evaluated speculatively).
    t.true(one.binds > 0);
    t.true(two.batches > 0, `no speculative batch for ${shape.name}`);
  });
}
