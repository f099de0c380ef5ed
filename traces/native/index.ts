/**
 * The native trace: NDJSON (`.gz` accepted), one `{"time": <µs | RFC3339>, "op": "create|update|delete",
 * "object": {…}}` per line, in non-decreasing time. kreplay writes it (`trace convert`) with integer µs.
 */
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { InputError, ValidationError } from '../../engine/api/errors.js';
import { validateObject } from '../../engine/api/validate.js';
import type { KObject } from '../../engine/api/types.js';
import { inBatches, isGzip, readLines, SkipCounter, type OnInvalid } from '../input.js';
import type { LossReport, TraceRecord, TraceSource } from '../types.js';
import { makeDirs } from '../../engine/files/make-dirs.js';
import { removeOnInterrupt } from '../../engine/files/interrupt-cleanup.js';
import { describeFsError } from '../../engine/files/describe.js';

/** Options of {@link readNative}. */
export interface NativeOptions {
  readonly onInvalid?: OnInvalid;
}

const OPS = new Set(['create', 'update', 'delete']);
// RFC3339 with optional fraction (kept to the microsecond exactly) and a Z or ±hh:mm offset.
const RFC3339_RE = /^(\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Microseconds since the Unix epoch of an RFC3339 timestamp, or undefined when it is not one. */
export function rfc3339ToUs(text: string): number | undefined {
  const m = RFC3339_RE.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]!.replace(/[t ]/, 'T')}${m[3]!.toUpperCase()}`);
  if (!Number.isFinite(ms)) return undefined;
  const frac = m[2] ? Number((m[2].slice(1) + '000000').slice(0, 6)) : 0;
  return ms * 1000 + frac;
}

/** Parses one native line into a record with its absolute time (µs or epoch µs) and which form it used. */
function parseLine(
  file: string,
  line: number,
  text: string,
): { time: number; rfc: boolean; op: TraceRecord['op']; object: KObject } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new InputError(file, line, undefined, `not JSON (${(err as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new InputError(file, line, undefined, 'not a JSON object');
  const rec = v as Record<string, unknown>;
  let time: number;
  let rfc = false;
  if (typeof rec.time === 'number') {
    if (!Number.isSafeInteger(rec.time) || rec.time < 0)
      throw new InputError(file, line, 'time', `${rec.time} is not a non-negative integer of µs`);
    time = rec.time;
  } else if (typeof rec.time === 'string') {
    const us = rfc3339ToUs(rec.time);
    if (us === undefined)
      throw new InputError(file, line, 'time', `${JSON.stringify(rec.time)} is not an RFC3339 timestamp`);
    time = us;
    rfc = true;
  } else
    throw new InputError(
      file,
      line,
      'time',
      rec.time === undefined ? 'missing' : 'must be µs or an RFC3339 string',
    );
  if (typeof rec.op !== 'string' || !OPS.has(rec.op))
    throw new InputError(file, line, 'op', `${JSON.stringify(rec.op)} is not create, update or delete`);
  const obj = rec.object;
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
    throw new InputError(file, line, 'object', 'missing or not an object');
  const o = obj as KObject;
  if (typeof o.kind !== 'string' || o.kind === '') throw new InputError(file, line, 'object.kind', 'missing');
  if (typeof o.metadata?.name !== 'string' || o.metadata.name === '')
    throw new InputError(file, line, 'object.metadata.name', 'missing');
  if (rec.op !== 'delete') {
    // The checks the store makes on create/update, here, so a bad object is reported at its line
    // (and skippable with --on-invalid skip) instead of failing the replay later.
    try {
      validateObject(o);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      throw new InputError(file, line, e.path ? `object.${e.path}` : 'object', e.detail, e.code);
    }
  }
  return { time, rfc, op: rec.op as TraceRecord['op'], object: o };
}

/**
 * Streams a native trace. Numeric times are taken as is; RFC3339 times are made relative to the first
 * timestamp of the file (mixing both forms in one file is an error: there would be no common origin).
 * Records must be in non-decreasing time: a line that goes back in time is an InputError.
 */
export function readNative(file: string, opts: NativeOptions = {}): TraceSource {
  const skips = new SkipCounter(opts.onInvalid);
  const loss: LossReport = { format: 'native', notes: [], skipped: skips.skipped };
  async function* records(): AsyncGenerator<TraceRecord> {
    let form: 'us' | 'rfc' | undefined;
    let origin = 0;
    let last = 0;
    for await (const { line, text } of readLines(file)) {
      let rec: TraceRecord;
      try {
        const p = parseLine(file, line, text);
        const f = p.rfc ? 'rfc' : 'us';
        if (form === undefined) {
          form = f;
          if (p.rfc) {
            origin = p.time;
            loss.notes.push(
              `RFC3339 times made relative to the first one (${new Date(p.time / 1000).toISOString()})`,
            );
          }
        } else if (form !== f) {
          throw new InputError(file, line, 'time', 'mixes µs numbers and RFC3339 strings in one file');
        }
        const timeUs = p.time - origin;
        if (timeUs < last)
          throw new InputError(file, line, 'time', `goes back in time (${timeUs} µs after ${last} µs)`);
        rec = { timeUs, op: p.op, object: p.object, source: { file, line } };
      } catch (err) {
        skips.handle(err);
        continue;
      }
      last = rec.timeUs;
      yield rec;
    }
  }
  return { format: 'native', records: records(), loss };
}

/** Serialises one record as a native line (no trailing newline); the time is written as integer µs. */
export function nativeLine(rec: TraceRecord): string {
  return JSON.stringify({ time: rec.timeUs, op: rec.op, object: rec.object });
}

/**
 * Writes records as a native trace (gzipped when `file` ends in `.gz`), to a temporary file in the same
 * folder renamed into place at the end, so a reader never sees a half-written trace. Returns the number
 * of records written.
 */
export async function writeNative(
  records: AsyncIterable<TraceRecord> | Iterable<TraceRecord>,
  file: string,
): Promise<number> {
  const tmp = join(dirname(file), `.kreplay-tmp-${process.pid}-${basename(file)}`);
  // File-system errors name the trace being written, never the temp file.
  const unwritable = (err: unknown, what: string): InputError =>
    new InputError(file, undefined, undefined, `cannot ${what}: ${describeFsError(err)}`, 'UNWRITABLE');
  try {
    makeDirs(dirname(file));
  } catch (err) {
    throw unwritable(err, `create its folder ${dirname(file)}`);
  }
  let count = 0;
  const release = removeOnInterrupt(tmp);
  async function* lines(): AsyncGenerator<string> {
    let batch = '';
    const input = Symbol.asyncIterator in records ? inBatches(records) : [records];
    for await (const recs of input)
      for (const rec of recs) {
        batch += nativeLine(rec) + '\n';
        count++;
        // Batching keeps the stream overhead off the per-record path.
        if (batch.length >= 1 << 16) {
          yield batch;
          batch = '';
        }
      }
    if (batch) yield batch;
  }
  try {
    const out = createWriteStream(tmp);
    if (isGzip(file)) await pipeline(Readable.from(lines()), createGzip(), out);
    else await pipeline(Readable.from(lines()), out);
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    if ((err as NodeJS.ErrnoException).syscall !== undefined) throw unwritable(err, 'write it');
    throw err;
  } finally {
    release();
  }
  return count;
}
