import { QueueExecutor } from '../../../workloads/executors/queue.js';
import { compareCsv, dropQueue, queueName, REDIS, spawnWorker, sweep, testWithRedis } from './helpers.js';

const maybe = await testWithRedis();

maybe(
  'a worker killed mid-cell loses nothing: its cell re-runs on another worker once its lock expires',
  async (t) => {
    const queue = queueName();
    // A takes a cell and holds its lock without finishing it.
    const a = spawnWorker(queue, { HOLD_MS: '120000' });
    const ex = new QueueExecutor({ redis: REDIS, queue });
    let b: ReturnType<typeof spawnWorker> | undefined;
    try {
      await a.waitFor('ready');
      const remote = sweep(ex);
      await a.waitFor('start');
      a.proc.kill('SIGKILL');
      b = spawnWorker(queue);
      const [local, out] = await Promise.all([sweep(), remote]);
      t.is(compareCsv(out), compareCsv(local));
      t.deepEqual(
        a.events.filter((e) => e.event !== 'ready').map((e) => e.event),
        ['start'],
      );
      // B ran all six cells, the killed one included.
      t.is(b.events.filter((e) => e.event === 'done').length, 6);
      t.deepEqual(ex.stats, { executed: 6, reused: 0 });
    } finally {
      await ex.close();
      await a.stop();
      await b?.stop();
      await dropQueue(queue);
    }
  },
);
