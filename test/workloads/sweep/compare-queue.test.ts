import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QueueExecutor } from '../../../workloads/executors/queue.js';
import { parsePolicy } from '../../../workloads/replay/policy.js';
import { runCompareInto } from '../../../workloads/sweep/compare.js';
import { dropQueue, queueName, REDIS, spawnWorker, TRACE, tmp, testWithRedis } from '../executors/helpers.js';

const maybe = await testWithRedis();

maybe(
  'a rerun into the same --out reuses the cells recorded in .cells, with their reports, even once Redis forgot them',
  async (t) => {
    const queue = queueName();
    const worker = spawnWorker(queue);
    const ex = new QueueExecutor({ redis: REDIS, queue });
    const out = join(tmp(), 'cmp');
    const run = () =>
      runCompareInto({
        traces: [{ trace: TRACE }],
        policies: ['default-scheduler', 'most-allocated'].map(parsePolicy),
        seeds: ['1', '2'],
        workers: 1,
        outDir: out,
        executor: ex,
      });
    try {
      await worker.waitFor('ready');
      await run();
      t.deepEqual(ex.stats, { executed: 4, reused: 0 });
      const csv = readFileSync(join(out, 'compare.csv'), 'utf8');
      await dropQueue(queue);
      await run();
      t.deepEqual(ex.stats, { executed: 0, reused: 4 });
      t.is(readFileSync(join(out, 'compare.csv'), 'utf8'), csv);
      t.deepEqual(readdirSync(join(out, 'runs')).sort(), [
        'default-scheduler--small--seed1',
        'default-scheduler--small--seed2',
        'most-allocated--small--seed1',
        'most-allocated--small--seed2',
      ]);
      t.deepEqual(readdirSync(join(out, 'runs', 'most-allocated--small--seed2')).sort(), [
        'attempts.csv',
        'controlplane.csv',
        'events.ndjson.gz',
        'nodes.csv',
        'pods.csv',
        'report.html',
        'summary.csv',
        'timeseries.csv',
      ]);
      t.deepEqual(readdirSync(out).sort(), ['.cells', 'compare.csv', 'report.html', 'runs', 'timing.csv']);
    } finally {
      await ex.close();
      await worker.stop();
      await dropQueue(queue);
    }
  },
);
