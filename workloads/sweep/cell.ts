import { compareRunOf } from '../../reports/index.js';
import { runReplay } from '../replay/run-replay.js';
import type { SweepTask, SweepTaskResult } from './protocol.js';

/** Runs one sweep cell (on whichever thread calls it). */
export async function runSweepCell(t: SweepTask): Promise<SweepTaskResult> {
  const report = await runReplay({
    inputs: t.inputs,
    policy: t.policy,
    seed: t.seed,
    outDir: t.outDir,
    ...(t.untilUs !== undefined ? { untilUs: t.untilUs } : {}),
    ...(t.bucketSeconds !== undefined ? { bucketSeconds: t.bucketSeconds } : {}),
  });
  return compareRunOf(t.policy.name, t.traceName, t.seed, report);
}
