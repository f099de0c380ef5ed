import type { TimeUs } from './types.js';

/** A queued simulation event: plain data so that the queue can be checkpointed. */
export interface QueuedEvent {
  readonly time: TimeUs;
  /** Lower phases run first among events at the same time (see PHASE). */
  readonly phase: number;
  /** Global insertion counter: the final tie-break, so order never depends on heap layout. */
  readonly serial: number;
  readonly type: string;
  readonly data: unknown;
}

/** Phases order same-time events the way a cluster would observe them. */
export const PHASE = {
  /** Trace input: API calls from the outside world. */
  INPUT: 0,
  /** Controllers reacting to watches. */
  CONTROLLER: 10,
  /** Kubelets starting and finishing pods. */
  KUBELET: 20,
  /** Scheduler cycles run after everything else at a time point has settled. */
  SCHEDULER: 30,
  /** Periodic sampling for reports. */
  SAMPLE: 90,
} as const;

function before(a: QueuedEvent, b: QueuedEvent): boolean {
  if (a.time !== b.time) return a.time < b.time;
  if (a.phase !== b.phase) return a.phase < b.phase;
  return a.serial < b.serial;
}

/**
 * Binary min-heap ordered by (time, phase, serial). Serials are unique, so the order is total and
 * independent of insertion history beyond the serial itself.
 */
export class EventQueue {
  #items: QueuedEvent[] = [];

  get size(): number {
    return this.#items.length;
  }

  /** The next event without removing it. */
  peek(): QueuedEvent | undefined {
    return this.#items[0];
  }

  push(ev: QueuedEvent): void {
    const a = this.#items;
    a.push(ev);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(ev, a[p]!)) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = ev;
  }

  pop(): QueuedEvent | undefined {
    const a = this.#items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      let i = 0;
      const n = a.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && before(a[r]!, a[l]!) ? r : l;
        if (!before(a[c]!, last)) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }

  /** All queued events in pop order (for checkpoints); does not modify the queue. */
  sorted(): QueuedEvent[] {
    return [...this.#items].sort((x, y) => (before(x, y) ? -1 : 1));
  }
}
