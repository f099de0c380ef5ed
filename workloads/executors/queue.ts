/**
 * The `queue` executor, submit side: one BullMQ job per cell (job id = cell key), results awaited
 * through QueueEvents, report files written into the cell's local folder, and a record per finished
 * cell in `stateDir` so a re-run skips it.
 */
import { access, copyFile, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Queue, QueueEvents, type Job } from 'bullmq';
import { CellFailedError } from '../pool/run-cells.js';
import { cellInputPaths, hashInputs } from './inputs.js';
import { redisConnection, readyWithin } from './connection.js';
import {
  DEFAULT_QUEUE,
  PROTOCOL_VERSION,
  cellKey,
  decodeValue,
  type CellJobData,
  type CellJobResult,
  type CellKind,
  type CellKinds,
} from './protocol.js';
import type { Executor, ExecutorRunOptions, ExecutorStats } from './types.js';
import { makeDirs } from '../../engine/files/make-dirs.js';

/** Options of the queue executor (the `--redis` and `--queue` flags). */
export interface QueueExecutorOptions {
  readonly redis: string;
  readonly queue?: string;
  /** How long finished and failed jobs stay in Redis for reuse (default 7 days). */
  readonly keepSeconds?: number;
  readonly connectTimeoutMs?: number;
}

/** A finished cell as recorded in `stateDir/<key>.json`. */
interface CellRecord {
  readonly protocol: typeof PROTOCOL_VERSION;
  readonly key: string;
  readonly label: string;
  readonly result: string;
}

interface Cell<T> {
  readonly task: T;
  readonly key: string;
  readonly label: string;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

/** Puts a compare cell's returned report files into its folder, each file replaced atomically. */
async function materialize(outDir: string, r: CellJobResult): Promise<void> {
  makeDirs(outDir);
  const staging = await mkdtemp(join(outDir, '.kreplay-tmp-'));
  try {
    if (r.files) {
      for (const f of r.files) await writeFile(join(staging, f.name), Buffer.from(f.base64, 'base64'));
    } else if (r.resultsDir) {
      let names: string[];
      try {
        names = (await readdir(r.resultsDir, { withFileTypes: true }))
          .filter((e) => e.isFile() && !e.name.startsWith('.'))
          .map((e) => e.name);
      } catch {
        throw new CellFailedError(
          `${r.resultsDir}: worker ${r.worker} wrote this cell's reports there, but it is not readable here; mount the --results folder at the same path on the submitting machine`,
        );
      }
      for (const n of names) await copyFile(join(r.resultsDir, n), join(staging, n));
    }
    for (const n of (await readdir(staging)).sort()) await rename(join(staging, n), join(outDir, n));
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Runs cells on `kreplay worker` processes anywhere, through a BullMQ queue in Redis. */
export class QueueExecutor implements Executor {
  readonly name = 'queue' as const;
  readonly #o: QueueExecutorOptions;
  readonly #queueName: string;
  #queue: Queue<CellJobData, CellJobResult> | undefined;
  #events: QueueEvents | undefined;
  #stats: ExecutorStats = { executed: 0, reused: 0 };

  constructor(o: QueueExecutorOptions) {
    redisConnection(o.redis); // validates the URL now
    this.#o = o;
    this.#queueName = o.queue ?? DEFAULT_QUEUE;
  }

  get stats(): ExecutorStats {
    return this.#stats;
  }

  async #connect(): Promise<{ queue: Queue<CellJobData, CellJobResult>; events: QueueEvents }> {
    if (this.#queue && this.#events) return { queue: this.#queue, events: this.#events };
    const connection = redisConnection(this.#o.redis);
    const queue = new Queue<CellJobData, CellJobResult>(this.#queueName, { connection });
    const events = new QueueEvents(this.#queueName, { connection });
    // Connection errors surface through readyWithin; without listeners they would crash the process.
    queue.on('error', () => {});
    events.on('error', () => {});
    this.#queue = queue;
    this.#events = events;
    const timeout = this.#o.connectTimeoutMs ?? 15_000;
    await readyWithin(Promise.all([queue.waitUntilReady(), events.waitUntilReady()]), this.#o.redis, timeout);
    return { queue, events };
  }

  async run<K extends CellKind>(
    kind: K,
    tasks: readonly CellKinds[K]['task'][],
    opts: ExecutorRunOptions<CellKinds[K]['task']>,
  ): Promise<CellKinds[K]['result'][]> {
    type R = CellKinds[K]['result'];
    // Hash every input first: a missing or unreadable trace fails here, before anything is queued.
    const cells: Cell<CellKinds[K]['task']>[] = [];
    const hashesOf = new Map<string, Record<string, string>>();
    for (const task of tasks) {
      const inputs = await hashInputs(cellInputPaths(kind, task), 'on the submitting machine');
      const key = cellKey(kind, task, inputs);
      hashesOf.set(key, { ...inputs });
      cells.push({ task, key, label: opts.describe(task) });
    }
    const results = new Array<R | undefined>(cells.length);
    const failures: string[] = [];
    let done = 0;
    let executed = 0;
    let reused = 0;
    const tick = (): void => opts.onDone?.(++done, cells.length);
    const outDirOf = (c: Cell<CellKinds[K]['task']>): string | undefined =>
      kind === 'compare' ? (c.task as CellKinds['compare']['task']).outDir : undefined;

    // Cells recorded as finished by an earlier run, with their reports still in place, are reused.
    const pending: number[] = [];
    for (let i = 0; i < cells.length; i++) {
      const c = cells[i]!;
      const recPath = opts.stateDir ? join(opts.stateDir, `${c.key}.json`) : undefined;
      const outDir = outDirOf(c);
      if (recPath && (await exists(recPath)) && (!outDir || (await exists(join(outDir, 'report.html'))))) {
        const rec = JSON.parse(await readFile(recPath, 'utf8')) as CellRecord;
        if (rec.protocol === PROTOCOL_VERSION && rec.key === c.key) {
          results[i] = decodeValue<R>(rec.result);
          reused++;
          tick();
          continue;
        }
      }
      pending.push(i);
    }
    if (pending.length > 0) {
      const { queue, events } = await this.#connect();
      if (opts.stateDir) makeDirs(opts.stateDir);
      await new Promise<void>((resolveAll) => {
        const byKey = new Map(pending.map((i) => [cells[i]!.key, i]));
        const settled = new Set<string>();
        let left = pending.length;
        const finish = (key: string): void => {
          settled.add(key);
          tick();
          if (--left === 0) {
            events.off('completed', onCompleted);
            events.off('failed', onFailed);
            resolveAll();
          }
        };
        const succeed = async (key: string, value: CellJobResult, ran: boolean): Promise<void> => {
          const i = byKey.get(key);
          if (i === undefined || settled.has(key)) return;
          settled.add(key);
          const c = cells[i]!;
          try {
            const r = typeof value === 'string' ? (JSON.parse(value) as CellJobResult) : value;
            const outDir = outDirOf(c);
            if (outDir) await materialize(outDir, r);
            results[i] = decodeValue<R>(r.result);
            if (opts.stateDir) {
              const rec: CellRecord = { protocol: PROTOCOL_VERSION, key, label: c.label, result: r.result };
              await writeAtomic(join(opts.stateDir, `${key}.json`), JSON.stringify(rec));
            }
            if (ran) executed++;
            else reused++;
          } catch (err) {
            failures.push(`${c.label} failed: ${err instanceof Error ? err.message : String(err)}`);
          }
          settled.delete(key);
          finish(key);
        };
        const fail = (key: string, reason: string): void => {
          const i = byKey.get(key);
          if (i === undefined || settled.has(key)) return;
          failures.push(`${cells[i]!.label} failed: ${reason}`);
          finish(key);
        };
        const onCompleted = ({ jobId, returnvalue }: { jobId: string; returnvalue: unknown }): void =>
          void succeed(jobId, returnvalue as CellJobResult, true);
        const onFailed = ({ jobId, failedReason }: { jobId: string; failedReason: string }): void =>
          fail(jobId, failedReason);
        events.on('completed', onCompleted);
        events.on('failed', onFailed);
        void (async () => {
          const keep = this.#o.keepSeconds ?? 7 * 24 * 3600;
          const jobs = await queue.addBulk(
            pending.map((i) => {
              const c = cells[i]!;
              const data = {
                protocol: PROTOCOL_VERSION,
                kind,
                key: c.key,
                label: c.label,
                task: c.task,
                inputs: hashesOf.get(c.key)!,
              } as CellJobData;
              return {
                name: kind,
                data,
                opts: {
                  jobId: c.key,
                  attempts: 1,
                  removeOnComplete: { age: keep },
                  removeOnFail: { age: keep },
                },
              };
            }),
          );
          // A job id that already existed keeps its old state: finished ones are reused, failed
          // ones (a fixed input, a resubmission) are retried.
          for (const j of jobs as Job<CellJobData, CellJobResult>[]) {
            const key = j.id!;
            const job = await queue.getJob(key);
            if (!job) continue;
            const state = await job.getState();
            if (state === 'completed') await succeed(key, job.returnvalue, false);
            else if (state === 'failed') await job.retry('failed');
          }
        })().catch((err: unknown) => {
          for (const i of pending) fail(cells[i]!.key, err instanceof Error ? err.message : String(err));
        });
      });
    }
    this.#stats = { executed, reused };
    if (failures.length > 0)
      throw new CellFailedError(
        `${failures.length} of ${cells.length} cells failed (finished cells are kept; fix and re-run to run only these):\n  ${failures.join('\n  ')}`,
      );
    return results as R[];
  }

  async close(): Promise<void> {
    await this.#events?.close();
    await this.#queue?.close();
  }
}
