import { ClusterReplay, type InputCall, type ReplayOptions } from '../../engine/cluster/replay.js';
import type { Scenario } from './reader.js';

async function* feed(calls: readonly InputCall[]): AsyncGenerator<InputCall> {
  yield* calls;
}

/**
 * Runs a scenario on a fresh ClusterReplay (control plane installed), injecting its faults, up to
 * its horizon. Returns the replay, ended (`run.end` appended).
 */
export async function runScenario(
  scenario: Scenario,
  opts: Omit<ReplayOptions, 'seed' | 'trace'> & { seed?: string | number },
): Promise<ClusterReplay> {
  const r = new ClusterReplay({ ...opts, seed: opts.seed ?? scenario.seed, trace: scenario.name });
  const cp = r.controlPlane;
  if (!cp && scenario.faults.length > 0)
    throw new RangeError('scenario faults need the control plane (controllers.enabled is false)');
  for (const f of scenario.faults) cp!.faults.inject(f.timeUs, f.fault);
  await r.run(feed(scenario.calls), scenario.untilUs);
  r.end();
  return r;
}
