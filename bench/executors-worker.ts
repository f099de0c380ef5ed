/** A queue worker process for bench/executors.ts (env KREPLAY_TEST_REDIS, QUEUE); prints one line when ready. */
import { startWorker } from '../workloads/executors/worker.js';

const w = await startWorker({
  redis: process.env['KREPLAY_TEST_REDIS'] ?? 'redis://127.0.0.1:6390',
  queue: process.env['QUEUE']!,
  log: (e) => {
    if (e.event === 'ready') process.stdout.write('ready\n');
  },
});
process.on('SIGTERM', () => void w.close());
await w.stopped;
