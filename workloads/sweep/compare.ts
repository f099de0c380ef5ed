import { basename, join } from 'node:path';
import type { OpenTraceOptions } from '../../traces/detect.js';
import type { CompareRun } from '../../reports/index.js';
import type { PolicySpec } from '../replay/policy.js';
import { loadPolicy } from '../replay/policy.js';
import { runCells, siblingWorkerUrl, type CellIsolation } from '../pool/run-cells.js';
import { runSweepCell } from './cell.js';
import type { SweepTask } from './protocol.js';
import type { Executor } from '../executors/types.js';

/** A policy comparison: policies × traces × seeds. */
export interface CompareOptions {
  /** One entry per trace to compare on. */
  readonly traces: readonly OpenTraceOptions[];
  readonly policies: readonly PolicySpec[];
  readonly seeds: readonly string[];
  /** Worker threads (1 = on this thread). */
  readonly workers: number;
  /** Where pooled cells run (default child processes; see run-cells.ts). */
  readonly isolation?: CellIsolation;
  /** Each run's reports go to `<outDir>/runs/<policy>--<trace>--seed<seed>/`. */
  readonly outDir: string;
  readonly untilUs?: number;
  readonly bucketSeconds?: number;
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Where cells run; default: `workers` child processes of this one (see `isolation`). A queue executor also records
   * finished cells in `<outDir>/.cells/` so a re-run skips them.
   */
  readonly executor?: Executor;
}

/** A trace's short name: the pod list's (or trace's) base name without extensions. */
export function traceName(i: OpenTraceOptions): string {
  const p =
    i.pods ??
    i.trace ??
    (typeof i.manifests === 'string' ? i.manifests : i.manifests?.[0]) ??
    i.nodes ??
    'trace';
  return basename(p).replace(/\.(csv|json|ndjson|ya?ml)(\.gz)?$/i, '');
}

/** The cells of a comparison in their fixed order: trace, then policy, then seed. */
export function compareTasks(o: CompareOptions): SweepTask[] {
  const tasks: SweepTask[] = [];
  for (const inputs of o.traces) {
    const name = traceName(inputs);
    for (const policy of o.policies) {
      for (const seed of o.seeds) {
        tasks.push({
          inputs,
          traceName: name,
          policy,
          seed,
          outDir: join(o.outDir, 'runs', `${policy.name}--${name}--seed${seed}`),
          ...(o.untilUs !== undefined ? { untilUs: o.untilUs } : {}),
          ...(o.bucketSeconds !== undefined ? { bucketSeconds: o.bucketSeconds } : {}),
        });
      }
    }
  }
  return tasks;
}

/**
 * Runs every cell of a comparison, over worker threads when `workers` > 1, and returns the runs in
 * cell order: identical results for any worker count.
 */
export async function runCompare(o: CompareOptions): Promise<CompareRun[]> {
  // Bad policies fail here, once, with their own error rather than as a failed cell.
  for (const p of o.policies) loadPolicy(p);
  const tasks = compareTasks(o);
  const describe = (t: SweepTask): string => `run ${t.policy.name} on ${t.traceName} with seed ${t.seed}`;
  if (o.executor)
    return o.executor.run('compare', tasks, {
      describe,
      stateDir: join(o.outDir, '.cells'),
      ...(o.onProgress ? { onDone: o.onProgress } : {}),
    });
  return runCells({
    tasks,
    workers: o.workers,
    workerUrl: siblingWorkerUrl(import.meta.url, 'worker'),
    runLocal: runSweepCell,
    describe,
    ...(o.isolation ? { isolation: o.isolation } : {}),
    ...(o.onProgress ? { onDone: o.onProgress } : {}),
  });
}
