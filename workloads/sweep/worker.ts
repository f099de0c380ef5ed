/** Worker-thread entry of a sweep: piscina calls the default export once per cell. */
import { runSweepCell } from './cell.js';
import type { SweepTask, SweepTaskResult } from './protocol.js';

export default function run(task: SweepTask): Promise<SweepTaskResult> {
  return runSweepCell(task);
}
