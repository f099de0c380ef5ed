/**
 * Main side of the speculative pool: piscina hosts the threads and runs one session task per thread
 * (worker.ts); requests and answers then travel over a MessagePort per thread, with Atomics on a
 * shared control block for wake-ups, so {@link SpeculationPool.speculate} is synchronous, as the
 * simulation's scheduling cycle is.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { KreplayError } from '../../api/errors.js';
import type { SchedulerConfig } from '../framework/index.js';
import {
  CTL_LENGTH,
  CTL_REQUEST,
  CTL_RESPONSE,
  type PodSpeculation,
  type ServeTask,
  type SpeculateRequest,
  type WorkerRequest,
  type WorkerResponse,
} from './protocol.js';

/** A worker thread failed (threw, died or stopped answering): the run cannot go on. */
export class ParallelWorkerError extends KreplayError {
  constructor(message: string) {
    super('PARALLEL_WORKER_FAILED', message);
  }
}

/** How long the owner waits for one answer before declaring the worker dead (no hang). */
export const DEFAULT_ANSWER_TIMEOUT_MS = 120_000;
const WAIT_SLICE_MS = 50;
/** A cell nobody notifies: `Atomics.wait` on it is a synchronous sleep. */
const NAP = new Int32Array(new SharedArrayBuffer(4));

/** The worker entry next to this module, with this module's extension (tsx runs .ts, dist/ runs .js). */
function workerUrl(): URL {
  const ext = extname(fileURLToPath(import.meta.url));
  return new URL(`./worker${ext}`, import.meta.url);
}

interface Session {
  readonly port: MessagePort;
  readonly ctl: Int32Array;
  readonly done: Promise<unknown>;
  failure: unknown;
}

/** Options of {@link SpeculationPool.start}. */
export interface SpeculationPoolOptions {
  readonly threads: number;
  readonly config: SchedulerConfig;
  readonly answerTimeoutMs?: number;
}

/** A fixed set of speculative worker threads, each holding a replica of the owner's node index. */
export class SpeculationPool {
  readonly #pool: Piscina<ServeTask, string>;
  readonly #sessions: Session[];
  readonly #timeoutMs: number;
  #closed = false;

  private constructor(pool: Piscina<ServeTask, string>, sessions: Session[], timeoutMs: number) {
    this.#pool = pool;
    this.#sessions = sessions;
    this.#timeoutMs = timeoutMs;
  }

  /** Starts `threads` threads and one session on each; resolves once every session answers. */
  static async start(opts: SpeculationPoolOptions): Promise<SpeculationPool> {
    if (!Number.isInteger(opts.threads) || opts.threads < 1)
      throw new RangeError('options.threads must be a positive integer');
    const pool = new Piscina<ServeTask, string>({
      filename: workerUrl().href,
      minThreads: opts.threads,
      maxThreads: opts.threads,
      concurrentTasksPerWorker: 1,
      idleTimeout: 1_000,
    });
    const sessions: Session[] = [];
    for (let i = 0; i < opts.threads; i++) {
      const { port1, port2 } = new MessageChannel();
      const ctlBuf = new SharedArrayBuffer(CTL_LENGTH * 4);
      const s: Session = {
        port: port1,
        ctl: new Int32Array(ctlBuf),
        done: Promise.resolve(),
        failure: undefined,
      };
      const task: ServeTask = { port: port2, ctl: ctlBuf, config: opts.config };
      (s as { done: Promise<unknown> }).done = pool
        .run(task, { transferList: [port2] as never })
        .catch((e: unknown) => {
          s.failure = e;
        });
      sessions.push(s);
    }
    const p = new SpeculationPool(pool, sessions, opts.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS);
    // A session is up once it answers an empty request; piscina dispatches the tasks on its event loop.
    for (const s of sessions) {
      p.#post(s, {
        type: 'speculate',
        ops: [],
        lookups: { namespaceLabels: null, ownerSelectors: null },
        pods: [],
      });
      for (;;) {
        if (s.failure !== undefined) {
          await pool.destroy();
          throw new ParallelWorkerError(`speculative worker failed to start: ${String(s.failure)}`);
        }
        const m = receiveMessageOnPort(s.port);
        if (m) break;
        await new Promise((r) => setTimeout(r, 1));
      }
    }
    return p;
  }

  /** Number of threads. */
  get threads(): number {
    return this.#sessions.length;
  }

  #post(s: Session, req: WorkerRequest): void {
    s.port.postMessage(req);
    Atomics.add(s.ctl, CTL_REQUEST, 1);
    Atomics.notify(s.ctl, CTL_REQUEST);
  }

  #await(s: Session, expected: number, i: number): WorkerResponse {
    const budget = Math.ceil(this.#timeoutMs / WAIT_SLICE_MS);
    for (let slices = 0; ; slices++) {
      const got = Atomics.load(s.ctl, CTL_RESPONSE);
      if (got >= expected) break;
      if (slices >= budget)
        throw new ParallelWorkerError(
          `speculative worker ${i} did not answer within ${this.#timeoutMs} ms (crashed?)`,
        );
      Atomics.wait(s.ctl, CTL_RESPONSE, got, WAIT_SLICE_MS);
    }
    // The counter can run ahead of the port: the worker posts, then counts, but the message may
    // still be on its way to this side's queue on a loaded machine. Wait for it (1 ms naps).
    for (let waited = 0; ; waited++) {
      const m = receiveMessageOnPort(s.port);
      if (m) return m.message as WorkerResponse;
      if (waited >= this.#timeoutMs)
        throw new ParallelWorkerError(`speculative worker ${i} signalled an answer but sent none`);
      Atomics.wait(NAP, 0, 0, 1);
    }
  }

  /**
   * Sends one request per thread (`requests[i]` to thread i; threads without one get nothing) and
   * blocks until all answer. Results come back per request, in pod order. A worker error throws
   * {@link ParallelWorkerError} and closes nothing: the caller's run is over.
   */
  speculate(requests: readonly SpeculateRequest[]): PodSpeculation[][] {
    return this.post(requests).collect();
  }

  /**
   * The first half of {@link speculate}: sends the requests and returns at once, so the caller can
   * work while the threads do; `collect()` then blocks until all answer.
   */
  post(requests: readonly SpeculateRequest[]): { collect: () => PodSpeculation[][] } {
    if (this.#closed) throw new ParallelWorkerError('the speculative pool is closed');
    if (requests.length > this.#sessions.length) throw new RangeError('more requests than threads');
    const expected: number[] = [];
    requests.forEach((r, i) => {
      const s = this.#sessions[i]!;
      expected.push(Atomics.load(s.ctl, CTL_RESPONSE) + 1);
      this.#post(s, r);
    });
    const collect = (): PodSpeculation[][] =>
      requests.map((_, i) => {
        const res = this.#await(this.#sessions[i]!, expected[i]!, i);
        if (res.type === 'error')
          throw new ParallelWorkerError(`speculative worker ${i} failed: ${res.message}`);
        if (res.type !== 'result')
          throw new ParallelWorkerError(`speculative worker ${i} answered ${res.type}`);
        return res.results as PodSpeculation[];
      });
    return { collect };
  }

  /** Ends every session and the threads. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#sessions) {
      if (s.failure === undefined) this.#post(s, { type: 'close' });
    }
    await Promise.all(this.#sessions.map((s) => s.done));
    for (const s of this.#sessions) s.port.close();
    await this.#pool.destroy();
  }
}
