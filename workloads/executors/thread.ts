/** Worker-thread entry of a queue worker: piscina runs one cell per call, off the event loop. */
import runFillTask from '../fill/worker.js';
import { runSweepCell } from '../sweep/cell.js';
import type { FillTask } from '../fill/protocol.js';
import type { SweepTask } from '../sweep/protocol.js';
import type { CellKinds } from './protocol.js';

/** One cell for a thread; a compare task's `outDir` is the worker's folder for its reports. */
export type ThreadTask = { kind: 'compare'; task: SweepTask } | { kind: 'fill'; task: FillTask };

/** Runs the cell; results go back by structured clone (NaN survives). */
export default function run(t: ThreadTask): Promise<CellKinds[ThreadTask['kind']]['result']> {
  return t.kind === 'compare' ? runSweepCell(t.task) : runFillTask(t.task);
}
