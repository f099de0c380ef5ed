/**
 * A binary min-heap of timed items ordered by (timeUs, seq). Readers use it for the deletes (and other
 * later events) that a row implies: it holds one entry per live object, never the whole trace. `seq`
 * is the push order, so ties never depend on heap layout.
 */
export class TimeHeap<T> {
  #items: { timeUs: number; seq: number; value: T }[] = [];
  #seq = 0;

  /** Number of pending items. */
  get size(): number {
    return this.#items.length;
  }

  /** Time of the earliest item, or undefined when empty. */
  peekTime(): number | undefined {
    return this.#items[0]?.timeUs;
  }

  /** Adds `value` due at `timeUs`. */
  push(timeUs: number, value: T): void {
    const items = this.#items;
    const item = { timeUs, seq: this.#seq++, value };
    let i = items.length;
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(item, items[parent]!)) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = item;
  }

  /** Removes and returns the earliest item. */
  pop(): { timeUs: number; value: T } | undefined {
    const items = this.#items;
    const top = items[0];
    if (!top) return undefined;
    const last = items.pop()!;
    if (items.length > 0) {
      let i = 0;
      const n = items.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && less(items[r]!, items[l]!) ? r : l;
        if (!less(items[c]!, last)) break;
        items[i] = items[c]!;
        i = c;
      }
      items[i] = last;
    }
    return { timeUs: top.timeUs, value: top.value };
  }
}

function less(a: { timeUs: number; seq: number }, b: { timeUs: number; seq: number }): boolean {
  return a.timeUs < b.timeUs || (a.timeUs === b.timeUs && a.seq < b.seq);
}
