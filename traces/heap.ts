/**
 * A binary min-heap of timed items ordered by (timeUs, seq). Readers use it for the deletes (and other
 * later events) that a row implies: it holds one entry per live object, never the whole trace. `seq`
 * is the push order, so ties never depend on heap layout. Times and sequence numbers live in arrays of
 * their own (numbers side by side in memory), not in one object per item: a sift then compares without
 * chasing a pointer per level, which is most of its cost on a heap of many thousands.
 */
export class TimeHeap<T> {
  readonly #times: number[] = [];
  readonly #seqs: number[] = [];
  readonly #values: T[] = [];
  #seq = 0;

  /** Number of pending items. */
  get size(): number {
    return this.#times.length;
  }

  /** Time of the earliest item, or undefined when empty. */
  peekTime(): number | undefined {
    return this.#times[0];
  }

  /** Adds `value` due at `timeUs`. */
  push(timeUs: number, value: T): void {
    const times = this.#times;
    const seqs = this.#seqs;
    const values = this.#values;
    const seq = this.#seq++;
    let i = times.length;
    times.push(timeUs);
    seqs.push(seq);
    values.push(value);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent]!;
      // Pushed last, so its seq is above every other: ties never move it up.
      if (timeUs >= pt) break;
      times[i] = pt;
      seqs[i] = seqs[parent]!;
      values[i] = values[parent]!;
      i = parent;
    }
    times[i] = timeUs;
    seqs[i] = seq;
    values[i] = value;
  }

  /** Removes and returns the earliest item. */
  pop(): { timeUs: number; value: T } | undefined {
    const times = this.#times;
    const seqs = this.#seqs;
    const values = this.#values;
    const n = times.length - 1;
    if (n < 0) return undefined;
    const top = { timeUs: times[0]!, value: values[0]! };
    const lastTime = times.pop()!;
    const lastSeq = seqs.pop()!;
    const lastValue = values.pop()!;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && (times[r]! < times[l]! || (times[r] === times[l] && seqs[r]! < seqs[l]!)) ? r : l;
        const ct = times[c]!;
        if (ct > lastTime || (ct === lastTime && seqs[c]! > lastSeq)) break;
        times[i] = ct;
        seqs[i] = seqs[c]!;
        values[i] = values[c]!;
        i = c;
      }
      times[i] = lastTime;
      seqs[i] = lastSeq;
      values[i] = lastValue;
    }
    return top;
  }
}
