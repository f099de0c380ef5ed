import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { KreplayError } from '../../engine/api/errors.js';

/**
 * A cell threw, or its worker died while running it. The message names the cell
 * (`run fgd on small with seed 2 failed: …`) wherever it ran; `cause` is the cell's own error when
 * it ran on this thread.
 */
export class CellFailedError extends KreplayError {
  constructor(message: string, options?: ErrorOptions) {
    super('CELL_FAILED', message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/**
 * The worker entry `name` next to `moduleUrl`, with that module's extension (`.ts` when running
 * under tsx, `.js` from dist/), so one code path serves tests and the built CLI.
 */
export function siblingWorkerUrl(moduleUrl: string, name: string): URL {
  const ext = extname(fileURLToPath(moduleUrl));
  return new URL(`./${name}${ext}`, moduleUrl);
}

/** How to run a list of independent cells. */
export interface RunCellsOptions<T, R> {
  readonly tasks: readonly T[];
  /** Worker threads; 1 runs every cell on this thread with `runLocal`. */
  readonly workers: number;
  readonly workerUrl: URL;
  readonly runLocal: (task: T) => Promise<R>;
  /** Names a cell in error messages. */
  readonly describe: (task: T) => string;
  readonly onDone?: (done: number, total: number) => void;
  /**
   * Where pooled cells run: `processes` (default; child processes, each with its own heap and V8
   * helper threads — see docs/parallel.md for why they scale better here) or `threads` (piscina).
   */
  readonly isolation?: CellIsolation;
}

/** Where pooled cells run. */
export type CellIsolation = 'processes' | 'threads';

/**
 * Fewest cores at which `auto` runs whole replays (compare cells) side by side. Measured on 2 vCPUs: one
 * replay already keeps ~1.4 cores busy (V8's GC and compiler threads), so 2 child processes gave
 * 0.93–1.11× one; on 16 cores 4 gave 3.2× (docs/parallel.md). Light cells (the fill experiment's) gain
 * on 2 cores too (1.88×).
 */
export const AUTO_MIN_CORES_FOR_REPLAYS = 4;

/** What {@link resolveWorkers} sizes `auto` by. */
export interface ResolveWorkersOptions {
  /** The cells are whole replays (compare), which do not pay below {@link AUTO_MIN_CORES_FOR_REPLAYS} cores. */
  readonly wholeReplays?: boolean;
  /** Cores to count on (default: `availableParallelism()`). */
  readonly cores?: number;
}

/**
 * `auto` → one worker per core (one in all for whole replays below {@link AUTO_MIN_CORES_FOR_REPLAYS}
 * cores), capped by the number of cells; a number is taken as it is, also capped by the cells.
 */
export function resolveWorkers(
  workers: 'auto' | number,
  cells: number,
  opts: ResolveWorkersOptions = {},
): number {
  const cores = opts.cores ?? availableParallelism();
  const auto = opts.wholeReplays === true && cores < AUTO_MIN_CORES_FOR_REPLAYS ? 1 : cores;
  const n = workers === 'auto' ? auto : workers;
  return Math.max(1, Math.min(n, cells));
}

/**
 * Runs independent, deterministic cells sequentially or over a piscina pool and returns results in
 * task order, so the output is identical whatever the worker count. A failing cell fails the whole
 * run with CellFailedError naming it, sequential or pooled (no hang: the pool is destroyed either way).
 */
export async function runCells<T, R>(opts: RunCellsOptions<T, R>): Promise<R[]> {
  let done = 0;
  const tick = (): void => opts.onDone?.(++done, opts.tasks.length);
  // One line whatever the worker count: a pooled cell's error reaches this thread as its message
  // only, so a cell run here is named the same way, its own error kept as the cause.
  const fail = (t: T, err: unknown): never => {
    if (err instanceof CellFailedError) throw err;
    const why = err instanceof Error ? err.message : String(err);
    throw new CellFailedError(`${opts.describe(t)} failed: ${why}`, { cause: err });
  };
  if (opts.workers <= 1) {
    const out: R[] = [];
    for (const t of opts.tasks) {
      out.push(await opts.runLocal(t).catch((e: unknown) => fail(t, e)));
      tick();
    }
    return out;
  }
  if ((opts.isolation ?? 'processes') === 'processes') {
    const settled = await runInProcesses(opts, tick);
    return settled.map((s, i) => (s.ok ? s.value : fail(opts.tasks[i]!, s.error)));
  }
  const pool = new Piscina<T, R>({
    filename: opts.workerUrl.href,
    minThreads: opts.workers,
    maxThreads: opts.workers,
    idleTimeout: 1_000,
  });
  try {
    // Every cell settles before the pool goes away (destroying it under running tasks makes piscina
    // throw from its message handler); the first failure in task order then fails the run.
    const settled = await Promise.allSettled(
      opts.tasks.map((t) =>
        pool.run(t).then((r) => {
          tick();
          return r;
        }),
      ),
    );
    const out: R[] = [];
    settled.forEach((s, i) => {
      if (s.status === 'rejected') fail(opts.tasks[i]!, s.reason);
      else out.push(s.value);
    });
    return out;
  } finally {
    await pool.destroy();
  }
}

type Settled<R> = { ok: true; value: R } | { ok: false; error: Error };

/**
 * Runs every cell on `workers` child processes (cell-process.ts), handing each idle child the next
 * task; resolves once every cell has settled. A child that exits while it holds a cell settles that
 * cell as failed; its share of the rest goes to the others (with none left, they fail too).
 */
function runInProcesses<T, R>(opts: RunCellsOptions<T, R>, tick: () => void): Promise<Settled<R>[]> {
  const entry = fileURLToPath(siblingWorkerUrl(import.meta.url, 'cell-process'));
  const n = opts.tasks.length;
  const settled: (Settled<R> | undefined)[] = new Array<Settled<R> | undefined>(n);
  let next = 0;
  let remaining = n;
  let alive = 0;
  return new Promise((resolve) => {
    const finish = (i: number, s: Settled<R>): void => {
      if (settled[i] !== undefined) return;
      settled[i] = s;
      remaining--;
      tick();
      if (remaining === 0) resolve(settled as Settled<R>[]);
    };
    const dispatch = (child: ChildProcess, holding: { cell: number }): void => {
      if (next < n) {
        holding.cell = next++;
        child.send({ id: holding.cell, task: opts.tasks[holding.cell] });
      } else {
        holding.cell = -1;
        child.disconnect();
      }
    };
    const children = Math.min(opts.workers, n);
    // Children that fill every core: V8's helper threads (concurrent marking, background compilers)
    // then only compete with the other children, so each runs single-threaded (docs/parallel.md).
    const execArgv =
      children >= availableParallelism() ? [...process.execArgv, '--single-threaded'] : process.execArgv;
    for (let k = 0; k < children; k++) {
      const child = fork(entry, [opts.workerUrl.href], {
        execArgv,
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      alive++;
      const holding = { cell: -1 };
      child.on('message', (m: { ready?: true; id?: number; result?: R; error?: string }) => {
        if (m.ready) return dispatch(child, holding);
        finish(
          m.id!,
          m.error === undefined ? { ok: true, value: m.result! } : { ok: false, error: new Error(m.error) },
        );
        dispatch(child, holding);
      });
      child.on('error', () => {}); // reported through 'exit'
      child.on('exit', (code, signal) => {
        alive--;
        const why = new Error(`its worker process exited (${signal ?? `code ${String(code)}`})`);
        if (holding.cell >= 0) finish(holding.cell, { ok: false, error: why });
        holding.cell = -1;
        // With no child left, whatever was never handed out cannot run.
        if (alive === 0) while (next < n) finish(next++, { ok: false, error: why });
      });
    }
  });
}
