/**
 * The queue consumer: `kreplay worker` takes cells from BullMQ, runs each on a worker thread (so the
 * event loop stays free to renew the job's lock), and returns the cell's result and report files.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { cellInputPaths, hashInputs } from './inputs.js';
import { redisConnection, readyWithin } from './connection.js';
import {
  DEFAULT_LOCK,
  DEFAULT_QUEUE,
  PROTOCOL_VERSION,
  encodeValue,
  type CellJobData,
  type CellJobResult,
  type InlineFile,
  type LockSettings,
} from './protocol.js';
import type { ThreadTask } from './thread.js';
import { makeDirs } from '../../engine/files/make-dirs.js';

/** A line of the worker's log: one per cell started, finished or failed. */
export type WorkerEvent =
  | { readonly event: 'ready'; readonly worker: string; readonly queue: string }
  | { readonly event: 'start'; readonly key: string; readonly label: string }
  | { readonly event: 'done'; readonly key: string; readonly label: string; readonly wallSeconds: number }
  | { readonly event: 'failed'; readonly key: string; readonly label: string; readonly error: string };

/** Options of {@link startWorker} (the flags of `kreplay worker`). */
export interface WorkerOptions {
  /** `redis://host:6379`. */
  readonly redis: string;
  readonly queue?: string;
  /** Cells run at once, each on its own thread (default 1). */
  readonly concurrency?: number;
  /**
   * A folder shared with the submitter: compare cells write their reports to `<results>/<key>/`
   * and return only that path. Without it, report files travel inline in the job's return value.
   */
  readonly resultsDir?: string;
  readonly lock?: Partial<LockSettings>;
  /** Exit once the queue has been empty this long (Indexed Jobs, batch machines); default: never. */
  readonly exitWhenIdleMs?: number;
  readonly log?: (e: WorkerEvent) => void;
  /** Test seam: awaited after a cell's inputs are checked, before it runs (holding the job's lock). */
  readonly beforeCell?: (data: CellJobData) => Promise<void>;
}

/** A started worker. */
export interface RunningWorker {
  /** `host:pid`. */
  readonly id: string;
  /** Resolves when the worker has stopped (closed, or idle past exitWhenIdleMs). */
  readonly stopped: Promise<void>;
  /** Stops taking cells and waits for the running ones (force: abandons them; they re-run elsewhere). */
  close(force?: boolean): Promise<void>;
}

function threadUrl(): URL {
  return new URL(`./thread${extname(fileURLToPath(import.meta.url))}`, import.meta.url);
}

async function inlineFiles(dir: string): Promise<InlineFile[]> {
  const out: InlineFile[] = [];
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!e.isFile() || e.name.startsWith('.')) continue;
    out.push({ name: e.name, base64: (await readFile(join(dir, e.name))).toString('base64') });
  }
  return out;
}

/** Starts consuming cells; resolves once connected to Redis. */
export async function startWorker(o: WorkerOptions): Promise<RunningWorker> {
  const concurrency = o.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError('options.concurrency must be a positive integer');
  const lock = { ...DEFAULT_LOCK, ...o.lock };
  const queue = o.queue ?? DEFAULT_QUEUE;
  const id = `${hostname()}:${process.pid}`;
  const resultsDir = o.resultsDir ? resolve(o.resultsDir) : undefined;
  if (resultsDir) makeDirs(resultsDir);
  const log = o.log ?? (() => {});
  const pool = new Piscina<ThreadTask, unknown>({
    filename: threadUrl().href,
    minThreads: concurrency,
    maxThreads: concurrency,
    idleTimeout: 60_000,
  });

  const process_ = async (job: Job<CellJobData, CellJobResult>): Promise<CellJobResult> => {
    const data = job.data;
    if (data.protocol !== PROTOCOL_VERSION)
      throw new UnrecoverableError(
        `cell ${data.key} has protocol ${String(data.protocol)}, this worker speaks ${PROTOCOL_VERSION}: run the same kreplay version on both sides`,
      );
    log({ event: 'start', key: data.key, label: data.label });
    const t0 = performance.now();
    try {
      const hashes = await hashInputs(cellInputPaths(data.kind, data.task), `on worker ${id}`);
      for (const [path, sha] of Object.entries(data.inputs)) {
        if (hashes[path] !== sha)
          throw new UnrecoverableError(
            `${path}: differs on worker ${id} from the submitter's copy (sha256 ${String(hashes[path]).slice(0, 12)}… vs ${sha.slice(0, 12)}…)`,
          );
      }
      await o.beforeCell?.(data);
      let result: CellJobResult;
      if (data.kind === 'compare') {
        const dir = resultsDir ? join(resultsDir, data.key) : await mkdtemp(join(tmpdir(), 'kreplay-cell-'));
        try {
          const r = await pool.run({ kind: 'compare', task: { ...data.task, outDir: dir } });
          result = {
            protocol: PROTOCOL_VERSION,
            key: data.key,
            result: encodeValue(r),
            ...(resultsDir ? { resultsDir: dir } : { files: await inlineFiles(dir) }),
            worker: id,
            wallSeconds: (performance.now() - t0) / 1000,
          };
        } finally {
          if (!resultsDir) await rm(dir, { recursive: true, force: true });
        }
      } else {
        const r = await pool.run({ kind: 'fill', task: data.task });
        result = {
          protocol: PROTOCOL_VERSION,
          key: data.key,
          result: encodeValue(r),
          worker: id,
          wallSeconds: (performance.now() - t0) / 1000,
        };
      }
      log({ event: 'done', key: data.key, label: data.label, wallSeconds: result.wallSeconds });
      return result;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log({ event: 'failed', key: data.key, label: data.label, error: message });
      // Cells are deterministic: a cell that threw once throws again, so it is not retried.
      throw err instanceof UnrecoverableError ? err : new UnrecoverableError(message);
    }
  };

  const worker = new Worker<CellJobData, CellJobResult>(queue, process_, {
    connection: redisConnection(o.redis),
    concurrency,
    lockDuration: lock.lockDurationMs,
    stalledInterval: lock.stalledIntervalMs,
    maxStalledCount: lock.maxStalledCount,
  });
  let lastError: unknown;
  worker.on('error', (err) => {
    lastError = err;
  });
  let stop!: () => void;
  const stopped = new Promise<void>((r) => (stop = r));
  let closing: Promise<void> | undefined;
  const close = (force = false): Promise<void> =>
    (closing ??= (async () => {
      await worker.close(force);
      await pool.destroy();
      stop();
    })());
  try {
    await readyWithin(worker.waitUntilReady(), o.redis, 15_000);
  } catch (err) {
    await close(true);
    throw lastError instanceof Error ? Object.assign(err as Error, { cause: lastError }) : err;
  }
  if (o.exitWhenIdleMs !== undefined) {
    let idle: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(idle);
      idle = setTimeout(() => void close(), o.exitWhenIdleMs);
    };
    worker.on('drained', arm);
    worker.on('active', () => clearTimeout(idle));
    arm();
  }
  log({ event: 'ready', worker: id, queue });
  return { id, stopped, close };
}
