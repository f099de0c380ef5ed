import { existsSync, linkSync, copyFileSync, readdirSync } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
import { InputError } from '../../engine/api/errors.js';
import { makeDirs } from '../../engine/files/make-dirs.js';
import type { OpenTraceOptions } from '../../traces/detect.js';
import type { CompareRun } from '../../reports/index.js';
import type { PolicySpec } from '../replay/policy.js';
import { loadPolicy } from '../replay/policy.js';
import { PRESET_NAMES } from '../../engine/scheduler/index.js';
import { runCells, siblingWorkerUrl, type CellIsolation } from '../pool/run-cells.js';
import { runSweepCell } from './cell.js';
import type { SweepTask } from './protocol.js';
import type { Executor } from '../executors/types.js';
import { StagedOutput } from '../replay/staging.js';
import { COMPARE_OUTPUT_FILES, writeCompareOutputs } from './outputs.js';

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
   * finished cells in `stateDir` so a re-run skips them.
   */
  readonly executor?: Executor;
  /** Where a queue executor records finished cells; default `<outDir>/.cells`. */
  readonly stateDir?: string;
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
      stateDir: o.stateDir ?? join(o.outDir, '.cells'),
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

/**
 * Fails (exit 2) on a trace input that does not exist, before any cell runs (each cell would fail with
 * the file system's own words).
 */
export function requireInputs(o: Pick<CompareOptions, 'traces'>): void {
  for (const input of tracePaths(o.traces))
    if (!existsSync(input))
      throw new InputError(input, undefined, undefined, 'no such file or directory', 'NOT_FOUND');
}

/** Every file or folder the traces of a comparison name. */
function tracePaths(traces: readonly OpenTraceOptions[]): string[] {
  return traces.flatMap((i) =>
    [
      i.trace,
      i.nodes,
      i.pods,
      ...(typeof i.manifests === 'string' ? [i.manifests] : (i.manifests ?? [])),
    ].filter((p): p is string => p !== undefined),
  );
}

/**
 * Fails (exit 2) when an input of the comparison (a trace file or folder, a policy file) lies where
 * {@link runCompareInto} writes: inside `<outDir>/runs/`, which a run replaces whole, or on one of
 * the comparison's own files.
 */
export function refuseInputsInOutput(o: Pick<CompareOptions, 'traces' | 'policies' | 'outDir'>): void {
  const runs = resolve(o.outDir, 'runs');
  const files = new Set(COMPARE_OUTPUT_FILES.map((f) => resolve(o.outDir, f)));
  const inputs = tracePaths(o.traces);
  for (const p of o.policies) if (!PRESET_NAMES.includes(p.source)) inputs.push(p.source);
  for (const input of inputs) {
    const at = resolve(input);
    if (at === runs || at.startsWith(runs + sep))
      throw new InputError(
        input,
        undefined,
        undefined,
        `--out ${o.outDir} would remove this input (the comparison's runs/ folder is replaced); write the reports elsewhere`,
        'OUTPUT_OVER_INPUT',
      );
    if (files.has(at))
      throw new InputError(
        input,
        undefined,
        undefined,
        `--out ${o.outDir} would replace this input with the report of the same name; write the reports elsewhere`,
        'OUTPUT_OVER_INPUT',
      );
  }
}

/**
 * Links the report files of the cells already in `fromRuns` (an earlier comparison's `runs/`) into
 * the same cells' folders under `toRuns`, so that a queue executor reuses the cells it recorded as
 * finished (it checks that their report is in place) instead of running them again. A cell that runs
 * renames its new files over these links, never writing through them: the earlier output is
 * untouched until the commit replaces it.
 */
function carryFinishedCells(fromRuns: string, toRuns: string, tasks: readonly SweepTask[]): void {
  for (const t of tasks) {
    const cell = basename(t.outDir);
    const from = join(fromRuns, cell);
    if (!existsSync(join(from, 'report.html'))) continue;
    const to = join(toRuns, cell);
    makeDirs(to);
    for (const e of readdirSync(from, { withFileTypes: true })) {
      if (!e.isFile() || e.name.startsWith('.')) continue;
      try {
        linkSync(join(from, e.name), join(to, e.name));
      } catch {
        copyFileSync(join(from, e.name), join(to, e.name));
      }
    }
  }
}

/**
 * Runs a comparison into `o.outDir` as one unit: the cells' report folders and the comparison's
 * files (`compare.csv`, `timing.csv`, `report.html`) are written to a staging folder inside it, and
 * replace the earlier comparison there — its whole `runs/` folder included, so no cell of an earlier
 * seed or policy list is left beside the new ones — only once every cell succeeded. On any failure
 * the folder stays as it was (and goes, if this run created it). A queue executor keeps its records
 * of finished cells in `<outDir>/.cells/` (reused with the report folders the last successful run
 * left); after a failure, a re-run finds the finished cells' results in Redis.
 */
export async function runCompareInto(o: CompareOptions): Promise<CompareRun[]> {
  requireInputs(o);
  refuseInputsInOutput(o);
  const out = new StagedOutput(o.outDir);
  try {
    const staged: CompareOptions = {
      ...o,
      outDir: out.staging,
      stateDir: o.stateDir ?? join(out.dir, '.cells'),
    };
    if (o.executor) carryFinishedCells(join(out.dir, 'runs'), out.path('runs'), compareTasks(staged));
    const runs = await runCompare(staged);
    await writeCompareOutputs(out.staging, runs);
    out.commit();
    return runs;
  } catch (err) {
    out.abort();
    throw err;
  }
}
