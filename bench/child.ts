/**
 * One benchmark kernel per process (so JIT state and heap of one kernel never colour another's):
 * `node dist/bench/child.js '<json spec>'` prints one JSON line `{ rows: ChildRow[] }`.
 */
import { createHash } from 'node:crypto';
import { benchLog, benchQueue } from './sim.js';
import { runCore, runFullReplay, type SchedulingSample } from './scheduling.js';
import { shapeByName, type ShapeCounts } from './shapes.js';
import { SPEEDUP_SHAPES, speculativeRun, sweepRun } from './speedup.js';
import { CEILING_NAMES, ceilingWork, type CeilingWork } from './ceiling.js';
import type { CellIsolation } from '../workloads/pool/run-cells.js';

/** What the parent asks a child to run. */
export type ChildSpec =
  | { readonly kernel: 'sim-queue' | 'sim-log'; readonly runs: number }
  | {
      readonly kernel: 'core' | 'replay';
      readonly shape: string;
      readonly counts: ShapeCounts;
      readonly runs: number;
      /** True: one setup, `runs` consecutive batches of the measured pods; false: `runs` fresh runs. */
      readonly batched: boolean;
    }
  | {
      readonly kernel: 'speculative';
      readonly shape: string;
      /** Evaluating threads (1 = the sequential Scheduler). */
      readonly workers: number;
      readonly pods: number;
      readonly runs: number;
    }
  | {
      readonly kernel: 'sweep';
      readonly workers: number | 'auto';
      readonly quick: boolean;
      readonly runs: number;
      /** Where the cells run (default child processes). */
      readonly isolation?: CellIsolation;
    }
  | { readonly kernel: 'ceiling'; readonly work: CeilingWork };

/** One benchmark's samples, as a child reports them. */
export interface ChildRow {
  readonly benchmark: string;
  readonly unit: 'ops/s' | 'decisions/s' | 'cells/s' | 'jobs/s';
  readonly rates: number[];
  readonly attempts?: number;
  readonly placed?: number;
  /** sha256 of the decisions (speculative kernel): equal for every worker count. */
  readonly decisions?: string;
}

async function main(spec: ChildSpec): Promise<ChildRow[]> {
  switch (spec.kernel) {
    case 'sim-queue':
      return (await benchQueue(spec.runs)).map((k) => ({ benchmark: k.name, unit: 'ops/s', rates: k.rates }));
    case 'sim-log':
      return (await benchLog(spec.runs)).map((k) => ({ benchmark: k.name, unit: 'ops/s', rates: k.rates }));
    case 'speculative': {
      const shape = SPEEDUP_SHAPES.find((s) => s.name === spec.shape);
      if (!shape) throw new Error(`unknown speedup shape ${spec.shape}`);
      const rates: number[] = [];
      let decisions = '';
      for (let r = 0; r < spec.runs; r++) {
        const run = await speculativeRun(shape, spec.workers, spec.pods);
        rates.push(run.rate);
        decisions = createHash('sha256').update(run.decisions.join('\n')).digest('hex');
      }
      return [{ benchmark: `${shape.name} (speculative batches)`, unit: 'decisions/s', rates, decisions }];
    }
    case 'sweep': {
      const rates: number[] = [];
      const isolation = spec.isolation ?? 'processes';
      for (let r = 0; r < spec.runs; r++) rates.push(await sweepRun(spec.workers, spec.quick, isolation));
      return [{ benchmark: `compare sweep (6 policies x 4 seeds) on ${isolation}`, unit: 'cells/s', rates }];
    }
    case 'ceiling': {
      // One piece of work; the parent times this process (and a twin) from outside.
      const t0 = performance.now();
      const check = ceilingWork(spec.work);
      return [
        {
          benchmark: CEILING_NAMES[spec.work],
          unit: 'jobs/s',
          rates: [1000 / (performance.now() - t0)],
          attempts: check,
        },
      ];
    }
    case 'core':
    case 'replay': {
      const shape = shapeByName(spec.shape);
      const samples: SchedulingSample[] = [];
      const run = async (seed: string, batches: number): Promise<SchedulingSample[]> =>
        spec.kernel === 'core'
          ? runCore(shape, spec.counts, seed, batches)
          : await runFullReplay(shape, spec.counts, seed, batches);
      // One unmeasured pass first, as tinybench warms up a task: the measured runs compare the
      // steady state (JIT-compiled cycles) with scheduler_perf's, not V8's start-up.
      await run('bench-warmup', 1);
      if (spec.batched) samples.push(...(await run('bench', spec.runs)));
      // A different tie-break seed per run: same workload, independent repetitions.
      else for (let r = 0; r < spec.runs; r++) samples.push(...(await run(`bench-${r}`, 1)));
      return [
        {
          benchmark: `${shape.name} (${spec.kernel === 'core' ? 'core only' : 'full replay'})`,
          unit: 'decisions/s',
          rates: samples.map((s) => s.attempts / s.seconds),
          attempts: samples.reduce((a, s) => a + s.attempts, 0),
          placed: samples.reduce((a, s) => a + s.placed, 0),
        },
      ];
    }
  }
}

const spec = JSON.parse(process.argv[2] ?? '{}') as ChildSpec;
main(spec).then(
  (rows) => process.stdout.write(`${JSON.stringify({ rows })}\n`),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
