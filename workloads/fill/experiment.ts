import { writeFile } from 'node:fs/promises';
import { stringify } from 'csv-stringify/sync';
import { GPU_POLICIES, type GpuPolicy } from '../../engine/gpu/index.js';
import { runFillCell, type FillCellResult } from './cell.js';
import { InputCache, workloadName } from './inputs.js';
import type { FillTask } from './protocol.js';
import { runCells, siblingWorkerUrl } from '../pool/run-cells.js';
import type { Executor } from '../executors/types.js';
import { InputError } from '../../engine/api/errors.js';
import { writeFileSet } from '../../reports/files.js';

/** A fill experiment: every (pod list, policy, seed) cell on one node list. */
export interface FillExperimentOptions {
  readonly nodesPath: string;
  readonly podsPaths: readonly string[];
  readonly policies: readonly GpuPolicy[];
  readonly seeds: readonly number[];
  /** Arrived GPU request to reach, % of cluster GPUs (default 130). */
  readonly maxLoad?: number;
  /** Worker threads; 1 runs every cell on the calling thread. */
  readonly workers?: number;
  /** Called after each finished cell (in completion order). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Where cells run instead of `workers` threads (e.g. a QueueExecutor; see docs/distributed.md). */
  readonly executor?: Executor;
  /** With `executor`: where finished cells are recorded so a re-run skips them (e.g. `<out>/.cells`). */
  readonly stateDir?: string;
}

/**
 * One summary row: a (workload, policy) over its seeds. A median or mean is NaN (an empty cell in
 * summary.csv) when some seed has no value at that load (see {@link FillCellResult.alloc}).
 */
export interface FillSummaryRow {
  readonly workload: string;
  readonly policy: GpuPolicy;
  readonly seeds: number;
  readonly medianUnallocatedAt100: number;
  readonly meanUnallocatedAt100: number;
  readonly medianUnallocatedAtMax: number;
  readonly meanUnallocatedAtMax: number;
  readonly meanFailedPods: number;
}

/** The experiment's cells in cell order (pod list, then policy, then seed) and their summary. */
export interface FillExperimentResult {
  readonly maxLoad: number;
  readonly cells: readonly FillCellResult[];
  readonly summary: readonly FillSummaryRow[];
}

/** The fill worker entry next to this module (`.ts` under tsx, `.js` in dist/). */
export function fillWorkerUrl(): URL {
  return siblingWorkerUrl(import.meta.url, 'worker');
}

function validate(opts: FillExperimentOptions): { maxLoad: number; workers: number } {
  const maxLoad = opts.maxLoad ?? 130;
  const workers = opts.workers ?? 1;
  if (!Number.isInteger(maxLoad) || maxLoad < 1 || maxLoad > 1000) {
    throw new RangeError('options.maxLoad must be an integer in 1..1000');
  }
  if (!Number.isInteger(workers) || workers < 1)
    throw new RangeError('options.workers must be a positive integer');
  if (opts.podsPaths.length === 0) throw new RangeError('options.podsPaths must not be empty');
  if (opts.policies.length === 0) throw new RangeError('options.policies must not be empty');
  if (opts.seeds.length === 0) throw new RangeError('options.seeds must not be empty');
  for (const p of opts.policies) if (!GPU_POLICIES.includes(p)) throw new RangeError(`unknown policy ${p}`);
  return { maxLoad, workers };
}

/**
 * Runs every cell, sequentially or over `workers` piscina threads; results are merged in cell order,
 * so they are identical whatever the worker count. A crashed worker fails the run with CellFailedError naming the cell.
 */
export async function runFillExperiment(opts: FillExperimentOptions): Promise<FillExperimentResult> {
  const { maxLoad, workers } = validate(opts);
  // Reports name a workload by its pod list's file name: two lists of one name would be merged.
  const byName = new Map<string, string>();
  for (const podsPath of opts.podsPaths) {
    const name = workloadName(podsPath);
    const other = byName.get(name);
    if (other !== undefined)
      throw new InputError(
        podsPath,
        undefined,
        undefined,
        other === podsPath
          ? '--pods: given twice (its cells would count twice in the summary)'
          : `--pods: named "${name}" in the reports, as ${other} is; give the pod lists different file names`,
        'BAD_OPTION',
      );
    byName.set(name, podsPath);
  }
  const tasks: FillTask[] = [];
  for (const podsPath of opts.podsPaths) {
    for (const policy of opts.policies) {
      for (const seed of opts.seeds) {
        tasks.push({
          nodesPath: opts.nodesPath,
          podsPath,
          workload: workloadName(podsPath),
          policy,
          seed,
          maxLoad,
        });
      }
    }
  }
  let cells: FillCellResult[];
  if (opts.executor) {
    cells = await opts.executor.run('fill', tasks, {
      describe: (t) => `fill ${t.workload}/${t.policy}/seed ${t.seed}`,
      ...(opts.stateDir ? { stateDir: opts.stateDir } : {}),
      ...(opts.onProgress ? { onDone: opts.onProgress } : {}),
    });
  } else {
    // Read inputs once here, so bad input fails with its own error before any cell (or worker) runs.
    const cache = new InputCache();
    await cache.nodes(opts.nodesPath);
    for (const p of opts.podsPaths) await cache.pods(p);
    cells = await runCells({
      tasks,
      workers,
      workerUrl: fillWorkerUrl(),
      runLocal: async (t) => {
        const [nodes, pods] = await Promise.all([cache.nodes(t.nodesPath), cache.pods(t.podsPath)]);
        return runFillCell({ workload: t.workload, nodes, pods, policy: t.policy, seed: t.seed, maxLoad });
      },
      describe: (t) => `fill ${t.workload}/${t.policy}/seed ${t.seed}`,
      ...(opts.onProgress ? { onDone: opts.onProgress } : {}),
    });
  }
  return { maxLoad, cells, summary: summarize(cells, maxLoad) };
}

/** NaN when any value is: a statistic over fewer seeds than the row's `seeds` would mislead. */
function median(xs: number[]): number {
  if (xs.some(Number.isNaN)) return NaN;
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function mean(xs: number[]): number {
  let t = 0;
  for (const x of xs) t += x;
  return t / xs.length;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/**
 * Per (workload, policy), in first-seen order: median and mean unallocated GPU % at 100 and at max
 * load over its seeds; NaN where some seed has no value at that load (no arrival within p ± 1).
 */
export function summarize(cells: readonly FillCellResult[], maxLoad: number): FillSummaryRow[] {
  const groups = new Map<string, FillCellResult[]>();
  for (const c of cells) {
    const k = `${c.workload}\u0000${c.policy}`;
    const g = groups.get(k);
    if (g) g.push(c);
    else groups.set(k, [c]);
  }
  const at = Math.min(100, maxLoad);
  return [...groups.values()].map((g) => {
    const u100 = g.map((c) => 100 - c.alloc[at]!);
    const uMax = g.map((c) => 100 - c.alloc[maxLoad]!);
    return {
      workload: g[0]!.workload,
      policy: g[0]!.policy,
      seeds: g.length,
      medianUnallocatedAt100: round2(median(u100)),
      meanUnallocatedAt100: round2(mean(u100)),
      medianUnallocatedAtMax: round2(median(uMax)),
      meanUnallocatedAtMax: round2(mean(uMax)),
      meanFailedPods: round2(mean(g.map((c) => c.failedPods))),
    };
  });
}

/** A value of the CSVs: NaN (no value at that load) is an empty cell. */
function cellValue(x: number): string {
  return Number.isNaN(x) ? '' : String(x);
}

/**
 * Whether the summary has its own at-100% columns: only when the run went past 100% (at 100 they
 * would repeat the max-load ones; below 100 the point was never reached).
 */
export function reportsAt100(maxLoad: number): boolean {
  return maxLoad > 100;
}

/** The three CSVs of `experiment fill --out DIR` as text: alloc.csv, frag.csv, summary.csv. */
export function fillCsvs(result: FillExperimentResult): { alloc: string; frag: string; summary: string } {
  const header = ['workload', 'policy', 'seed'];
  for (let p = 0; p <= result.maxLoad; p++) header.push(String(p));
  const rows = (pick: (c: FillCellResult) => number[]): string =>
    stringify([
      header,
      ...result.cells.map((c) => [c.workload, c.policy, String(c.seed), ...pick(c).map(cellValue)]),
    ]);
  const with100 = reportsAt100(result.maxLoad);
  const summary = stringify([
    [
      'workload',
      'policy',
      'seeds',
      ...(with100 ? ['median_unallocated_at_100', 'mean_unallocated_at_100'] : []),
      `median_unallocated_at_${result.maxLoad}`,
      `mean_unallocated_at_${result.maxLoad}`,
      'mean_failed_pods',
    ],
    ...result.summary.map((r) => [
      r.workload,
      r.policy,
      r.seeds,
      ...(with100 ? [r.medianUnallocatedAt100, r.meanUnallocatedAt100] : []).map(cellValue),
      cellValue(r.medianUnallocatedAtMax),
      cellValue(r.meanUnallocatedAtMax),
      r.meanFailedPods,
    ]),
  ]);
  return { alloc: rows((c) => c.alloc), frag: rows((c) => c.frag), summary };
}

/**
 * Writes alloc.csv, frag.csv and summary.csv into `dir` (created) all or none, through
 * {@link writeFileSet} (temp files renamed into place; file-system errors worded, naming the path).
 */
export async function writeFillOutputs(dir: string, result: FillExperimentResult): Promise<void> {
  const csv = fillCsvs(result);
  await writeFileSet(
    dir,
    (['alloc', 'frag', 'summary'] as const).map((k) => ({
      name: `${k}.csv`,
      write: (path: string) => writeFile(path, csv[k]),
    })),
  );
}
