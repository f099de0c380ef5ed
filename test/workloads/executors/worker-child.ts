/**
 * A queue worker in its own process, for the executor tests: `node --import tsx worker-child.ts`.
 * Env: KREPLAY_TEST_REDIS, QUEUE, HOLD_MS (sleep holding each cell's lock before running it).
 * Logs one JSON WorkerEvent per line on stdout.
 */
import { startWorker } from '../../../workloads/executors/worker.js';

const holdMs = Number(process.env['HOLD_MS'] ?? 0);
const w = await startWorker({
  redis: process.env['KREPLAY_TEST_REDIS'] ?? 'redis://127.0.0.1:6390',
  queue: process.env['QUEUE']!,
  lock: { lockDurationMs: 2_000, stalledIntervalMs: 1_000, maxStalledCount: 2 },
  log: (e) => process.stdout.write(`${JSON.stringify(e)}\n`),
  ...(holdMs > 0 ? { beforeCell: () => new Promise<void>((r) => setTimeout(r, holdMs)) } : {}),
});
process.on('SIGTERM', () => void w.close());
await w.stopped;
