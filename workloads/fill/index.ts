/** The ATC'23 fill-to-load experiment: fill the openb GPU cluster to a load, one policy per run. */
export {
  arrivals,
  roundHalfEven,
  runFillCell,
  type FillCellInput,
  type FillCellResult,
  type FillPod,
} from './cell.js';
export {
  fillCsvs,
  fillWorkerUrl,
  reportsAt100,
  runFillExperiment,
  summarize,
  writeFillOutputs,
  type FillExperimentOptions,
  type FillExperimentResult,
  type FillSummaryRow,
} from './experiment.js';
export { loadFillNodes, loadFillPods, workloadName, InputCache } from './inputs.js';
export type { FillTask, FillTaskResult } from './protocol.js';
