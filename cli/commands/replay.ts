import type { Command } from 'commander';
import { addTraceInputOptions, traceInputsFromOptions, type TraceInputFlags } from '../trace-inputs.js';
import { parseUntil, parseWorkers, parseBucket, parseSeed } from '../options.js';
import { createProgress } from '../progress.js';
import { parsePolicy } from '../../workloads/replay/policy.js';
import { PRESET_NAMES } from '../../engine/scheduler/index.js';
import { runReplay } from '../../workloads/replay/run-replay.js';
import { formatSummaryTable } from '../summary-table.js';
import { UsageError } from '../errors.js';

interface ReplayFlags extends TraceInputFlags {
  config?: string;
  policy?: string;
  seed: string;
  workers?: string;
  until?: string;
  out?: string;
  json?: boolean;
  progress: boolean;
  bucket?: string;
}

/** `kreplay replay`: one trace through one policy, reports to `--out`, the summary to stdout. */
export function register(program: Command): void {
  const cmd = program
    .command('replay')
    .description('replay a trace through the simulated control plane with one scheduler policy');
  addTraceInputOptions(cmd)
    .option('--config <yaml>', 'a KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1)')
    .option('--policy <preset>', `a preset: ${PRESET_NAMES.join(', ')}`)
    .option('--seed <seed>', 'run seed (all randomness derives from it)', '1')
    .option(
      '--workers <n>',
      'auto or N scheduling threads: this one plus N-1 workers (results are identical for any value)',
      'auto',
    )
    .option('--until <duration>', 'stop at this virtual time, e.g. 90s, 15m, 36h, 30d')
    .option(
      '--bucket <seconds>',
      'width of the time-series buckets in reports (doubled until the run fits in 2,000 buckets)',
      '60',
    )
    .option(
      '--out <dir>',
      'write summary.csv, pods.csv, nodes.csv, timeseries.csv, attempts.csv, controlplane.csv, events.ndjson.gz and report.html',
    )
    .option('--json', 'print the summary as one JSON object')
    .option('--no-progress', 'no progress bar on stderr')
    .addHelpText(
      'after',
      `
Example:
  kreplay replay --nodes traces/samples/openb/openb_node_list_gpu_node.csv \\
    --pods traces/samples/openb/openb_pod_list_default.csv --policy most-allocated --out reports/mine --json
`,
    )
    .action(async (flags: ReplayFlags) => {
      if (flags.config && flags.policy) throw new UsageError('pass --config or --policy, not both');
      const inputs = traceInputsFromOptions(flags);
      const seed = parseSeed(flags.seed);
      const workers = parseWorkers(flags.workers);
      const untilUs = parseUntil(flags.until);
      const bucketSeconds = parseBucket(flags.bucket);
      const policy = parsePolicy(flags.config ?? flags.policy ?? 'default-scheduler');
      const bar = createProgress(
        'replay',
        untilUs ? untilUs / 1e6 : 0,
        untilUs ? 'virtual s' : 'events',
        flags.progress,
      );
      const report = await runReplay(
        {
          inputs,
          policy,
          seed,
          bucketSeconds,
          workers,
          ...(untilUs !== undefined ? { untilUs } : {}),
          ...(flags.out ? { outDir: flags.out } : {}),
        },
        (virtualUs, events) =>
          bar.update(untilUs ? virtualUs / 1e6 : events, `t=${(virtualUs / 1e6).toFixed(0)}s`),
      ).finally(() => bar.stop());
      if (flags.json) process.stdout.write(`${JSON.stringify(report.summary)}\n`);
      else {
        process.stdout.write(formatSummaryTable([{ name: policy.name, summary: report.summary }]));
        if (flags.out) process.stdout.write(`reports: ${flags.out}/report.html\n`);
      }
    });
}
