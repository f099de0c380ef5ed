/**
 * The benchmark suite: engine/sim kernels, the scheduler_perf shapes (core only and full replay), and
 * worker scaling (speculative batches at 1/2/4/auto evaluators, a compare sweep over the pool), each
 * kernel in its own child process, run one after another (never in parallel: it would skew the
 * timings on a small machine). Writes `sim.csv`, `scheduler-perf.csv` and `parallel.csv` under the
 * output folder.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'csv-stringify/sync';
import type { ChildRow, ChildSpec } from './child.js';
import { SHAPES, type ShapeCounts } from './shapes.js';
import { machine, summarize } from './stats.js';
import { SPEEDUP_SHAPES, autoWorkers } from './speedup.js';
import { CEILING_NAMES, type CeilingWork } from './ceiling.js';
import { resolveWorkers } from '../workloads/pool/run-cells.js';

/** Options of {@link runBench}. */
export interface BenchOptions {
  /**
   * Reduced counts, one setup per kernel and five consecutive measured batches as the five runs
   * (must finish in under 3 minutes); otherwise upstream counts and five fresh runs.
   */
  readonly quick: boolean;
  /** Where the CSVs go. */
  readonly outDir: string;
  /** Only shapes whose name contains one of these (case-insensitive); all when empty. */
  readonly only?: readonly string[];
  /** Skip the full-replay rows. */
  readonly coreOnly?: boolean;
  /** Progress lines. */
  readonly log?: (line: string) => void;
  /**
   * Worker counts of the scaling rows (speculative batches and the compare sweep), `auto` added
   * after them; default 1, 2, 4 (1, 2 for the quick sweep). The first is the speedup baseline.
   */
  readonly workers?: readonly number[];
  /** Runs per scaling row (default 5; quick 3, one for the quick sweep). */
  readonly runs?: number;
}

/** One CSV row. */
export interface BenchRow {
  readonly benchmark: string;
  readonly nodes: number | '';
  readonly initPods: number | '';
  readonly pods: number | '';
  readonly workers: number;
  readonly unit: string;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly iqr: number;
  readonly runs: number;
  readonly floor: number | '';
  readonly ratio: number | '';
}

function runChild(spec: ChildSpec): Promise<ChildRow[]> {
  const self = fileURLToPath(import.meta.url);
  const ts = self.endsWith('.ts');
  const child = join(self, '..', ts ? 'child.ts' : 'child.js');
  const args = [...(ts ? ['--import', 'tsx'] : []), child, JSON.stringify(spec)];
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0)
        return reject(new Error(`benchmark ${JSON.stringify(spec)} failed (exit ${code}): ${err}`));
      const last = out.trim().split('\n').pop() ?? '{}';
      resolve((JSON.parse(last) as { rows: ChildRow[] }).rows);
    });
  });
}

const round = (x: number): number => (x >= 100 ? Math.round(x) : Math.round(x * 100) / 100);

function toRow(r: ChildRow, counts: ShapeCounts | undefined, floor: number | undefined): BenchRow {
  const s = summarize(r.rates);
  return {
    benchmark: r.benchmark,
    nodes: counts?.nodes ?? '',
    initPods: counts?.initPods ?? '',
    pods: counts?.measurePods ?? '',
    workers: 1,
    unit: r.unit,
    median: round(s.median),
    min: round(s.min),
    max: round(s.max),
    iqr: round(s.iqr),
    runs: s.runs,
    floor: floor ?? '',
    ratio: floor ? round(s.median / floor) : '',
  };
}

/**
 * Writes `rows` with the given [row key, CSV header] columns, then the machine's columns (cpu model,
 * cores, Node version) on every row.
 */
function writeRowsCsv(path: string, rows: readonly object[], columns: readonly [string, string][]): void {
  const m = machine();
  const records = rows.map((r) => ({ ...r, cpuModel: m.cpuModel, cores: m.cores, node: m.node }));
  const all: [string, string][] = [
    ...columns,
    ['cpuModel', 'cpu_model'],
    ['cores', 'cores'],
    ['node', 'node_version'],
  ];
  writeFileSync(
    path,
    stringify(records, { header: true, columns: all.map(([key, header]) => ({ key, header })) }),
  );
}

function writeCsv(path: string, rows: readonly BenchRow[]): void {
  writeRowsCsv(path, rows, [
    ['benchmark', 'benchmark'],
    ['nodes', 'nodes'],
    ['initPods', 'init_pods'],
    ['pods', 'pods'],
    ['workers', 'workers'],
    ['unit', 'unit'],
    ['median', 'median'],
    ['min', 'min'],
    ['max', 'max'],
    ['iqr', 'iqr'],
    ['runs', 'runs'],
    ['floor', 'kube_scheduler_floor'],
    ['ratio', 'ratio_to_floor'],
  ]);
}

/** Quick-mode counts for the full-replay rows (the replay adds store, kubelets and log per pod). */
function replayCounts(c: ShapeCounts, quick: boolean): ShapeCounts {
  if (!quick) return c;
  return { ...c, measurePods: Math.min(c.measurePods, 200) };
}

/** One worker-scaling row (parallel.csv). */
export interface SpeedupRow {
  readonly benchmark: string;
  readonly nodes: number | '';
  readonly pods: number | '';
  /** As asked: a number or 'auto'. */
  readonly workers: number | 'auto';
  /** What `auto` resolved to on this machine (the number itself otherwise). */
  readonly resolved: number;
  readonly unit: string;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly iqr: number;
  readonly runs: number;
  /** median ÷ the 1-worker median of the same benchmark. */
  readonly speedup: number;
  /** Whether this worker count decided exactly what 1 worker decided ('' where not checked). */
  readonly sameDecisions: 'yes' | 'no' | '';
}

function writeSpeedupCsv(path: string, rows: readonly SpeedupRow[]): void {
  writeRowsCsv(path, rows, [
    ['benchmark', 'benchmark'],
    ['nodes', 'nodes'],
    ['pods', 'pods'],
    ['workers', 'workers'],
    ['resolved', 'resolved_workers'],
    ['unit', 'unit'],
    ['median', 'median'],
    ['min', 'min'],
    ['max', 'max'],
    ['iqr', 'iqr'],
    ['runs', 'runs'],
    ['speedup', 'speedup_vs_1'],
    ['sameDecisions', 'same_decisions'],
  ]);
}

/**
 * Runs every configuration `runs` times in rounds (one fresh child per configuration per round, in
 * order), so that a slow spell of a shared host falls on all of them alike instead of on whichever
 * configuration happened to run then: the speedup columns compare like with like. Returns one row per
 * configuration with the rates of all its runs; `decisions` is the digest every run agreed on, or
 * `differs` when two runs of one configuration decided differently.
 */
async function interleaved<K>(
  configs: readonly K[],
  runs: number,
  spec: (config: K) => ChildSpec,
): Promise<ChildRow[]> {
  const rows: (ChildRow & { rates: number[] })[] = [];
  for (let r = 0; r < runs; r++) {
    for (let k = 0; k < configs.length; k++) {
      const [got] = await runChild(spec(configs[k]!));
      const prev = rows[k];
      if (!prev) rows[k] = { ...got!, rates: [...got!.rates] };
      else {
        prev.rates.push(...got!.rates);
        if (prev.decisions !== got!.decisions) rows[k] = { ...prev, decisions: 'differs' };
      }
    }
  }
  return rows;
}

/**
 * Worker scaling: speculative batches on the exhaustive-scoring and anti-affinity shapes (1, 2, 4
 * evaluators and `auto`), and the compare sweep over the worker pool; writes parallel.csv.
 */
async function runSpeedup(opts: BenchOptions): Promise<SpeedupRow[]> {
  const log = opts.log ?? (() => {});
  const only = (opts.only ?? []).map((s) => s.toLowerCase());
  const wanted = (name: string): boolean => only.length === 0 || only.some((o) => name.includes(o));
  const runs = opts.runs ?? (opts.quick ? 3 : 5);
  const counts = opts.workers ?? [1, 2, 4];
  const rows: SpeedupRow[] = [];
  const path = join(opts.outDir, 'parallel.csv');
  const push = (
    r: ChildRow,
    base: { median: number; decisions?: string },
    extra: { nodes: number | ''; pods: number | ''; workers: number | 'auto'; resolved: number },
  ): void => {
    const s = summarize(r.rates);
    const row: SpeedupRow = {
      benchmark: r.benchmark,
      ...extra,
      unit: r.unit,
      median: round(s.median),
      min: round(s.min),
      max: round(s.max),
      iqr: round(s.iqr),
      runs: s.runs,
      speedup: Math.round((s.median / base.median) * 100) / 100,
      sameDecisions: base.decisions === undefined ? '' : base.decisions === r.decisions ? 'yes' : 'no',
    };
    rows.push(row);
    writeSpeedupCsv(path, rows);
    log(
      `${row.benchmark} workers=${row.workers}${row.workers === 'auto' ? `(${row.resolved})` : ''}: ` +
        `${row.median} ${row.unit} (${row.min}–${row.max}), ×${row.speedup} vs 1` +
        (row.sameDecisions ? `, same decisions: ${row.sameDecisions}` : ''),
    );
  };
  for (const shape of SPEEDUP_SHAPES) {
    if ((opts.quick && shape.fullOnly) || !wanted(shape.name)) continue;
    const pods = opts.quick ? shape.pods.quick : shape.pods.full;
    let base: { median: number; decisions?: string } | undefined;
    const configs = [...counts, 'auto' as const];
    const resolvedOf = (w: number | 'auto'): number => (w === 'auto' ? autoWorkers(shape) : w);
    const results = await interleaved(configs, runs, (w) => ({
      kernel: 'speculative',
      shape: shape.name,
      workers: resolvedOf(w),
      pods,
      runs: 1,
    }));
    configs.forEach((w, k) => {
      const r = results[k]!;
      base ??= { median: summarize(r.rates).median, ...(r.decisions ? { decisions: r.decisions } : {}) };
      push(r, base, { nodes: shape.nodes, pods, workers: w, resolved: resolvedOf(w) });
    });
  }
  if (!opts.coreOnly && wanted('sweep')) {
    const cores = machine().cores;
    // Child processes (the default) always; worker threads too in full mode, for comparison.
    for (const isolation of opts.quick ? (['processes'] as const) : (['processes', 'threads'] as const)) {
      let base: { median: number } | undefined;
      const sweepCounts = opts.workers ?? (opts.quick ? [1, 2] : [1, 2, 4]);
      const configs = [...sweepCounts, 'auto' as const];
      const results = await interleaved(configs, opts.runs ?? (opts.quick ? 1 : runs), (w) => ({
        kernel: 'sweep',
        workers: w,
        quick: opts.quick,
        runs: 1,
        isolation,
      }));
      configs.forEach((w, k) => {
        const r = results[k]!;
        base ??= { median: summarize(r.rates).median };
        push(r, base, {
          nodes: 1213,
          pods: '',
          workers: w,
          resolved: resolveWorkers(w, 24, { wholeReplays: true, cores }),
        });
      });
    }
  }
  if (!opts.coreOnly && wanted('ceiling')) {
    // One piece of work alone, then two at once in two processes: jobs/s summed over the pair.
    for (const work of ['integer', 'allocation'] as const satisfies readonly CeilingWork[]) {
      const alone: number[] = [];
      const pair: number[] = [];
      for (let r = 0; r < runs; r++) {
        alone.push((await runChild({ kernel: 'ceiling', work }))[0]!.rates[0]!);
        const two = await Promise.all([
          runChild({ kernel: 'ceiling', work }),
          runChild({ kernel: 'ceiling', work }),
        ]);
        pair.push(two[0][0]!.rates[0]! + two[1][0]!.rates[0]!);
      }
      const base = { median: summarize(alone).median };
      const benchmark = `${CEILING_NAMES[work]} (processes)`;
      push({ benchmark, unit: 'jobs/s', rates: alone }, base, {
        nodes: '',
        pods: '',
        workers: 1,
        resolved: 1,
      });
      push({ benchmark, unit: 'jobs/s', rates: pair }, base, {
        nodes: '',
        pods: '',
        workers: 2,
        resolved: 2,
      });
    }
  }
  return rows;
}

/** Runs the suite; returns the rows written. */
export async function runBench(
  opts: BenchOptions,
): Promise<{ sim: BenchRow[]; shapes: BenchRow[]; speedup: SpeedupRow[] }> {
  const log = opts.log ?? (() => {});
  const runs = 5;
  mkdirSync(opts.outDir, { recursive: true });
  const sim: BenchRow[] = [];
  for (const kernel of ['sim-queue', 'sim-log'] as const) {
    for (const r of await runChild({ kernel, runs: opts.quick ? 10 : 30 })) {
      const row = toRow(r, undefined, undefined);
      sim.push(row);
      log(`${row.benchmark}: ${row.median} ${row.unit} (${row.min}–${row.max})`);
    }
  }
  writeCsv(join(opts.outDir, 'sim.csv'), sim);
  const shapes: BenchRow[] = [];
  const only = (opts.only ?? []).map((s) => s.toLowerCase());
  for (const shape of SHAPES) {
    if (only.length > 0 && !only.some((o) => shape.name.toLowerCase().includes(o))) continue;
    const counts = opts.quick ? shape.quick : shape.full;
    const modes: ['core' | 'replay', ShapeCounts][] = [['core', counts]];
    if (!opts.coreOnly) modes.push(['replay', replayCounts(counts, opts.quick)]);
    for (const [kernel, c] of modes) {
      for (const r of await runChild({ kernel, shape: shape.name, counts: c, runs, batched: opts.quick })) {
        const row = toRow(r, c, shape.floor);
        shapes.push(row);
        log(
          `${row.benchmark}: ${row.median} decisions/s (${row.min}–${row.max}), floor ${shape.floor}, ×${row.ratio}` +
            ` [${c.nodes} nodes, ${c.initPods} init, ${c.measurePods} pods; ${r.placed} placed]`,
        );
        writeCsv(join(opts.outDir, 'scheduler-perf.csv'), shapes);
      }
    }
  }
  const speedup = await runSpeedup(opts);
  return { sim, shapes, speedup };
}
