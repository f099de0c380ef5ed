/**
 * Shared plumbing of the readers: streaming lines and CSV rows out of plain or gzipped files with
 * their line numbers, turning stream failures (truncated gzip) into InputErrors, and strict parsing of
 * numeric fields. Readers never hold a whole file: everything here is a stream.
 */
import { createReadStream } from 'node:fs';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse as parseCsvSync } from 'csv-parse/sync';
import { InputError } from '../engine/api/errors.js';

/** What a reader does with a bad row: stop with its InputError, or count it and go on. */
export type OnInvalid = 'fail' | 'skip';

/** One line of a text file, numbered from 1 as editors number them. */
export interface Line {
  readonly line: number;
  readonly text: string;
}

/** One CSV row: its line number and its fields as written (no trimming, no type conversion). */
export interface CsvRow {
  readonly line: number;
  readonly fields: string[];
}

/** True when the path names a gzip file (decided by its suffix, as every trace source names them). */
export function isGzip(file: string): boolean {
  return file.endsWith('.gz');
}

/** A file's bytes as a stream, gunzipped on the fly when it is a `.gz`. */
export function openText(file: string): Readable {
  const src = createReadStream(file);
  if (!isGzip(file)) return src;
  // The pipeline callback is required; errors still reach the consumer through the gunzip stream.
  return pipeline(src, createGunzip(), () => undefined);
}

/** A file's first text chunk without its UTF-8 byte-order mark (Excel writes one): not part of the first line. */
function withoutBom(chunk: string): string {
  return chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk;
}

/** Turns a low-level stream failure into an InputError at the last line read. */
export function streamError(file: string, line: number, err: unknown): unknown {
  if (err instanceof InputError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EISDIR')
    return new InputError(
      file,
      undefined,
      undefined,
      'is a folder, not a file: name the trace file(s) instead (e.g. --nodes and --pods)',
      'NOT_A_FILE',
    );
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new InputError(
      file,
      line + 1,
      undefined,
      `truncated or corrupt gzip data (${(err as Error).message})`,
      'BAD_GZIP',
    );
  }
  return err;
}

/**
 * Streams the non-empty lines of a file (`.gz` decompressed on the fly) with 1-based line numbers, a
 * chunk's worth at a time: one await per chunk instead of one per line is most of a reader's speed.
 * Breaking out of the loop closes the file.
 */
export async function* readLineBatches(file: string): AsyncGenerator<Line[]> {
  const input = openText(file);
  input.setEncoding('utf8');
  let line = 0;
  let carry = '';
  try {
    let first = true;
    for await (const chunk of input as AsyncIterable<string>) {
      const text = carry + (first ? withoutBom(chunk) : chunk);
      first = false;
      const batch: Line[] = [];
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        line++;
        const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        if (end > start) batch.push({ line, text: text.slice(start, end) });
        start = nl + 1;
      }
      carry = text.slice(start);
      if (batch.length > 0) yield batch;
    }
    if (carry.length > 0) {
      line++;
      const text = carry.endsWith('\r') ? carry.slice(0, -1) : carry;
      if (text.length > 0) yield [{ line, text }];
    }
  } catch (err) {
    throw streamError(file, line, err);
  } finally {
    input.destroy();
  }
}

/** Streams the non-empty lines of a file one by one (see {@link readLineBatches}). */
export function readLines(file: string): AsyncIterableIterator<Line> {
  return flattenBatches(readLineBatches(file));
}

/**
 * Splits one CSV line. Trace CSVs almost never quote, so the fast path is a plain split; a line with
 * a quote goes through csv-parse so that quoted commas stay in their field. Quoted fields spanning
 * several lines are not supported (no trace format kreplay reads has them).
 */
export function splitCsvLine(file: string, line: number, text: string): string[] {
  if (!text.includes('"')) return text.split(',');
  try {
    const rows = parseCsvSync(text, { relax_column_count: true }) as string[][];
    if (rows.length !== 1) throw new Error('expected one record');
    return rows[0]!;
  } catch (err) {
    throw new InputError(file, line, undefined, `malformed CSV quoting (${(err as Error).message})`);
  }
}

/**
 * The fields of `text[start, end)` split at every comma: `text.slice(start, end).split(',')` without the
 * intermediate line string (the fields are cut from `text` directly). No quote handling.
 */
export function splitFields(text: string, start: number, end: number): string[] {
  const fields: string[] = [];
  let from = start;
  for (let comma = text.indexOf(',', from); comma >= 0 && comma < end; comma = text.indexOf(',', from)) {
    fields.push(text.slice(from, comma));
    from = comma + 1;
  }
  fields.push(text.slice(from, end));
  return fields;
}

/**
 * Streams the rows of a CSV file (`.gz` accepted) with their line numbers, a chunk at a time. The same
 * lines as {@link readLineBatches}, split as {@link splitCsvLine} splits them, but cut straight out of
 * each chunk: a chunk without any quote (the common case) is split without slicing each line first.
 */
export async function* readCsvRowBatches(file: string): AsyncGenerator<CsvRow[]> {
  const input = openText(file);
  input.setEncoding('utf8');
  let line = 0;
  let carry = '';
  try {
    let first = true;
    for await (const chunk of input as AsyncIterable<string>) {
      const text = carry + (first ? withoutBom(chunk) : chunk);
      first = false;
      const quoted = text.includes('"');
      const batch: CsvRow[] = [];
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        line++;
        const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        if (end > start) {
          const fields = quoted
            ? splitCsvLine(file, line, text.slice(start, end))
            : splitFields(text, start, end);
          batch.push({ line, fields });
        }
        start = nl + 1;
      }
      carry = text.slice(start);
      if (batch.length > 0) yield batch;
    }
    if (carry.length > 0) {
      line++;
      const text = carry.endsWith('\r') ? carry.slice(0, -1) : carry;
      if (text.length > 0) yield [{ line, fields: splitCsvLine(file, line, text) }];
    }
  } catch (err) {
    throw streamError(file, line, err);
  } finally {
    input.destroy();
  }
}

/** Receives the lines of a CSV file in place (see {@link scanCsvLines}). */
export interface CsvLineSink {
  /**
   * One non-empty line, `text[start, end)` (CR stripped), numbered from 1 as editors number lines;
   * `fields` is set when the line has a quote (split by {@link splitCsvLine}), and then `text[start, end)`
   * is not to be read as CSV.
   */
  add(text: string, start: number, end: number, line: number, fields: string[] | undefined): void;
}

/** `s` without one trailing carriage return. */
function stripCr(s: string): string {
  return s.endsWith('\r') ? s.slice(0, -1) : s;
}

/**
 * The lines with a quote among those that end in `chunk` (the first being `head`, line `line + 1`),
 * split by {@link splitCsvLine}, by line number; bad quoting throws.
 */
function splitQuoted(
  file: string,
  line: number,
  head: string,
  chunk: string,
  firstNl: number,
): Map<number, string[]> {
  const map = new Map<number, string[]>();
  let n = line + 1;
  if (head.includes('"')) map.set(n, splitCsvLine(file, n, head));
  for (let start = firstNl + 1, nl = chunk.indexOf('\n', start); nl >= 0; nl = chunk.indexOf('\n', start)) {
    n++;
    const end = nl > start && chunk.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    const q = chunk.indexOf('"', start);
    if (end > start && q >= 0 && q < end) map.set(n, splitCsvLine(file, n, chunk.slice(start, end)));
    start = nl + 1;
  }
  return map;
}

/**
 * Feeds the non-empty lines of a CSV file (`.gz` accepted) to `sink` without cutting them out: each
 * decoded chunk's lines are passed as offsets into the chunk (only the line that spans two chunks is
 * put together as a string), and the generator yields once after each chunk, so that the caller hands
 * out what the sink made of it. The same lines, line numbers and failures as {@link readCsvRowBatches}:
 * CRLF and blank lines, a quoted line split by {@link splitCsvLine} before any line of its chunk is fed
 * (bad quoting throws there, whatever the sink does with errors), a stream failure (truncated gzip) an
 * InputError at the line after the last one read. An error the sink throws ends the stream as it is.
 */
export async function* scanCsvLines(file: string, sink: CsvLineSink): AsyncGenerator<void> {
  const input = openText(file);
  input.setEncoding('utf8');
  let line = 0;
  let carry = '';
  try {
    let first = true;
    for await (const text of input as AsyncIterable<string>) {
      const chunk = first ? withoutBom(text) : text;
      first = false;
      let nl = chunk.indexOf('\n');
      if (nl < 0) {
        carry += chunk;
        continue;
      }
      const head = stripCr(carry + chunk.slice(0, nl));
      const quoted =
        head.includes('"') || chunk.includes('"') ? splitQuoted(file, line, head, chunk, nl) : undefined;
      line++;
      if (head.length > 0) sink.add(head, 0, head.length, line, quoted?.get(line));
      let start = nl + 1;
      for (nl = chunk.indexOf('\n', start); nl >= 0; nl = chunk.indexOf('\n', start)) {
        line++;
        const end = nl > start && chunk.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        if (end > start) sink.add(chunk, start, end, line, quoted?.get(line));
        start = nl + 1;
      }
      carry = chunk.slice(start);
      yield;
    }
    if (carry.length > 0) {
      line++;
      const text = stripCr(carry);
      if (text.length > 0) {
        const fields = text.includes('"') ? splitCsvLine(file, line, text) : undefined;
        sink.add(text, 0, text.length, line, fields);
        yield;
      }
    }
  } catch (err) {
    throw streamError(file, line, err);
  } finally {
    input.destroy();
  }
}

/** Streams the rows of a CSV file (`.gz` accepted) with their line numbers. */
export function readCsvRows(file: string): AsyncIterableIterator<CsvRow> {
  return flattenBatches(readCsvRowBatches(file));
}

/**
 * The items of a stream of batches, one by one. Unlike `for (const x of batch) yield x` in an async
 * generator (several promise turns per item), an item of a batch in hand costs one resolved promise, so
 * a stream of records can be produced a batch at a time and still be consumed record by record. The
 * batches are pulled one at a time, when the previous one is used up; `return()` (a `break` in the
 * consumer) closes the source.
 */
export function flattenBatches<T>(batches: AsyncIterable<readonly T[]>): AsyncIterableIterator<T> {
  return new BatchFlattener(batches[Symbol.asyncIterator]());
}

/**
 * `items` a batch at a time, for consumers that fold a stream and need no promise per item: a stream
 * made by {@link flattenBatches} hands over its batches as they come (the rest of a batch it was in the
 * middle of first); any other stream is grouped `size` items at a time. A `break` closes the source.
 */
export async function* inBatches<T>(items: AsyncIterable<T>, size = 1024): AsyncGenerator<readonly T[]> {
  if (items instanceof BatchFlattener) {
    yield* (items as BatchFlattener<T>).batches();
    return;
  }
  let batch: T[] = [];
  for await (const x of items) {
    batch.push(x);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

class BatchFlattener<T> implements AsyncIterableIterator<T> {
  readonly #source: AsyncIterator<readonly T[]>;
  #batch: readonly T[] = [];
  #i = 0;
  #done = false;

  constructor(source: AsyncIterator<readonly T[]>) {
    this.#source = source;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#i < this.#batch.length) return Promise.resolve({ value: this.#batch[this.#i++]!, done: false });
    return this.#pull();
  }

  async #pull(): Promise<IteratorResult<T>> {
    while (!this.#done) {
      const r = await this.#source.next();
      if (r.done === true) break;
      if (r.value.length === 0) continue;
      this.#batch = r.value;
      this.#i = 1;
      return { value: r.value[0]!, done: false };
    }
    this.#done = true;
    this.#batch = [];
    this.#i = 0;
    return { value: undefined, done: true };
  }

  /** The items not yet handed out, a batch at a time (see {@link inBatches}). */
  async *batches(): AsyncGenerator<readonly T[]> {
    try {
      if (this.#i < this.#batch.length) {
        const rest = this.#i === 0 ? this.#batch : this.#batch.slice(this.#i);
        this.#batch = [];
        this.#i = 0;
        yield rest;
      }
      while (!this.#done) {
        const r = await this.#source.next();
        if (r.done === true) break;
        if (r.value.length > 0) yield r.value;
      }
      this.#done = true;
    } finally {
      await this.return();
    }
  }

  async return(): Promise<IteratorResult<T>> {
    this.#batch = [];
    this.#i = 0;
    if (!this.#done) {
      this.#done = true;
      await this.#source.return?.();
    }
    return { value: undefined, done: true };
  }
}

/** Reads the first non-empty line of a file (for format detection), or undefined for an empty file. */
export async function readFirstLine(file: string): Promise<string | undefined> {
  for await (const { text } of readLines(file)) return text;
  return undefined;
}

const UINT_RE = /^\d+$/;

/**
 * The value of a string of 1 to 15 ASCII digits (always a safe integer), computed without a regular
 * expression or `Number()`; -1 for anything else (longer, empty, or another character), which the
 * caller then checks the slow way.
 */
function digitsValue(text: string): number {
  const n = text.length;
  if (n === 0 || n > 15) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Powers of ten that are exact doubles (10^0 … 10^22). */
export const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * `Number()` of `text[start, end)` when it is `digits` or `digits.digits` with at most 15 digits in all
 * (at most 16 characters), read in place: the digits as an integer M (below 10^15, so exact) divided by
 * 10^k for k fraction digits (exact too), and one IEEE division of two exact values is the correctly
 * rounded quotient, which is what `Number()` returns (the fast path of decimal-to-binary conversion,
 * Clinger 1990). NaN for anything else (empty, longer, another character).
 */
export function plainDecimalAt(text: string, start: number, end: number): number {
  const n = end - start;
  if (n <= 0 || n > 16) return NaN;
  let m = 0;
  let digits = 0;
  let dot = -1;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
    } else if (c === 46 && dot < 0 && i > start && i < end - 1) dot = i;
    else return NaN;
  }
  if (digits > 15) return NaN;
  return dot < 0 ? m : m / POW10[end - dot - 1]!;
}

/**
 * Reads numeric fields straight out of a line (`text`, offsets, no string per field) with the values
 * {@link FieldParser} gives, for readers whose fast paths scan lines in place: each read stops at the
 * next comma or at `end` and leaves that position in {@link FieldScanner.end}. Anything FieldParser's
 * fast forms do not cover comes back as -2, and the caller then takes its strict path.
 */
export class FieldScanner {
  /** Where the field last read ended: its comma, or the line end. */
  end = 0;

  /** `FieldParser.uint` of the field at `from` when it is 1 to 15 ASCII digits; -1 when empty; -2 otherwise. */
  digits(text: string, from: number, end: number): number {
    let v = 0;
    let i = from;
    for (; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 44) break;
      const d = c - 48;
      if (d < 0 || d > 9) return -2;
      v = v * 10 + d;
    }
    this.end = i;
    const n = i - from;
    return n === 0 ? -1 : n > 15 ? -2 : v;
  }

  /**
   * `FieldParser.udec` of the field at `from` when it is digits or digits.digits: read in place as
   * {@link plainDecimalAt} reads it up to 15 digits, by `Number()` beyond (as udec does); -1 when
   * empty; -2 otherwise (another form, or above 2^53 - 1: udec's errors).
   */
  decimal(text: string, from: number, end: number): number {
    let m = 0;
    let digits = 0;
    let dot = -1;
    let i = from;
    for (; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 44) break;
      if (c >= 48 && c <= 57) {
        m = m * 10 + (c - 48);
        digits++;
      } else if (c === 46 && dot < 0) dot = i;
      else return -2;
    }
    this.end = i;
    const n = i - from;
    if (n === 0) return -1;
    if (dot === from || dot === i - 1) return -2;
    if (n > 16 || digits > 15) {
      const v = Number(text.slice(from, i));
      return v <= Number.MAX_SAFE_INTEGER ? v : -2;
    }
    return dot < 0 ? m : m / POW10[i - dot - 1]!;
  }

  /** Skips the field at `from` (any text): sets {@link FieldScanner.end}; false when no comma ends it before `end`. */
  skip(text: string, from: number, end: number): boolean {
    const comma = text.indexOf(',', from);
    if (comma < 0 || comma >= end) {
      this.end = end;
      return false;
    }
    this.end = comma;
    return true;
  }
}

/**
 * The few distinct texts a column repeats (label values, phases, app names), each validated once: a
 * field is hashed in place (FNV-1a over its characters), found in an open-addressing table of the texts
 * seen and compared once, so a row costs no slice and no pattern match for a text seen before, however
 * many distinct texts the column cycles through. Bounded: past 4,096 texts the table starts over.
 */
export class SeenTexts {
  /** Slots of an open-addressing table (size a power of two, at most half full). */
  #slots: (string | undefined)[] = new Array<string | undefined>(8192).fill(undefined);
  #count = 0;
  constructor(readonly valid: RegExp) {}

  /** The field `text[from, end)` when valid (the same string as last time); undefined when not. */
  get(text: string, from: number, end: number): string | undefined {
    let h = 0x811c9dc5;
    for (let i = from; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    const slots = this.#slots;
    const mask = slots.length - 1;
    const n = end - from;
    let k = h & mask;
    for (let t = slots[k]; t !== undefined; t = slots[k]) {
      if (t.length === n && text.startsWith(t, from)) return t;
      k = (k + 1) & mask;
    }
    const t = text.slice(from, end);
    if (!this.valid.test(t)) return undefined;
    if (this.#count >= 4096) {
      // Start over (a column of ids, not of repeated values).
      slots.fill(undefined);
      this.#count = 0;
      k = h & mask;
    }
    slots[k] = t;
    this.#count++;
    return t;
  }
}

const UDEC_RE = /^\d+(\.\d+)?$/;

/**
 * Strict numeric field parsers: every accepted form is unambiguous, everything else is an InputError
 * naming file, line and column (a negative number gets its own message, it is the common mistake).
 */
export class FieldParser {
  constructor(
    readonly file: string,
    public line: number,
  ) {}

  /** A non-negative integer (no sign, no exponent, no fraction). */
  uint(field: string, text: string | undefined): number {
    if (text !== undefined) {
      const v = digitsValue(text);
      if (v >= 0) return v;
    }
    if (text !== undefined && UINT_RE.test(text)) {
      const v = Number(text);
      if (Number.isSafeInteger(v)) return v;
      throw this.error(field, `${JSON.stringify(text)} is too large`);
    }
    throw this.error(field, this.why(text, 'a non-negative integer'));
  }

  /** A non-negative decimal number (integers and plain decimals only). */
  udec(field: string, text: string | undefined): number {
    if (text !== undefined) {
      const v = digitsValue(text);
      if (v >= 0) return v;
      // Up to 15 digits: finite and far below 2^53, as the checks below want.
      const d = plainDecimalAt(text, 0, text.length);
      if (!Number.isNaN(d)) return d;
    }
    if (text !== undefined && UDEC_RE.test(text)) {
      const v = Number(text);
      if (Number.isFinite(v) && v <= Number.MAX_SAFE_INTEGER) return v;
      throw this.error(field, `${JSON.stringify(text)} is too large`);
    }
    throw this.error(field, this.why(text, 'a non-negative number'));
  }

  /** Any finite decimal number, sign and exponent allowed (normalised units, offsets). */
  num(field: string, text: string | undefined): number {
    const v = text === undefined || text.trim() !== text || text === '' ? NaN : Number(text);
    if (Number.isFinite(v)) return v;
    throw this.error(field, this.why(text, 'a number'));
  }

  /** An InputError at this row for `field`. */
  error(field: string | undefined, message: string): InputError {
    return new InputError(this.file, this.line, field, message);
  }

  private why(text: string | undefined, want: string): string {
    if (text === undefined) return `missing (want ${want})`;
    if (text === '') return `empty (want ${want})`;
    if (/^-\d+(\.\d+)?$/.test(text)) return `${JSON.stringify(text)} is negative`;
    return `${JSON.stringify(text)} is not ${want}`;
  }
}

/** Checks a row's column count against the header's, naming the line. */
export function expectColumns(file: string, row: CsvRow, expected: number, what = 'the header'): void {
  if (row.fields.length !== expected) {
    throw new InputError(
      file,
      row.line,
      undefined,
      `has ${row.fields.length} columns, ${what} has ${expected}`,
      'BAD_COLUMN_COUNT',
    );
  }
}

/**
 * Collects skips by reason for `--on-invalid skip`: a row's InputError is either rethrown (fail) or
 * counted under a short reason (its field, else its code).
 */
export class SkipCounter {
  readonly skipped: Record<string, number> = {};
  constructor(readonly onInvalid: OnInvalid = 'fail') {}

  /** Rethrows `err` unless skipping applies to it; otherwise counts it. */
  handle(err: unknown): void {
    if (this.onInvalid !== 'skip' || !(err instanceof InputError) || err.code === 'BAD_GZIP') throw err;
    const reason = err.field
      ? `invalid ${err.field}`
      : err.code === 'BAD_COLUMN_COUNT'
        ? 'wrong column count'
        : 'invalid row';
    this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
  }

  /** Total rows skipped. */
  get total(): number {
    return Object.values(this.skipped).reduce((a, b) => a + b, 0);
  }
}
