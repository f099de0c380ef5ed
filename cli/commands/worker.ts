import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
// The executors load bullmq and ioredis (a third of the CLI's start-up): imported only when used.
import type { QueueExecutor } from '../../workloads/executors/queue.js';
import type { WorkerEvent } from '../../workloads/executors/worker.js';
import { DEFAULT_LOCK, DEFAULT_QUEUE } from '../../workloads/executors/protocol.js';

/** The executor flags shared by `compare` and `experiment fill`. */
export interface ExecutorFlags {
  executor?: string;
  redis?: string;
  queue?: string;
}

/** Adds `--executor local|queue`, `--redis URL` and `--queue NAME` to a sweep command. */
export function addExecutorOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--executor <kind>', 'where cells run: local worker processes, or a BullMQ queue')
        .choices(['local', 'queue'])
        .default('local'),
    )
    .option('--redis <url>', 'Redis of the queue executor, e.g. redis://redis:6379')
    .option('--queue <name>', 'BullMQ queue name (workers must use the same)', DEFAULT_QUEUE);
}

/**
 * The queue executor when `--executor queue` (requires `--redis`); undefined for `local`, so the
 * command keeps its own `--workers` pool.
 */
export async function executorFromFlags(flags: ExecutorFlags): Promise<QueueExecutor | undefined> {
  if ((flags.executor ?? 'local') === 'local') {
    if (flags.redis) throw new UsageError('--redis needs --executor queue');
    return undefined;
  }
  if (!flags.redis) throw new UsageError('--executor queue needs --redis redis://host:6379');
  const { QueueExecutor } = await import('../../workloads/executors/queue.js');
  return new QueueExecutor({ redis: flags.redis, ...(flags.queue ? { queue: flags.queue } : {}) });
}

interface WorkerFlags {
  redis?: string;
  queue: string;
  concurrency: string;
  results?: string;
  lockDuration: string;
  stalledInterval: string;
  exitWhenIdle?: string;
  json: boolean;
}

function positiveInt(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} ${JSON.stringify(text)} is not a positive integer`);
  return n;
}

function describe(e: WorkerEvent): string {
  switch (e.event) {
    case 'ready':
      return `worker ${e.worker} waiting for cells on queue ${e.queue}`;
    case 'start':
      return `start ${e.label}`;
    case 'done':
      return `done  ${e.label} (${e.wallSeconds.toFixed(2)} s)`;
    case 'failed':
      return `FAILED ${e.label}: ${e.error}`;
  }
}

/** `kreplay worker`: runs sweep cells from a Redis queue until stopped (SIGTERM finishes running cells). */
export function register(program: Command): void {
  program
    .command('worker')
    .description('run compare / experiment fill cells from a BullMQ queue (the --executor queue side)')
    .option('--redis <url>', 'Redis holding the queue, e.g. redis://redis:6379')
    .option('--queue <name>', 'BullMQ queue name', DEFAULT_QUEUE)
    .option('--concurrency <n>', 'cells at once, each on its own thread', '1')
    .option('--results <dir>', "shared folder for cells' report files (default: inline in the job result)")
    .option(
      '--lock-duration <ms>',
      "job lock; a killed worker's cell re-runs after about this",
      String(DEFAULT_LOCK.lockDurationMs),
    )
    .option(
      '--stalled-interval <ms>',
      'how often to look for cells of dead workers',
      String(DEFAULT_LOCK.stalledIntervalMs),
    )
    .option('--exit-when-idle <seconds>', 'exit once the queue has been empty this long (batch Jobs)')
    .option('--json', 'log one JSON object per line on stdout', false)
    .addHelpText(
      'after',
      `
Example:
  kreplay worker --redis redis://redis:6379 --concurrency 4 --results /shared/cells
  kreplay compare --trace /shared/trace.ndjson --policies default-scheduler,most-allocated \\
    --seeds 1..5 --executor queue --redis redis://redis:6379 --out /shared/cmp
`,
    )
    .action(async (flags: WorkerFlags) => {
      if (!flags.redis) throw new UsageError('--redis is required (e.g. redis://redis:6379)');
      const log = (e: WorkerEvent): void => {
        if (flags.json) process.stdout.write(`${JSON.stringify(e)}\n`);
        else process.stderr.write(`${describe(e)}\n`);
      };
      const { startWorker } = await import('../../workloads/executors/worker.js');
      const w = await startWorker({
        redis: flags.redis,
        queue: flags.queue,
        concurrency: positiveInt('--concurrency', flags.concurrency),
        ...(flags.results ? { resultsDir: flags.results } : {}),
        lock: {
          lockDurationMs: positiveInt('--lock-duration', flags.lockDuration),
          stalledIntervalMs: positiveInt('--stalled-interval', flags.stalledInterval),
        },
        ...(flags.exitWhenIdle
          ? { exitWhenIdleMs: positiveInt('--exit-when-idle', flags.exitWhenIdle) * 1000 }
          : {}),
        log,
      });
      let signals = 0;
      const onSignal = (): void => {
        // First signal: finish running cells. Second: leave now; their locks expire and they re-run elsewhere.
        if (++signals > 1) process.exit(130);
        void w.close();
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      await w.stopped;
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    });
}
