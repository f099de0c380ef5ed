/** Worker-thread entry of the fill experiment: runs one cell per task (see protocol.ts). */
import { runFillCell } from './cell.js';
import { InputCache } from './inputs.js';
import type { FillTask, FillTaskResult } from './protocol.js';

const cache = new InputCache();

/** Runs the cell of `task`, reading its inputs at most once per worker thread. */
export default async function runTask(task: FillTask): Promise<FillTaskResult> {
  const [nodes, pods] = await Promise.all([cache.nodes(task.nodesPath), cache.pods(task.podsPath)]);
  return runFillCell({
    workload: task.workload,
    nodes,
    pods,
    policy: task.policy,
    seed: task.seed,
    maxLoad: task.maxLoad,
  });
}
