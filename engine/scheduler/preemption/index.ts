/** DefaultPreemption's evaluator: victim selection, PDBs, candidate choice. */
export {
  Evaluator,
  DEFAULT_PREEMPTION_ARGS,
  moreImportant,
  numCandidates,
  pickOneNode,
  podPriority,
  podStartMs,
  splitByPDBViolation,
} from './preemption.js';
export type { Candidate, PreemptionArgs, PreemptionContext } from './preemption.js';
