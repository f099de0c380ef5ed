import test from 'ava';
import { ParallelWorkerError, SpeculationPool } from '../../../../engine/scheduler/parallel/index.js';
import { defaultConfig } from './harness.js';

test('a worker failure fails the run with a clear error (no hang)', async (t) => {
  const pool = await SpeculationPool.start({ threads: 2, config: defaultConfig(100) });
  try {
    const bad = { op: 'explode' } as never;
    const err = t.throws(() =>
      pool.speculate([
        { type: 'speculate', ops: [bad], lookups: { namespaceLabels: null, ownerSelectors: null }, pods: [] },
      ]),
    );
    t.true(err instanceof ParallelWorkerError);
    t.regex(err!.message, /speculative worker 0 failed: .*unknown index op/);
  } finally {
    await pool.close();
  }
});

test('bad options throw RangeError naming the option', async (t) => {
  await t.throwsAsync(SpeculationPool.start({ threads: 0, config: defaultConfig(100) }), {
    instanceOf: RangeError,
    message: /options\.threads/,
  });
});
