import type { Pod } from '../api/types.js';
import type { QueuedPodInfo } from '../scheduler/framework/index.js';
import { ParallelScheduler } from '../scheduler/parallel/index.js';
import type { SchedulingQueue } from '../scheduler/queue/index.js';
import type { Scheduler } from '../scheduler/scheduler.js';

/**
 * The next `k` pods the active queue would pop, in pop order (QueueSort `less`, then the queue's
 * serial), without popping them. Costs one queue snapshot (O(queue)); exactness never depends on it:
 * a pod popped in another order simply finds no speculation and is scheduled sequentially.
 */
export function peekActive(
  queue: SchedulingQueue,
  less: (a: QueuedPodInfo, b: QueuedPodInfo) => boolean,
  k: number,
): Pod[] {
  if (k <= 0 || queue.activeLength === 0) return [];
  const active = queue.snapshot().entries.filter((e) => e.where === 'active');
  const before = (a: (typeof active)[number], b: (typeof active)[number]): number =>
    less(a, b) ? -1 : less(b, a) ? 1 : a.serial - b.serial;
  // Partial selection: k is small next to the queue.
  const top: (typeof active)[number][] = [];
  for (const e of active) {
    if (top.length === k && before(e, top[k - 1]!) >= 0) continue;
    let i = top.length < k ? top.length : k - 1;
    top[i] = e;
    while (i > 0 && before(top[i]!, top[i - 1]!) < 0) {
      const t = top[i - 1]!;
      top[i - 1] = top[i]!;
      top[i] = t;
      i--;
    }
  }
  return top.map((e) => e.pod);
}

/**
 * The driver hook: call right after `queue.pop(now)` returned `popped`, before `core.scheduleOne`.
 * When `core` is a speculating ParallelScheduler and `popped` has no speculation yet, it evaluates
 * `popped` and the next batchSize − 1 pods of the active queue on the workers. Pops, binds and
 * failures stay exactly where the sequential driver does them.
 */
export function speculateAhead(
  core: Scheduler,
  queue: SchedulingQueue,
  less: (a: QueuedPodInfo, b: QueuedPodInfo) => boolean,
  popped: Pod,
): void {
  if (!(core instanceof ParallelScheduler) || !core.speculative || core.hasSpeculation(popped)) return;
  core.prepareBatch([popped, ...peekActive(queue, less, core.batchSize - 1)]);
}
