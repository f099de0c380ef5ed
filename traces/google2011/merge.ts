/**
 * Merging time-ordered streams of batches into one time-ordered sequence. Each source is read a batch at
 * a time; ties go to the earlier source, so a reader decides which table comes first at equal times.
 */

/** Anything with a time. */
export interface Timed {
  readonly timeUs: number;
}

interface Cursor<T> {
  it: AsyncIterator<T[]>;
  batch: T[];
  i: number;
  done: boolean;
}

async function refill<T>(c: Cursor<T>): Promise<void> {
  while (!c.done && c.i >= c.batch.length) {
    const r = await c.it.next();
    if (r.done) c.done = true;
    else {
      c.batch = r.value;
      c.i = 0;
    }
  }
}

/**
 * Yields the items of `sources` (each a stream of batches in non-decreasing time) in non-decreasing
 * time, as batches of consecutive items; equal times keep source order. Awaits only when a source's
 * batch runs out.
 */
export async function* mergeBatches<T extends Timed>(
  sources: readonly AsyncIterable<T[]>[],
): AsyncGenerator<T[]> {
  const cursors: Cursor<T>[] = sources.map((s) => ({
    it: s[Symbol.asyncIterator](),
    batch: [],
    i: 0,
    done: false,
  }));
  try {
    for (const c of cursors) await refill(c);
    for (;;) {
      const out: T[] = [];
      // Take items until some source needs a refill (an await), then hand the batch out.
      for (;;) {
        let best: Cursor<T> | undefined;
        let bestTime = Infinity;
        for (const c of cursors) {
          if (c.done) continue;
          const t = c.batch[c.i]!.timeUs;
          if (t < bestTime) {
            bestTime = t;
            best = c;
          }
        }
        if (!best) break;
        out.push(best.batch[best.i++]!);
        if (best.i >= best.batch.length) {
          await refill(best);
          break;
        }
      }
      if (out.length > 0) yield out;
      if (cursors.every((c) => c.done)) return;
    }
  } finally {
    for (const c of cursors) if (!c.done) await c.it.return?.();
  }
}

/** Wraps a stream of single items (or an array) as a stream of batches of up to 1,024 items. */
export async function* asBatches<T>(items: AsyncIterable<T> | Iterable<T>): AsyncGenerator<T[]> {
  if (Array.isArray(items)) {
    // An array in hand: slices of it, without one await per item.
    for (let i = 0; i < items.length; i += 1024) yield (items as T[]).slice(i, i + 1024);
    return;
  }
  const buf: T[] = [];
  for await (const x of items) {
    buf.push(x);
    if (buf.length >= 1024) yield buf.splice(0);
  }
  if (buf.length > 0) yield buf;
}
