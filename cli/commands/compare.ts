import type { Command } from 'commander';
import { join } from 'node:path';
import { addTraceInputOptions, traceInputsFromOptions, type TraceInputFlags } from '../trace-inputs.js';
import { parseSeeds, parseUntil, parseWorkers, parseBucket } from '../options.js';
import { createProgress } from '../progress.js';
import { UsageError } from '../errors.js';
import { formatSummaryTable } from '../summary-table.js';
import { parsePolicyOption, type PolicySpec } from '../../workloads/replay/policy.js';
import { resolveWorkers } from '../../workloads/pool/run-cells.js';
import { runCompareInto } from '../../workloads/sweep/compare.js';
import type { CompareRun } from '../../reports/index.js';
import type { OpenTraceOptions } from '../../traces/detect.js';
import type { Executor } from '../../workloads/executors/types.js';
import { executorFromFlags, addExecutorOptions, type ExecutorFlags } from './worker.js';

interface CompareFlags extends TraceInputFlags, ExecutorFlags {
  policies?: string;
  seeds: string;
  workers?: string;
  until?: string;
  bucket?: string;
  out?: string;
  progress: boolean;
}

/** `--pods a.csv,b.csv` / `--trace x,y`: one input set per listed trace. */
function splitTraces(inputs: OpenTraceOptions): OpenTraceOptions[] {
  const list = (s: string | undefined) => (s ? s.split(',').filter(Boolean) : [undefined]);
  const out: OpenTraceOptions[] = [];
  for (const trace of list(inputs.trace))
    for (const pods of list(inputs.pods))
      out.push({ ...inputs, ...(trace ? { trace } : {}), ...(pods ? { pods } : {}) });
  return out;
}

/**
 * Each policy once, under its canonical name (`bestfit` and `gpu-bestfit` are one policy, reported as
 * `gpu-bestfit`); two different configuration files of one base name are refused, as their runs and
 * rows would be merged under that name.
 */
export function canonicalPolicies(specs: readonly PolicySpec[]): PolicySpec[] {
  const byName = new Map<string, PolicySpec>();
  for (const p of specs) {
    const other = byName.get(p.name);
    if (other === undefined) byName.set(p.name, p);
    else if (other.source !== p.source)
      throw new UsageError(
        `--policies: ${p.source} and ${other.source} are both named "${p.name}" in the reports; give the files different names`,
      );
  }
  return [...byName.values()];
}

/** Shared by `compare` and the demo: runs the sweep, writes outputs, prints the table. */
export async function compareAndReport(opts: {
  traces: OpenTraceOptions[];
  policies: string[];
  seeds: string[];
  workers: 'auto' | number;
  outDir: string;
  untilUs?: number;
  bucketSeconds?: number;
  progress: boolean;
  /** Where cells run; default: the local worker-thread pool. */
  executor?: Executor;
}): Promise<CompareRun[]> {
  const policies = canonicalPolicies(opts.policies.map((p) => parsePolicyOption(p, '--policies')));
  const cells = opts.traces.length * policies.length * opts.seeds.length;
  const workers = resolveWorkers(opts.workers, cells, { wholeReplays: true });
  const bar = createProgress('compare', cells, 'runs', opts.progress);
  const runs = await runCompareInto({
    traces: opts.traces,
    policies,
    seeds: opts.seeds,
    workers,
    outDir: opts.outDir,
    ...(opts.executor ? { executor: opts.executor } : {}),
    ...(opts.untilUs !== undefined ? { untilUs: opts.untilUs } : {}),
    ...(opts.bucketSeconds !== undefined ? { bucketSeconds: opts.bucketSeconds } : {}),
    onProgress: (done) => bar.update(done),
  }).finally(() => bar.stop());
  process.stdout.write(
    formatSummaryTable(
      runs.map((r) => ({ name: `${r.policy} (${r.trace}, seed ${r.seed})`, summary: r.summary })),
    ),
  );
  process.stdout.write(`wrote ${join(opts.outDir, 'compare.csv')} and ${join(opts.outDir, 'report.html')}\n`);
  return runs;
}

/**
 * `--policies`: the comma list, each policy once in first-seen order, as `experiment fill` does (a
 * repeat would count one policy's runs twice in its means and confidence intervals).
 */
export function uniquePolicies(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

/** `kreplay compare`: policies × traces × seeds over worker processes; compare.csv and report.html. */
export function register(program: Command): void {
  const cmd = program
    .command('compare')
    .description('compare scheduler policies on traces over seeds (runs spread over worker processes)');
  addExecutorOptions(addTraceInputOptions(cmd))
    .option('--policies <list>', 'comma list of presets or KubeSchedulerConfiguration .yaml files')
    .option('--seeds <seeds>', 'a..b or a comma list', '1')
    .option('--workers <n>', 'auto or N worker processes (results are identical for any value)', 'auto')
    .option('--until <duration>', 'stop each run at this virtual time, e.g. 36h')
    .option(
      '--bucket <seconds>',
      'width of the time-series buckets in reports (doubled until the run fits in 2,000 buckets)',
      '60',
    )
    .option(
      '--out <dir>',
      'output folder (compare.csv, timing.csv, report.html, runs/): replaced as a whole once every run succeeded',
    )
    .option('--no-progress', 'no progress bar on stderr')
    .addHelpText(
      'after',
      `
Example:
  kreplay compare --nodes traces/samples/openb/openb_node_list_gpu_node.csv \\
    --pods traces/samples/openb/openb_pod_list_default.csv \\
    --policies default-scheduler,most-allocated --seeds 1..3 --out reports/cmp
  # the same cells on \`kreplay worker\` processes anywhere (docs/distributed.md):
  kreplay compare --trace shared/trace.ndjson --policies default-scheduler,most-allocated \\
    --seeds 1..3 --executor queue --redis redis://redis:6379 --out reports/cmp
`,
    )
    .action(async (flags: CompareFlags) => {
      if (!flags.policies)
        throw new UsageError('--policies is required (e.g. default-scheduler,most-allocated)');
      if (!flags.out) throw new UsageError('--out is required');
      const bucketSeconds = parseBucket(flags.bucket);
      const untilUs = parseUntil(flags.until);
      const executor = await executorFromFlags(flags);
      await compareAndReport({
        traces: splitTraces(traceInputsFromOptions(flags)),
        policies: uniquePolicies(flags.policies),
        seeds: parseSeeds(flags.seeds),
        workers: parseWorkers(flags.workers),
        outDir: flags.out,
        bucketSeconds,
        ...(untilUs !== undefined ? { untilUs } : {}),
        progress: flags.progress,
        ...(executor ? { executor } : {}),
      }).finally(() => executor?.close());
    });
}
