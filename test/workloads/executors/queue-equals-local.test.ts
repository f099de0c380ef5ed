import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { QueueExecutor } from '../../../workloads/executors/queue.js';
import { compareCsv, dropQueue, queueName, REDIS, spawnWorker, sweep, testWithRedis } from './helpers.js';

const maybe = await testWithRedis();

maybe(
  '3 policies × 2 seeds through 2 worker processes: compare.csv byte-identical to a local run; a resubmission reuses every cell',
  async (t) => {
    const queue = queueName();
    const workers = [spawnWorker(queue), spawnWorker(queue)];
    const ex = new QueueExecutor({ redis: REDIS, queue });
    try {
      await Promise.all(workers.map((w) => w.waitFor('ready')));
      const [local, remote] = await Promise.all([sweep(), sweep(ex)]);
      t.is(compareCsv(remote), compareCsv(local));
      t.deepEqual(ex.stats, { executed: 6, reused: 0 });
      const done = () => workers.flatMap((w) => w.events).filter((e) => e.event === 'done').length;
      t.is(done(), 6);
      // Every cell's report folder arrived with its files.
      t.true(existsSync(join(remote, 'runs', 'most-allocated--small--seed2', 'events.ndjson.gz')));
      t.true(existsSync(join(remote, 'runs', 'most-allocated--small--seed2', 'report.html')));

      // Same folder: every cell is recorded as finished; nothing reaches the queue.
      await sweep(ex, remote);
      t.deepEqual(ex.stats, { executed: 0, reused: 6 });
      // A new folder: the cells' results are still in Redis under the same keys; none re-runs.
      const fresh = await sweep(ex);
      t.deepEqual(ex.stats, { executed: 0, reused: 6 });
      t.is(compareCsv(fresh), compareCsv(local));
      t.is(done(), 6);
    } finally {
      await ex.close();
      await Promise.all(workers.map((w) => w.stop()));
      await dropQueue(queue);
    }
  },
);
