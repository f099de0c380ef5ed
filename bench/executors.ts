/**
 * Executors benchmark: cells/s of the local worker-thread pool vs the BullMQ queue with N local
 * `kreplay worker` processes (one cell at a time each), on the same sweep; and the queue's overhead
 * per cell. Needs Redis (KREPLAY_TEST_REDIS, default redis://127.0.0.1:6390).
 *
 *   node --import tsx bench/executors.ts [--workers 2] [--seeds 1..2] [--openb | --trace file]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { QueueExecutor } from '../workloads/executors/queue.js';
import { redisConnection } from '../workloads/executors/connection.js';
import { parsePolicy } from '../workloads/replay/policy.js';
import { runCompare } from '../workloads/sweep/compare.js';
import type { OpenTraceOptions } from '../traces/detect.js';

const REDIS = process.env['KREPLAY_TEST_REDIS'] ?? 'redis://127.0.0.1:6390';
const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const workers = Number(arg('--workers', '2'));
const [a, b] = arg('--seeds', '1..2').split('..').map(Number) as [number, number];
const seeds = Array.from({ length: b - a + 1 }, (_, i) => String(a + i));
const policies = ['default-scheduler', 'most-allocated'].map(parsePolicy);
const inputs: OpenTraceOptions = process.argv.includes('--openb')
  ? {
      nodes: 'traces/samples/openb/openb_node_list_gpu_node.csv',
      pods: 'traces/samples/openb/openb_pod_list_default.csv',
      mode: 'arrival-only',
    }
  : { trace: arg('--trace', 'test/fixtures/replay/small.ndjson') };
const untilUs = process.argv.includes('--openb') ? 3600e6 : undefined;

async function sweep(executor?: QueueExecutor): Promise<{ wallS: number; cellS: number; cells: number }> {
  const t0 = performance.now();
  const runs = await runCompare({
    traces: [inputs],
    policies,
    seeds,
    workers,
    outDir: mkdtempSync(join(tmpdir(), 'kreplay-bench-exec-')),
    ...(untilUs ? { untilUs } : {}),
    ...(executor ? { executor } : {}),
  });
  const wallS = (performance.now() - t0) / 1000;
  const cellS = runs.reduce((s, r) => s + r.summary.wallSeconds, 0) / runs.length;
  return { wallS, cellS, cells: runs.length };
}

const queue = `kreplay-bench-${randomBytes(4).toString('hex')}`;
const procs = Array.from({ length: workers }, () =>
  spawn(process.execPath, ['--import', 'tsx', 'bench/executors-worker.ts'], {
    env: { ...process.env, KREPLAY_TEST_REDIS: REDIS, QUEUE: queue },
    stdio: ['ignore', 'pipe', 'inherit'],
  }),
);
await Promise.all(procs.map((p) => new Promise<void>((r) => p.stdout!.once('data', () => r()))));
const ex = new QueueExecutor({ redis: REDIS, queue });
try {
  const local = await sweep();
  const remote = await sweep(ex);
  const overheadPerCellMs = (((remote.wallS - local.wallS) * workers) / local.cells) * 1000;
  const rows = [
    ['executor', 'workers', 'cells', 'wall_s', 'cells_per_s', 'mean_cell_replay_s'],
    [
      'local',
      workers,
      local.cells,
      local.wallS.toFixed(2),
      (local.cells / local.wallS).toFixed(2),
      local.cellS.toFixed(3),
    ],
    [
      'queue',
      workers,
      remote.cells,
      remote.wallS.toFixed(2),
      (remote.cells / remote.wallS).toFixed(2),
      remote.cellS.toFixed(3),
    ],
  ];
  process.stdout.write(`${rows.map((r) => r.join(',')).join('\n')}\n`);
  process.stdout.write(
    `queue overhead: ${((remote.wallS / local.wallS - 1) * 100).toFixed(1)}% of wall time, ${overheadPerCellMs.toFixed(0)} ms per cell\n`,
  );
} finally {
  await ex.close();
  for (const p of procs) p.kill('SIGTERM');
  const q = new Queue(queue, { connection: redisConnection(REDIS) });
  await q.obliterate({ force: true });
  await q.close();
}
