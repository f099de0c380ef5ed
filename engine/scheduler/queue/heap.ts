/**
 * A binary heap over items with a caller's strict order `less` and an insertion serial as the final
 * tie-break, so the pop order never depends on heap layout. Items are found by key for O(log n) removal.
 */
export interface HeapItem {
  /** Unique key (pod `namespace/name`). */
  readonly key: string;
  /** Insertion serial: the tie-break when `less` says neither item goes first. */
  serial: number;
}

/** Keyed binary min-heap; `less(a, b)` true when `a` must come out before `b`. */
export class KeyedHeap<T extends HeapItem> {
  readonly #items: T[] = [];
  readonly #pos = new Map<string, number>();
  readonly #less: (a: T, b: T) => boolean;

  constructor(less: (a: T, b: T) => boolean) {
    this.#less = less;
  }

  /** Number of items. */
  get size(): number {
    return this.#items.length;
  }

  /** Whether an item with this key is held. */
  has(key: string): boolean {
    return this.#pos.has(key);
  }

  /** The item with this key. */
  get(key: string): T | undefined {
    const i = this.#pos.get(key);
    return i === undefined ? undefined : this.#items[i];
  }

  /** The first item without removing it. */
  peek(): T | undefined {
    return this.#items[0];
  }

  /** Items in heap (not pop) order. */
  values(): readonly T[] {
    return this.#items;
  }

  /** Adds an item (replacing one with the same key). */
  push(item: T): void {
    if (this.#pos.has(item.key)) this.delete(item.key);
    this.#items.push(item);
    this.#pos.set(item.key, this.#items.length - 1);
    this.#up(this.#items.length - 1);
  }

  /** Removes and returns the first item. */
  pop(): T | undefined {
    const first = this.#items[0];
    if (first === undefined) return undefined;
    this.#removeAt(0);
    return first;
  }

  /** Removes the item with this key; returns it. */
  delete(key: string): T | undefined {
    const i = this.#pos.get(key);
    if (i === undefined) return undefined;
    const item = this.#items[i]!;
    this.#removeAt(i);
    return item;
  }

  #before(a: T, b: T): boolean {
    if (this.#less(a, b)) return true;
    if (this.#less(b, a)) return false;
    return a.serial < b.serial;
  }

  #removeAt(i: number): void {
    const a = this.#items;
    const last = a.pop()!;
    this.#pos.delete(a.length === i ? last.key : a[i]!.key);
    if (i === a.length) return;
    a[i] = last;
    this.#pos.set(last.key, i);
    this.#down(i);
    this.#up(i);
  }

  #up(i: number): void {
    const a = this.#items;
    const item = a[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#before(item, a[p]!)) break;
      a[i] = a[p]!;
      this.#pos.set(a[i]!.key, i);
      i = p;
    }
    a[i] = item;
    this.#pos.set(item.key, i);
  }

  #down(i: number): void {
    const a = this.#items;
    const n = a.length;
    const item = a[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.#before(a[c + 1]!, a[c]!)) c++;
      if (!this.#before(a[c]!, item)) break;
      a[i] = a[c]!;
      this.#pos.set(a[i]!.key, i);
      i = c;
    }
    a[i] = item;
    this.#pos.set(item.key, i);
  }
}
