/** Shared by the executor tests: a Redis probe (tests skip without one), worker children, a sweep. */
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { redisConnection } from '../../../workloads/executors/connection.js';
import { parsePolicy } from '../../../workloads/replay/policy.js';
import { runCompare } from '../../../workloads/sweep/compare.js';
import { writeCompareOutputs } from '../../../workloads/sweep/outputs.js';
import type { Executor } from '../../../workloads/executors/types.js';

/** The test Redis (`.ci/run` starts one on 6390). */
export const REDIS = process.env['KREPLAY_TEST_REDIS'] ?? 'redis://127.0.0.1:6390';
export const TRACE = 'test/fixtures/replay/small.ndjson';
export const POLICIES = ['default-scheduler', 'most-allocated', 'balanced'];
export const SEEDS = ['1', '2'];

/** Why Redis cannot be used, or undefined when it answers PING within a second. */
/** ava's `test`, or `test.skip` when no Redis answers (saying why once, in the test file's output). */
export async function testWithRedis(): Promise<typeof test | typeof test.skip> {
  const problem = await redisProblem();
  if (problem) console.log(`executor tests skipped: ${problem}`);
  return problem ? test.skip : test;
}

export function redisProblem(): Promise<string | undefined> {
  const u = new URL(REDIS);
  return new Promise((resolve) => {
    const s = connect({ host: u.hostname, port: Number(u.port || 6379) });
    const done = (why: string | undefined): void => {
      s.destroy();
      resolve(why);
    };
    s.setTimeout(1_000, () => done(`no answer from Redis at ${REDIS} within 1 s`));
    s.on('error', (e) =>
      done(`cannot reach Redis at ${REDIS} (${e.message}); start redis-server or set KREPLAY_TEST_REDIS`),
    );
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) =>
      done(
        d.toString().startsWith('+PONG') ? undefined : `Redis at ${REDIS} answered ${d.toString().trim()}`,
      ),
    );
  });
}

export const tmp = (): string => mkdtempSync(join(tmpdir(), 'kreplay-exec-'));
export const queueName = (): string => `kreplay-test-${randomBytes(4).toString('hex')}`;

/** A worker process; `events` collects its JSON log lines. */
export interface Child {
  readonly proc: ChildProcess;
  readonly events: Array<{ event: string; key?: string; label?: string; error?: string }>;
  /** Resolves at the first event of this kind. */
  waitFor(event: string): Promise<void>;
  stop(): Promise<void>;
}

/** Spawns `node --import tsx worker-child.ts` on `queue`. */
export function spawnWorker(queue: string, env: Record<string, string> = {}): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/workloads/executors/worker-child.ts'], {
    env: { ...process.env, KREPLAY_TEST_REDIS: REDIS, QUEUE: queue, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const events: Child['events'] = [];
  const waiters: Array<{ event: string; resolve: () => void }> = [];
  let buf = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      const e = JSON.parse(line) as Child['events'][number];
      events.push(e);
      for (const w of waiters.filter((x) => x.event === e.event)) w.resolve();
    }
  });
  const exited = new Promise<void>((r) => proc.on('exit', () => r()));
  return {
    proc,
    events,
    waitFor: (event) =>
      events.some((e) => e.event === event)
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ event, resolve })),
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** Runs the 3 × 2 sweep into a new folder (or `out`), writes its outputs, returns the folder. */
export async function sweep(executor?: Executor, out = tmp()): Promise<string> {
  const runs = await runCompare({
    traces: [{ trace: TRACE }],
    policies: POLICIES.map(parsePolicy),
    seeds: SEEDS,
    workers: 1,
    outDir: out,
    ...(executor ? { executor } : {}),
  });
  await writeCompareOutputs(out, runs);
  return out;
}

export const compareCsv = (dir: string): string => readFileSync(join(dir, 'compare.csv'), 'utf8');

/** Deletes a test queue and its keys. */
export async function dropQueue(name: string): Promise<void> {
  const q = new Queue(name, { connection: redisConnection(REDIS) });
  await q.obliterate({ force: true }).catch(() => {});
  await q.close();
}
