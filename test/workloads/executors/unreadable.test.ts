import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { QueueExecutor } from '../../../workloads/executors/queue.js';
import { UnreadableInputError } from '../../../workloads/executors/inputs.js';
import { CellFailedError } from '../../../workloads/pool/run-cells.js';
import { redisConnection } from '../../../workloads/executors/connection.js';
import { parsePolicy } from '../../../workloads/replay/policy.js';
import { runCompare } from '../../../workloads/sweep/compare.js';
import { dropQueue, queueName, REDIS, spawnWorker, TRACE, tmp, testWithRedis } from './helpers.js';

const maybe = await testWithRedis();

const cells = (trace: string, ex: QueueExecutor, outDir = tmp()) =>
  runCompare({
    traces: [{ trace }],
    policies: [parsePolicy('default-scheduler'), parsePolicy('most-allocated')],
    seeds: ['1'],
    workers: 1,
    outDir,
    executor: ex,
  });

maybe('a trace the submitter cannot read fails before anything is queued, naming the file', async (t) => {
  const queue = queueName();
  const ex = new QueueExecutor({ redis: REDIS, queue });
  try {
    const err = await t.throwsAsync(cells('no/such/trace.ndjson', ex), { instanceOf: UnreadableInputError });
    t.regex(
      err!.message,
      /^no\/such\/trace\.ndjson: cannot read on the submitting machine \(no such file or directory\)/,
    );
    const q = new Queue(queue, { connection: redisConnection(REDIS) });
    t.is(await q.count(), 0);
    await q.close();
  } finally {
    await ex.close();
    await dropQueue(queue);
  }
});

maybe('a trace a worker cannot read fails its cells fast, each reported with the error', async (t) => {
  const queue = queueName();
  const dir = tmp();
  const trace = join(dir, 'vanishing.ndjson');
  copyFileSync(TRACE, trace);
  const ex = new QueueExecutor({ redis: REDIS, queue });
  const w = spawnWorker(queue, {});
  try {
    // The worker starts only after the cells are queued and the trace is gone.
    w.proc.kill('SIGSTOP');
    const q = new Queue(queue, { connection: redisConnection(REDIS) });
    const run = cells(trace, ex);
    while ((await q.count()) < 2) await new Promise((r) => setTimeout(r, 50));
    await q.close();
    rmSync(trace);
    w.proc.kill('SIGCONT');
    const err = await t.throwsAsync(run, { instanceOf: CellFailedError });
    t.regex(err!.message, /^2 of 2 cells failed/);
    t.regex(
      err!.message,
      /run default-scheduler on vanishing with seed 1 failed: .*vanishing\.ndjson: cannot read on worker [^ ]+ \(no such file or directory\)/,
    );
    t.regex(err!.message, /run most-allocated on vanishing with seed 1 failed: /);
    t.is(w.events.filter((e) => e.event === 'failed').length, 2);
  } finally {
    w.proc.kill('SIGCONT');
    await ex.close();
    await w.stop();
    await dropQueue(queue);
  }
});
