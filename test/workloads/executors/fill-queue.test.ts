import { QueueExecutor } from '../../../workloads/executors/queue.js';
import { fillCsvs, runFillExperiment } from '../../../workloads/fill/index.js';
import { dropQueue, queueName, REDIS, spawnWorker, tmp, testWithRedis } from './helpers.js';

const maybe = await testWithRedis();

const base = {
  nodesPath: 'traces/samples/openb/openb_node_list_gpu_node.csv',
  podsPaths: ['traces/samples/openb/openb_pod_list_default.csv'],
  policies: ['random' as const, 'bestfit' as const, 'fgd' as const],
  seeds: [42, 43],
  maxLoad: 30,
};

maybe('experiment fill through a worker process writes the CSVs a local run writes', async (t) => {
  const queue = queueName();
  const w = spawnWorker(queue);
  const ex = new QueueExecutor({ redis: REDIS, queue });
  try {
    await w.waitFor('ready');
    const stateDir = tmp();
    const [local, remote] = await Promise.all([
      runFillExperiment({ ...base, workers: 1 }),
      runFillExperiment({ ...base, executor: ex, stateDir }),
    ]);
    t.deepEqual(fillCsvs(remote), fillCsvs(local));
    t.deepEqual(ex.stats, { executed: 6, reused: 0 });
    const again = await runFillExperiment({ ...base, executor: ex, stateDir });
    t.deepEqual(fillCsvs(again), fillCsvs(local));
    t.deepEqual(ex.stats, { executed: 0, reused: 6 });
  } finally {
    await ex.close();
    await w.stop();
    await dropQueue(queue);
  }
});
