import { availableParallelism } from 'node:os';
import type { SchedulerConfig } from '../framework/index.js';

/**
 * Work per batch (nodes × pods per batch × plugin cost factor) below which `auto` stays sequential:
 * a batch must carry well over a thread round trip (~60–200 µs here) per worker to pay.
 */
export const AUTO_MIN_WORK = 20_000;
/** Nodes below which `auto` stays sequential whatever the batch (per-pod scans are too short). */
export const AUTO_MIN_NODES = 2_000;
/**
 * Cores below which `auto` stays sequential: on the 2-vCPU machine measured so far speculation was
 * 0.58–0.86× sequential at 5,000–15,000 nodes and 1.14× at 50,000 (quiet machine,
 * bench/results/parallel.csv, docs/parallel.md), so `auto` does not use it there.
 */
export const AUTO_MIN_CORES = 4;
/**
 * `auto` never uses more threads than this. On a 16-core machine (bench/results/full/parallel-16core.csv)
 * 8 threads beat 4 on every shape (exhaustive 15,000 nodes 2.19× vs 1.88×, 50,000 nodes 2.14× vs 1.39×,
 * anti-affinity 2.66× vs 2.37×) and 16 lost to 8 (1.58–1.71×): the owner's in-order commits bound it.
 */
export const AUTO_MAX_WORKERS = 8;

/** Inputs of {@link chooseWorkers}. */
export interface ChooseWorkersInput {
  /** `--workers`: 'auto' or a forced count (1 = sequential). */
  readonly requested: 'auto' | number;
  readonly config: SchedulerConfig;
  /** Nodes the run is expected to hold (e.g. the trace's node count, or the live count at start). */
  readonly nodes: number;
  /** Pods per speculative batch. */
  readonly batchSize: number;
  /** Cores available (defaults to os.availableParallelism()). */
  readonly cores?: number;
}

/**
 * Relative cost of one node evaluation for a profile: 1 for the core plugins, more with the
 * expensive topology plugins enabled (their per-node work is several times the resource scan).
 */
export function pluginCostFactor(config: SchedulerConfig): number {
  let f = 1;
  for (const p of config.profiles) {
    const names = new Set([...p.points.filter, ...p.points.score]);
    let g = 1;
    if (names.has('InterPodAffinity')) g += 1;
    if (names.has('PodTopologySpread')) g += 1;
    f = Math.max(f, g);
  }
  return f;
}

/**
 * The worker count for a replay. A number is forced as given (1 = sequential). `auto` is sequential
 * when speculation cannot apply (any profile samples nodes: percentageOfNodesToScore < 100), on
 * fewer than AUTO_MIN_CORES cores, on clusters under AUTO_MIN_NODES, or under AUTO_MIN_WORK of work per batch; otherwise one
 * thread per core, at most AUTO_MAX_WORKERS. Speculation also pauses itself at run time when most
 * speculated pods end up recomputed (ParallelScheduler), so `auto` does not lose where it guessed
 * wrong.
 */
export function chooseWorkers(input: ChooseWorkersInput): number {
  if (input.requested !== 'auto') {
    if (!Number.isInteger(input.requested) || input.requested < 1)
      throw new RangeError('workers must be a positive integer or "auto"');
    return input.requested;
  }
  const cores = input.cores ?? availableParallelism();
  if (cores < AUTO_MIN_CORES) return 1;
  for (const p of input.config.profiles) {
    if ((p.percentageOfNodesToScore ?? input.config.percentageOfNodesToScore) < 100) return 1;
  }
  if (input.nodes < AUTO_MIN_NODES) return 1;
  if (input.nodes * input.batchSize * pluginCostFactor(input.config) < AUTO_MIN_WORK) return 1;
  return Math.min(cores, AUTO_MAX_WORKERS);
}

/** Parses `--workers`: `auto` or a positive integer (RangeError naming the option otherwise). */
export function parseWorkersOption(value: string): 'auto' | number {
  if (value === 'auto') return 'auto';
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < 1)
    throw new RangeError(`--workers must be "auto" or a positive integer, got ${JSON.stringify(value)}`);
  return n;
}
