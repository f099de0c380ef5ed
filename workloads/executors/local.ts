/** The default executor: cells on worker threads of this process (workloads/pool/run-cells.ts). */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCells } from '../pool/run-cells.js';
import { runSweepCell } from '../sweep/cell.js';
import { fillWorkerUrl } from '../fill/experiment.js';
import { runFillCell } from '../fill/cell.js';
import { InputCache } from '../fill/inputs.js';
import type { FillTask } from '../fill/protocol.js';
import type { CellKind, CellKinds } from './protocol.js';
import type { Executor, ExecutorRunOptions, ExecutorStats } from './types.js';

/** The sweep worker entry, with this module's extension (`.ts` under tsx, `.js` in dist/). */
function sweepWorkerUrl(): URL {
  return new URL(`../sweep/worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);
}

/** Runs cells over `workers` piscina threads (1: on the calling thread). */
export class LocalExecutor implements Executor {
  readonly name = 'local' as const;
  readonly #workers: number;
  #stats: ExecutorStats = { executed: 0, reused: 0 };

  constructor(workers: number) {
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError('workers must be a positive integer');
    this.#workers = workers;
  }

  get stats(): ExecutorStats {
    return this.#stats;
  }

  async run<K extends CellKind>(
    kind: K,
    tasks: readonly CellKinds[K]['task'][],
    opts: ExecutorRunOptions<CellKinds[K]['task']>,
  ): Promise<CellKinds[K]['result'][]> {
    const common = {
      workers: Math.min(this.#workers, Math.max(1, tasks.length)),
      describe: opts.describe as (t: unknown) => string,
      ...(opts.onDone ? { onDone: opts.onDone } : {}),
    };
    let out: unknown[];
    if (kind === 'compare') {
      out = await runCells({
        ...common,
        tasks: tasks as readonly CellKinds['compare']['task'][],
        workerUrl: sweepWorkerUrl(),
        runLocal: runSweepCell,
      });
    } else {
      const cache = new InputCache();
      out = await runCells({
        ...common,
        tasks: tasks as readonly FillTask[],
        workerUrl: fillWorkerUrl(),
        runLocal: async (t: FillTask) => {
          const [nodes, pods] = await Promise.all([cache.nodes(t.nodesPath), cache.pods(t.podsPath)]);
          return runFillCell({ ...t, nodes, pods });
        },
      });
    }
    this.#stats = { executed: tasks.length, reused: 0 };
    return out as CellKinds[K]['result'][];
  }

  async close(): Promise<void> {}
}
