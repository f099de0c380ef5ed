/**
 * A stable external sort for readers whose file is not in time order. Items are kept in memory as
 * columns (a fixed number of float64 fields and of strings per item, written by a {@link RunCodec}) up
 * to a fixed number of items; each full buffer is sorted and written as a binary "run" to a temp
 * folder, and the runs are merged back by reading them side by side, a block at a time. Memory is
 * bounded by the run size and the number of runs merged at once, never by the length of the trace. A
 * trace that fits in one run never touches the disk. Numbers go through the runs bit for bit and strings
 * as UTF-8, so an item comes back exactly as it went in, without parsing text a second time. Strings are
 * kept as bytes even in memory: a buffer of 65,536 items would otherwise hold as many live JS strings,
 * which the garbage collector copies and marks again and again (a fifth of a dlrm2025 read).
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeOnInterrupt } from '../engine/files/interrupt-cleanup.js';

/**
 * How an item is stored: `numbers` float64 fields and `strings` string fields, written by
 * {@link RunCodec.encode} from what is added (`E`) and read back as a `T` by {@link RunCodec.decode}.
 */
export interface RunCodec<T, E = T> {
  /** Float64 fields per item. */
  readonly numbers: number;
  /** String fields per item. */
  readonly strings: number;
  /** Writes `item`'s numbers to `nums[at, at + numbers)` and puts its `strings` strings to `strs`, in order. */
  encode(item: E, nums: Float64Array, at: number, strs: StringsOut): void;
  /** The item whose numbers are at `nums[at, …)` and whose strings are `strs.get(sAt + k)`. */
  decode(nums: Float64Array, at: number, strs: StoredStrings, sAt: number): T;
}

/** The strings of a block of items: item i's k-th string is `get(i * strings + k)`. */
export interface StoredStrings {
  get(index: number): string;
}

/** Where {@link RunCodec.encode} puts an item's strings. */
export interface StringsOut {
  /**
   * The item's next string: `text[from, end)`, with its ASCII characters mapped through `ascii` (a
   * table of 128 character codes) when given, so a reader can store a field straight from its line
   * without making a string of it first.
   */
  put(text: string, from?: number, end?: number, ascii?: Uint8Array): void;
}

/** Options of {@link ExternalSorter}. */
export interface ExternalSorterOptions {
  /** Items held in memory before a run is written (default 65,536). */
  readonly runItems?: number;
  /** Runs merged at once; more runs are first merged in groups of this many (default 64). */
  readonly fanIn?: number;
  /** Parent folder of the temp folder (default the OS temp folder). */
  readonly tmp?: string;
  /** Items per batch handed out by {@link ExternalSorter.sorted}, and per block of a run file (default 1024). */
  readonly batch?: number;
}

/**
 * Items in columns: the sort key, then the codec's numbers (`width` float64 per item), and the codec's
 * strings (`strings` per item) as UTF-8 bytes back to back, string j ending at `ends[j]` (and starting
 * where string j - 1 ends). Used for the buffer being filled and for each block read from a run.
 */
class Columns implements StoredStrings, StringsOut {
  nums: Float64Array;
  ends: Uint32Array;
  bytes: Buffer;
  /** Bytes of `bytes` in use. */
  used = 0;
  count = 0;

  constructor(
    readonly width: number,
    readonly strings: number,
    capacity: number,
    byteCapacity = capacity * strings * 16,
  ) {
    this.nums = new Float64Array(capacity * width);
    this.ends = new Uint32Array(capacity * strings);
    this.bytes = Buffer.allocUnsafe(byteCapacity);
  }

  key(i: number): number {
    return this.nums[i * this.width]!;
  }

  get(j: number): string {
    return this.bytes.toString('utf8', j === 0 ? 0 : this.ends[j - 1]!, this.ends[j]!);
  }

  /** Room for one more item (the columns double when full). */
  reserve(): void {
    if ((this.count + 1) * this.width <= this.nums.length) return;
    const grown = new Float64Array(Math.max(this.width * 64, this.nums.length * 2));
    grown.set(this.nums);
    this.nums = grown;
    const ends = new Uint32Array((grown.length / this.width) * this.strings);
    ends.set(this.ends);
    this.ends = ends;
  }

  /** Room for `n` more bytes of strings. */
  reserveBytes(n: number): void {
    if (this.used + n <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.used + n, this.bytes.length * 2, 1024));
    this.bytes.copy(grown, 0, 0, this.used);
    this.bytes = grown;
  }

  /** Index of the next string {@link put} stores. */
  next = 0;

  put(text: string, from = 0, end = text.length, ascii?: Uint8Array): void {
    if (this.next >= (this.count + 1) * this.strings)
      throw new RangeError(`a sorted item has ${this.strings} string(s); encode put more`);
    this.reserveBytes((end - from) * 3); // UTF-8 takes at most 3 bytes per UTF-16 unit
    const bytes = this.bytes;
    let used = this.used;
    let i = from;
    // ASCII byte by byte: for short ids this beats a call into Buffer.write; the rest as UTF-8.
    if (ascii === undefined)
      for (let c = 0; i < end && (c = text.charCodeAt(i)) < 0x80; i++) bytes[used++] = c;
    else for (let c = 0; i < end && (c = text.charCodeAt(i)) < 0x80; i++) bytes[used++] = ascii[c]!;
    if (i < end) {
      // The rest of a string with other characters, mapped as above, as UTF-8.
      let rest = text.slice(i, end);
      if (ascii !== undefined)
        rest = rest.replace(/[\0-\x7f]/g, (ch) => String.fromCharCode(ascii[ch.charCodeAt(0)]!));
      used += bytes.write(rest, used);
    }
    this.used = used;
    this.ends[this.next++] = used;
  }

  /** Appends item `i` of `from` (same shape). */
  push(from: Columns, i: number): void {
    this.reserve();
    const w = this.width;
    const nums = this.nums;
    for (let k = 0, to = this.count * w, at = i * w; k < w; k++) nums[to + k] = from.nums[at + k]!;
    const s = this.strings;
    if (s > 0) {
      const start = i === 0 ? 0 : from.ends[i * s - 1]!;
      const end = from.ends[i * s + s - 1]!;
      this.reserveBytes(end - start);
      const bytes = this.bytes;
      const src = from.bytes;
      for (let b = start, to = this.used; b < end; b++, to++) bytes[to] = src[b]!;
      for (let k = 0; k < s; k++) this.ends[this.count * s + k] = from.ends[i * s + k]! - start + this.used;
      this.used += end - start;
    }
    this.count++;
  }

  /** Empties the columns, keeping their room. */
  clear(): void {
    this.count = 0;
    this.used = 0;
  }
}

/**
 * Collects items with their keys ({@link add}), then hands them out by ascending key, equal keys in the
 * order they were added ({@link sorted}). Temp files are removed when the sorted stream ends or is
 * closed, or by {@link dispose} when it is never read.
 */
export class ExternalSorter<T, E = T> {
  readonly #codec: RunCodec<T, E>;
  readonly #runItems: number;
  readonly #fanIn: number;
  readonly #tmp: string;
  readonly #batch: number;
  readonly #width: number;
  /** The items not yet written. */
  #buffer: Columns;
  #dir: string | undefined;
  #release: () => void = () => {};
  #runs: string[] = [];
  #files = 0;

  constructor(codec: RunCodec<T, E>, opts: ExternalSorterOptions = {}) {
    this.#codec = codec;
    this.#runItems = positive('runItems', opts.runItems ?? 65_536);
    this.#fanIn = positive('fanIn', opts.fanIn ?? 64);
    if (this.#fanIn < 2) throw new RangeError('options.fanIn must be at least 2');
    this.#tmp = opts.tmp ?? tmpdir();
    this.#batch = positive('batch', opts.batch ?? 1024);
    this.#width = 1 + codec.numbers;
    this.#buffer = this.#emptyBuffer();
  }

  /** Number of runs written to disk so far (0 while everything fits in memory). */
  get runs(): number {
    return this.#runs.length;
  }

  /** Adds one item with its sort key (a number, not NaN). Writes a run when the buffer is full. */
  add(key: number, item: E): void {
    const b = this.#buffer;
    b.reserve();
    const at = b.count * this.#width;
    b.nums[at] = key;
    b.next = b.count * this.#codec.strings;
    const used = b.used;
    try {
      this.#codec.encode(item, b.nums, at + 1, b);
      if (b.next !== (b.count + 1) * this.#codec.strings)
        throw new RangeError(`a sorted item has ${this.#codec.strings} string(s); encode put fewer`);
    } catch (err) {
      b.used = used; // the item is not added: drop the bytes it put
      throw err;
    }
    b.count++;
    if (b.count >= this.#runItems) this.#spill();
  }

  /**
   * Every item added, by ascending key (stable), a batch at a time. Call once, after the last
   * {@link add}; the temp files are removed when the stream ends or is closed.
   */
  *sorted(): Generator<T[]> {
    try {
      if (this.#runs.length === 0) {
        yield* this.#merge([new MemoryRun(this.#sortBuffer(), this.#batch)], undefined);
        return;
      }
      // The last, partial buffer stays in memory as the newest run unless the runs need merging in
      // groups first (more than fanIn): writing it out only to read it straight back costs time.
      if (this.#buffer.count > 0 && this.#runs.length + 1 > this.#fanIn) this.#spill();
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
          const out = new RunWriter(file, this.#width, this.#codec.strings, this.#batch);
          try {
            for (const none of this.#merge(
              group.map((f) => new FileRun(f, this.#width, this.#codec.strings)),
              out,
            ))
              void none;
          } finally {
            out.close();
          }
          for (const f of group) rmSync(f, { force: true });
          merged.push(file);
        }
        runs = merged;
      }
      this.#runs = runs;
      const sources: Run[] = runs.map((f) => new FileRun(f, this.#width, this.#codec.strings));
      if (this.#buffer.count > 0) sources.push(new MemoryRun(this.#sortBuffer(), this.#batch));
      yield* this.#merge(sources, undefined);
    } finally {
      this.dispose();
    }
  }

  /** Drops the buffer and removes the temp folder (safe to call more than once). */
  dispose(): void {
    this.#buffer = this.#emptyBuffer();
    this.#runs = [];
    if (this.#dir !== undefined) rmSync(this.#dir, { recursive: true, force: true });
    this.#release();
    this.#dir = undefined;
  }

  #emptyBuffer(): Columns {
    return new Columns(this.#width, this.#codec.strings, Math.min(this.#runItems, 1024));
  }

  /** The buffered items and their order by (key, insertion order); empties the buffer. */
  #sortBuffer(): SortedColumns {
    const cols = this.#buffer;
    this.#buffer = this.#emptyBuffer();
    const n = cols.count;
    const w = this.#width;
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = cols.nums[i * w]!;
    return { cols, order: stableOrder(keys) };
  }

  #nextFile(): string {
    if (this.#dir === undefined) {
      this.#dir = mkdtempSync(join(this.#tmp, 'kreplay-sort-'));
      // A big trace spills gigabytes: an interrupted read must not leave them behind.
      this.#release = removeOnInterrupt(this.#dir);
    }
    return join(this.#dir, `run-${this.#files++}.bin`);
  }

  #spill(): void {
    const file = this.#nextFile();
    const sorted = this.#sortBuffer();
    const out = new RunWriter(file, this.#width, this.#codec.strings, this.#batch);
    try {
      for (const i of sorted.order) out.push(sorted.cols, i);
    } finally {
      out.close();
    }
    this.#runs.push(file);
    // The next run fills the same (by now full-sized) columns instead of growing new ones from empty.
    sorted.cols.clear();
    this.#buffer = sorted.cols;
  }

  /**
   * The items of sorted runs (oldest first) merged by (key, run index): decoded, a batch at a time, or
   * copied to `out` (nothing yielded) when merging a group of runs into one.
   */
  *#merge(runs: readonly Run[], out: RunWriter | undefined): Generator<T[]> {
    const codec = this.#codec;
    const w = this.#width;
    const s = codec.strings;
    const cursors: Cursor[] = [];
    try {
      for (let r = 0; r < runs.length; r++) {
        const c = new Cursor(r, runs[r]!);
        if (c.advance()) cursors.push(c);
      }
      const heap = new CursorHeap(cursors);
      let batch: T[] = [];
      while (heap.size > 0) {
        const c = heap.top();
        const block = c.block!;
        if (out !== undefined) out.push(block, c.i);
        else {
          batch.push(codec.decode(block.nums, c.i * w + 1, block, c.i * s));
          if (batch.length >= this.#batch) {
            yield batch;
            batch = [];
          }
        }
        if (!c.advance()) heap.pop();
        else heap.siftDown();
      }
      if (batch.length > 0) yield batch;
    } finally {
      for (const r of runs) r.close();
    }
  }
}

/** A sorted run read a block at a time. */
interface Run {
  /** The next block of items, or undefined at the end. */
  next(): Columns | undefined;
  close(): void;
}

/** Buffered items with the order that sorts them. */
interface SortedColumns {
  readonly cols: Columns;
  readonly order: Uint32Array;
}

/** A sorted run still in memory, handed out in blocks of `batch` items copied in sorted order. */
class MemoryRun implements Run {
  #from = 0;
  constructor(
    readonly sorted: SortedColumns,
    readonly batch: number,
  ) {}

  next(): Columns | undefined {
    const { cols, order } = this.sorted;
    if (this.#from >= cols.count) return undefined;
    const n = Math.min(this.batch, cols.count - this.#from);
    const block = new Columns(cols.width, cols.strings, n);
    for (let j = 0; j < n; j++) block.push(cols, order[this.#from + j]!);
    this.#from += n;
    return block;
  }

  close(): void {
    this.#from = this.sorted.cols.count;
  }
}

/**
 * A run file: blocks of [item count (uint32), string bytes (uint32)], the items' float64 columns, the
 * end of each string (uint32), then the strings' UTF-8 bytes.
 */
class RunWriter {
  readonly #fd: number;
  readonly #pending: Columns;
  readonly #batch: number;
  readonly #head = Buffer.alloc(8);

  constructor(
    readonly file: string,
    readonly width: number,
    readonly strings: number,
    batch: number,
  ) {
    this.#fd = openSync(file, 'w');
    this.#batch = batch;
    this.#pending = new Columns(width, strings, batch);
  }

  /** Appends item `i` of `block`, writing a block when `batch` are pending. */
  push(block: Columns, i: number): void {
    const p = this.#pending;
    p.push(block, i);
    if (p.count >= this.#batch) this.#flush();
  }

  close(): void {
    try {
      this.#flush();
    } finally {
      closeSync(this.#fd);
    }
  }

  /** Writes the pending items as one block. */
  #flush(): void {
    const p = this.#pending;
    if (p.count === 0) return;
    this.#head.writeUInt32LE(p.count, 0);
    this.#head.writeUInt32LE(p.used, 4);
    writeSync(this.#fd, this.#head);
    writeSync(this.#fd, new Uint8Array(p.nums.buffer, 0, p.count * this.width * 8));
    if (this.strings > 0) {
      writeSync(this.#fd, new Uint8Array(p.ends.buffer, 0, p.count * this.strings * 4));
      if (p.used > 0) writeSync(this.#fd, p.bytes.subarray(0, p.used));
    }
    p.clear();
  }
}

/** A run file written by {@link RunWriter}, read back a block at a time. */
class FileRun implements Run {
  #fd: number | undefined;
  readonly #head = Buffer.alloc(8);

  constructor(
    readonly file: string,
    readonly width: number,
    readonly strings: number,
  ) {
    this.#fd = openSync(file, 'r');
  }

  next(): Columns | undefined {
    if (this.#fd === undefined) return undefined;
    if (readFully(this.#fd, this.#head) === 0) return undefined;
    const count = this.#head.readUInt32LE(0);
    const textBytes = this.#head.readUInt32LE(4);
    const block = new Columns(this.width, this.strings, count, textBytes);
    readFully(this.#fd, new Uint8Array(block.nums.buffer));
    if (this.strings > 0) {
      readFully(this.#fd, new Uint8Array(block.ends.buffer));
      if (textBytes > 0) readFully(this.#fd, block.bytes);
    }
    block.used = textBytes;
    block.count = count;
    return block;
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

/** Fills `buf` from the file's current position; 0 at the end of the file, else throws on a short read. */
function readFully(fd: number, buf: Uint8Array): number {
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, null);
    if (n === 0) break;
    got += n;
  }
  if (got !== 0 && got !== buf.length)
    throw new Error(`a sort run file ends inside a block (${got} of ${buf.length} bytes)`);
  return got;
}

/** Counts per 16-bit digit, reused by every {@link stableOrder}. */
const digitCounts = new Uint32Array(65_536);

/**
 * The indexes of `keys` (numbers, no NaN) by ascending key, equal keys in index order: an LSD radix sort
 * (stable by construction) over each key's 64 bits in four 16-bit digits, the bits mapped so that
 * unsigned order is numeric order (-0 counts as 0). A digit that every key shares is skipped. About 5×
 * faster than `Uint32Array.sort` with a comparator on a run of 65,536 items.
 */
export function stableOrder(keys: Float64Array): Uint32Array {
  const n = keys.length;
  const plain = new Float64Array(n);
  for (let i = 0; i < n; i++) plain[i] = keys[i]! + 0; // -0 -> 0
  const bits = new Uint32Array(plain.buffer);
  const lo = new Uint32Array(n);
  const hi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const h = bits[2 * i + 1]!; // little-endian: the high word second
    const negative = (h & 0x8000_0000) !== 0;
    hi[i] = negative ? ~h >>> 0 : (h | 0x8000_0000) >>> 0;
    lo[i] = negative ? ~bits[2 * i]! >>> 0 : bits[2 * i]!;
  }
  let order = new Uint32Array(n);
  let spare = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const counts = digitCounts;
  for (const [words, shift] of [
    [lo, 0],
    [lo, 16],
    [hi, 0],
    [hi, 16],
  ] as const) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(words[i]! >>> shift) & 0xffff]!++;
    if (counts[(words[0]! >>> shift) & 0xffff] === n) continue;
    let sum = 0;
    for (let d = 0; d < 65_536; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const x = order[i]!;
      spare[counts[(words[x]! >>> shift) & 0xffff]!++] = x;
    }
    [order, spare] = [spare, order];
  }
  return order;
}

function positive(name: string, v: number): number {
  if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`options.${name} must be a positive integer`);
  return v;
}

/** Reading position in one run: the current block and the index of the current item in it. */
class Cursor {
  block: Columns | undefined;
  i = -1;
  key = 0;

  constructor(
    readonly run: number,
    readonly source: Run,
  ) {}

  /** Moves to the next item, reading the next block if needed; false at the end of the run. */
  advance(): boolean {
    this.i++;
    while (this.block === undefined || this.i >= this.block.count) {
      this.block = this.source.next();
      this.i = 0;
      if (this.block === undefined) return false;
    }
    this.key = this.block.key(this.i);
    return true;
  }
}

function before(a: Cursor, b: Cursor): boolean {
  return a.key < b.key || (a.key === b.key && a.run < b.run);
}

/** A min-heap of cursors by (current key, run index); the top is re-sifted after it advances. */
class CursorHeap {
  readonly #items: Cursor[];

  constructor(items: Cursor[]) {
    this.#items = items;
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.#down(i);
  }

  get size(): number {
    return this.#items.length;
  }

  top(): Cursor {
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
