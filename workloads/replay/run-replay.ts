import { basename, resolve } from 'node:path';
import { InputError } from '../../engine/api/errors.js';
import { openTrace, type OpenTraceOptions } from '../../traces/detect.js';
import { ClusterReplay } from '../../engine/cluster/replay.js';
import { EVENT } from '../../engine/cluster/events.js';
import { LogFileWriter } from '../../engine/sim/log-file.js';
import { ReportFold } from '../../reports/fold.js';
import type { RunReport, RunTrailer } from '../../reports/types.js';
import { writeRunOutputs } from '../../reports/index.js';
import { RUN_REPORT_FILES } from '../../reports/run.js';
import type { PolicySpec } from './policy.js';
import { loadPolicy } from './policy.js';
import { StagedOutput } from './staging.js';
import type { SchedulerOptions } from '../../engine/scheduler/scheduler.js';
import {
  chooseWorkers,
  DEFAULT_BATCH_SIZE,
  ParallelScheduler,
} from '../../engine/scheduler/parallel/index.js';

/** One replay: inputs × policy × seed, and where its reports go. */
export interface ReplayJob {
  readonly inputs: OpenTraceOptions;
  readonly policy: PolicySpec;
  readonly seed: string;
  /** Stop at this virtual time (µs); default: when nothing but retries is left. */
  readonly untilUs?: number;
  readonly bucketSeconds?: number;
  /** Write `events.ndjson.gz`, the CSVs and `report.html` here (all-or-nothing). */
  readonly outDir?: string;
  /** Kubelet start-up latency (µs), default 1 s. */
  readonly startupLatencyUs?: number;
  /** Scheduler worker threads (`--workers`): results are identical for any value. Default 1. */
  readonly workers?: 'auto' | number;
}

/** Progress of a replay: virtual time reached and events handled. */
export type ReplayProgress = (virtualUs: number, events: number) => void;

/**
 * A short description of the inputs, for `run.start` and reports: the files' base names, so that
 * the event log (and its hash) does not depend on where the trace lies on disk.
 */
export function describeInputs(i: OpenTraceOptions): string {
  const parts = [
    i.trace,
    i.nodes,
    i.pods,
    ...(typeof i.manifests === 'string' ? [i.manifests] : (i.manifests ?? [])),
  ];
  return parts
    .filter((p): p is string => !!p)
    .map((p) => basename(p))
    .join(' + ');
}

/** The files a replay writes into its output folder. */
const OUTPUT_FILES = ['events.ndjson.gz', ...RUN_REPORT_FILES];

/**
 * Fails (exit 2) when a report would land on one of the replay's own input files (e.g. `--out` the
 * folder of a pods.csv): the input would be replaced by the report of its own run.
 */
export function refuseOverwritingInputs(inputs: OpenTraceOptions, outDir: string): void {
  const manifests = typeof inputs.manifests === 'string' ? [inputs.manifests] : (inputs.manifests ?? []);
  const targets = new Set(OUTPUT_FILES.map((f) => resolve(outDir, f)));
  for (const input of [inputs.trace, inputs.nodes, inputs.pods, ...manifests]) {
    if (input === undefined || !targets.has(resolve(input))) continue;
    throw new InputError(
      input,
      undefined,
      undefined,
      `--out ${outDir} would replace this input with the report of the same name; write the reports elsewhere`,
      'OUTPUT_OVER_INPUT',
    );
  }
}

/**
 * Runs one replay end to end: opens the trace, replays it through a ClusterReplay, folds the log
 * into reports live and (with `outDir`) writes them with the event log. Deterministic except for
 * the wall-clock facts, which live in the log trailer.
 */
export async function runReplay(job: ReplayJob, progress?: ReplayProgress): Promise<RunReport> {
  const config = loadPolicy(job.policy);
  if (job.outDir) refuseOverwritingInputs(job.inputs, job.outDir);
  const opened = await openTrace(job.inputs);
  // The output folder is checked before any worker thread starts, so a bad --out cannot leave a pool behind.
  const out = job.outDir ? new StagedOutput(job.outDir) : undefined;
  const workers = chooseWorkers({
    requested: job.workers ?? 1,
    config,
    nodes: 0,
    batchSize: DEFAULT_BATCH_SIZE,
  });
  let parallel: ParallelScheduler | undefined;
  let writer: LogFileWriter | undefined;
  try {
    const replay = new ClusterReplay({
      seed: job.seed,
      config,
      policy: job.policy.name,
      trace: describeInputs(job.inputs),
      ...(job.bucketSeconds !== undefined ? { bucketSeconds: job.bucketSeconds } : {}),
      ...(job.startupLatencyUs !== undefined ? { kubelet: { startupLatencyUs: job.startupLatencyUs } } : {}),
      ...(workers > 1
        ? { makeScheduler: (o: SchedulerOptions) => (parallel = new ParallelScheduler({ ...o, workers })) }
        : {}),
      // --on-invalid skip also skips the calls the API server refuses (a name created twice), counted
      // with the reader's skips and logged with them after the run.
      ...(job.inputs.onInvalid === 'skip'
        ? {
            onRefusedInput: (err: InputError) => {
              const reason = `refused by the API server (${err.code})`;
              opened.loss.skipped[reason] = (opened.loss.skipped[reason] ?? 0) + 1;
            },
          }
        : {}),
    });
    const fold = new ReportFold();
    replay.sim.log.listenEntries((e) => fold.consume(e));
    writer = out ? new LogFileWriter(out.path('events.ndjson.gz')) : undefined;
    if (writer) replay.sim.log.listen(writer.listener);
    await parallel?.start();
    const t0 = process.hrtime.bigint();
    await replay.run(opened.records, job.untilUs ?? Infinity, progress);
    for (const [reason, count] of Object.entries(opened.loss.skipped)) {
      replay.sim.log.append(EVENT.INPUT_SKIP, { file: opened.format, line: 0, message: reason, count });
    }
    replay.end();
    const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const trailer: RunTrailer = {
      wallSeconds,
      eventLogSha256: replay.sim.log.hash,
      events: replay.sim.log.seq,
    };
    const report = fold.finish(trailer);
    if (out && writer) {
      writer.close({ ...trailer });
      await writeRunOutputs(out.staging, report);
      out.commit();
    }
    return report;
  } catch (err) {
    writer?.abort();
    out?.abort();
    throw err;
  } finally {
    await parallel?.close();
  }
}
