/**
 * A stable external sort for readers whose file is not in time order: items are kept in memory, each
 * as one line of text and its key, up to a fixed number; then each full buffer is sorted and written as
 * a "run" to a temp folder, and the runs are merged back by streaming them side by side. Memory is bounded by the
 * run size and the number of runs merged at once, never by the length of the trace. A trace that fits
 * in one run never touches the disk.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLineBatches, type Line } from './input.js';

/**
 * How the lines given to {@link ExternalSorter.add} become items again, and the key of an item (which
 * must be the key the line was added with: runs are merged by it).
 */
export interface RunCodec<T> {
  /** The item of one added line. */
  decode(line: string): T;
  /** The sort key of a decoded item. */
  key(item: T): number;
}

/** Options of {@link ExternalSorter}. */
export interface ExternalSorterOptions {
  /** Items held in memory before a run is written (default 65,536). */
  readonly runItems?: number;
  /** Runs merged at once; more runs are first merged in groups of this many (default 64). */
  readonly fanIn?: number;
  /** Parent folder of the temp folder (default the OS temp folder). */
  readonly tmp?: string;
  /** Items per batch handed out by {@link ExternalSorter.sorted} (default 1024). */
  readonly batch?: number;
}

/**
 * Collects items as lines of text with their keys ({@link add}), then hands them out decoded, by
 * ascending key, equal keys in the order they were added ({@link sorted}). Temp files are removed when the sorted stream ends or is closed, or by
 * {@link dispose} when it is never read.
 */
export class ExternalSorter<T> {
  readonly #codec: RunCodec<T>;
  readonly #runItems: number;
  readonly #fanIn: number;
  readonly #tmp: string;
  readonly #batch: number;
  /** The encoded items not yet written, and their keys. */
  #lines: string[] = [];
  #keys: number[] = [];
  #dir: string | undefined;
  #runs: string[] = [];
  #files = 0;

  constructor(codec: RunCodec<T>, opts: ExternalSorterOptions = {}) {
    this.#codec = codec;
    this.#runItems = positive('runItems', opts.runItems ?? 65_536);
    this.#fanIn = positive('fanIn', opts.fanIn ?? 64);
    if (this.#fanIn < 2) throw new RangeError('options.fanIn must be at least 2');
    this.#tmp = opts.tmp ?? tmpdir();
    this.#batch = positive('batch', opts.batch ?? 1024);
  }

  /** Number of runs written to disk so far (0 while everything fits in memory). */
  get runs(): number {
    return this.#runs.length;
  }

  /**
   * Adds one item: `line` (non-empty, no `\n` or `\r`) that the codec decodes to it, and its key (a
   * finite number, `codec.key` of the decoded item). Writes a run when the buffer is full.
   */
  add(key: number, line: string): void {
    this.#keys.push(key);
    this.#lines.push(line);
    if (this.#lines.length >= this.#runItems) this.#spill();
  }

  /**
   * Every item added, by ascending key (stable), a batch at a time. Call once, after the last
   * {@link add}; the temp files are removed when the stream ends or is closed.
   */
  async *sorted(): AsyncGenerator<T[]> {
    try {
      if (this.#runs.length === 0) {
        const lines = this.#sortBuffer();
        for (let i = 0; i < lines.length; i += this.#batch) {
          const batch: T[] = [];
          for (const line of lines.slice(i, i + this.#batch)) batch.push(this.#codec.decode(line));
          yield batch;
        }
        return;
      }
      // The last, partial buffer stays in memory as the newest run unless the runs need merging in
      // groups first (more than fanIn): writing it out only to read it straight back costs time.
      if (this.#lines.length > 0 && this.#runs.length + 1 > this.#fanIn) this.#spill();
      let runs = this.#runs;
      while (runs.length > this.#fanIn) {
        // Consecutive groups keep the runs in insertion order, which is what keeps equal keys stable.
        const merged: string[] = [];
        for (let i = 0; i < runs.length; i += this.#fanIn) {
          const group = runs.slice(i, i + this.#fanIn);
          if (group.length === 1) {
            merged.push(group[0]!);
            continue;
          }
          const file = this.#nextFile();
          for await (const lines of this.#merge(
            group.map((f) => readLineBatches(f)),
            false,
          ))
            flushLines(file, lines);
          flushLines(file, [], true);
          for (const f of group) rmSync(f, { force: true });
          merged.push(file);
        }
        runs = merged;
      }
      this.#runs = runs;
      const sources = runs.map((f) => readLineBatches(f));
      if (this.#lines.length > 0) sources.push(memoryLines(this.#sortBuffer(), this.#batch));
      yield* this.#merge(sources, true);
    } finally {
      this.dispose();
    }
  }

  /** Drops the buffer and removes the temp folder (safe to call more than once). */
  dispose(): void {
    this.#lines = [];
    this.#keys = [];
    this.#runs = [];
    if (this.#dir !== undefined) rmSync(this.#dir, { recursive: true, force: true });
    this.#dir = undefined;
  }

  /** The buffered lines by (key, insertion order); empties the buffer. */
  #sortBuffer(): string[] {
    const lines = this.#lines;
    const keys = Float64Array.from(this.#keys);
    this.#lines = [];
    this.#keys = [];
    const n = lines.length;
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => keys[a]! - keys[b]! || a - b);
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = lines[order[i]!]!;
    return out;
  }

  #nextFile(): string {
    this.#dir ??= mkdtempSync(join(this.#tmp, 'kreplay-sort-'));
    return join(this.#dir, `run-${this.#files++}.txt`);
  }

  #spill(): void {
    const file = this.#nextFile();
    flushLines(file, this.#sortBuffer(), true);
    this.#runs.push(file);
  }

  /** The items of sorted runs (oldest first) merged by (key, run index), a batch at a time. */
  #merge(runs: readonly AsyncGenerator<Line[]>[], decoded: true): AsyncGenerator<T[]>;
  /** The lines of sorted runs (oldest first) merged by (key, run index), a batch at a time. */
  #merge(runs: readonly AsyncGenerator<Line[]>[], decoded: false): AsyncGenerator<string[]>;
  async *#merge(runs: readonly AsyncGenerator<Line[]>[], decoded: boolean): AsyncGenerator<(T | string)[]> {
    const codec = this.#codec;
    const cursors: Cursor<T>[] = [];
    try {
      for (let r = 0; r < runs.length; r++) {
        const c = new Cursor<T>(r, runs[r]!);
        if (await c.advance(codec)) cursors.push(c);
      }
      const heap = new CursorHeap(cursors);
      let out: (T | string)[] = [];
      while (heap.size > 0) {
        const c = heap.top();
        out.push(decoded ? c.item! : c.lines[c.i - 1]!.text);
        if (out.length >= this.#batch) {
          yield out;
          out = [];
        }
        if (c.i < c.lines.length) c.load(codec);
        else if (!(await c.advance(codec))) {
          heap.pop();
          continue;
        }
        heap.siftDown();
      }
      if (out.length > 0) yield out;
    } finally {
      for (const c of cursors) await c.source.return(undefined);
    }
  }
}

/** A sorted in-memory run as line batches (line numbers are not needed by the merge). */
async function* memoryLines(lines: readonly string[], batch: number): AsyncGenerator<Line[]> {
  for (let i = 0; i < lines.length; i += batch) {
    const out: Line[] = [];
    for (let j = i; j < i + batch && j < lines.length; j++) out.push({ line: 0, text: lines[j]! });
    yield out;
  }
}

function positive(name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`options.${name} must be a positive integer`);
  return v;
}

/** Appends `lines` to `file` (creating it on the first call) and empties the array. */
function flushLines(file: string, lines: string[], last = false): void {
  if (lines.length > 0 || last)
    writeFileSync(file, lines.length > 0 ? lines.join('\n') + '\n' : '', { flag: 'a' });
  lines.length = 0;
}

/** Reading position in one run: the current item and its key, the rest of the current batch of lines. */
class Cursor<T> {
  item: T | undefined;
  key = 0;
  lines: Line[] = [];
  i = 0;

  constructor(
    readonly run: number,
    readonly source: AsyncGenerator<Line[]>,
  ) {}

  /** Decodes the next line of the current batch. */
  load(codec: RunCodec<T>): void {
    this.item = codec.decode(this.lines[this.i++]!.text);
    this.key = codec.key(this.item);
  }

  /** Loads the next item, reading the next batch of lines if needed; false at the end of the run. */
  async advance(codec: RunCodec<T>): Promise<boolean> {
    while (this.i >= this.lines.length) {
      const r = await this.source.next();
      if (r.done === true) return false;
      this.lines = r.value;
      this.i = 0;
    }
    this.load(codec);
    return true;
  }
}

function before<T>(a: Cursor<T>, b: Cursor<T>): boolean {
  return a.key < b.key || (a.key === b.key && a.run < b.run);
}

/** A min-heap of cursors by (current key, run index); the top is re-sifted after it advances. */
class CursorHeap<T> {
  readonly #items: Cursor<T>[];

  constructor(items: Cursor<T>[]) {
    this.#items = items;
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.#down(i);
  }

  get size(): number {
    return this.#items.length;
  }

  top(): Cursor<T> {
    return this.#items[0]!;
  }

  pop(): void {
    const last = this.#items.pop()!;
    if (this.#items.length > 0) {
      this.#items[0] = last;
      this.#down(0);
    }
  }

  siftDown(): void {
    this.#down(0);
  }

  #down(start: number): void {
    const items = this.#items;
    const n = items.length;
    const item = items[start]!;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(items[r]!, items[l]!) ? r : l;
      if (!before(items[c]!, item)) break;
      items[i] = items[c]!;
      i = c;
    }
    items[i] = item;
  }
}
