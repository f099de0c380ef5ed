import { closeSync, createReadStream, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { constants, createGunzip, gzipSync } from 'node:zlib';
import type { LogEntry } from './types.js';
import type { LogListener, LogPosition } from './log.js';
import { GENESIS_HASH, chainHash } from './log.js';
import { canonicalJson } from './canonical.js';

const CHUNK_BYTES = 1 << 20;

/**
 * Streams log lines to `events.ndjson.gz` with bounded memory: lines are buffered up to 1 MiB and
 * written as independent gzip members (a valid multi-member gzip file). It writes to `<path>.tmp`
 * and renames on `close()`, so an interrupted run never leaves a half-written log under the real name.
 */
export class LogFileWriter {
  readonly path: string;
  #tmp: string;
  #fd: number;
  #parts: string[] = [];
  #bytes = 0;
  #closed = false;

  /** `resumeFrom`: the chain head of a checkpoint; the file then starts with a `resume` header line. */
  constructor(path: string, resumeFrom?: LogPosition) {
    this.path = path;
    this.#tmp = `${path}.tmp`;
    this.#fd = openSync(this.#tmp, 'w');
    if (resumeFrom && resumeFrom.seq > 0) {
      this.#parts.push(canonicalJson({ resume: { seq: resumeFrom.seq, hash: resumeFrom.hash } }), '\n');
    }
  }

  /** A listener to pass to `EventLog.listen`. */
  readonly listener: LogListener = (_entry, line) => {
    this.#parts.push(line, '\n');
    this.#bytes += line.length + 1;
    if (this.#bytes >= CHUNK_BYTES) this.#flush();
  };

  #flush(): void {
    if (this.#bytes === 0) return;
    writeSync(this.#fd, gzipSync(this.#parts.join(''), { level: constants.Z_BEST_SPEED }));
    this.#parts = [];
    this.#bytes = 0;
  }

  /**
   * Flushes, closes and moves the file to its final name. A `trailer` (run facts outside the
   * deterministic chain, such as wall-clock seconds) is written as a last `{"trailer":…}` line that
   * the hash chain does not cover.
   */
  close(trailer?: Record<string, unknown>): void {
    if (this.#closed) return;
    if (trailer) {
      this.#parts.push(canonicalJson({ trailer }), '\n');
      this.#bytes++;
    }
    this.#flush();
    closeSync(this.#fd);
    renameSync(this.#tmp, this.path);
    this.#closed = true;
  }

  /** Drops the temp file (a failed run leaves nothing behind). */
  abort(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#fd);
    rmSync(this.#tmp, { force: true });
  }
}

/** Reads `events.ndjson.gz` (or plain `.ndjson`) line by line, yielding parsed entries with line numbers. */
export async function* readLogLines(path: string): AsyncGenerator<{ lineNo: number; line: string }> {
  const raw = createReadStream(path);
  const input = path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  raw.on('error', (e) => input.destroy(e));
  // Iterating the stream itself (not readline) makes gzip and I/O errors reach the caller.
  let lineNo = 0;
  let rest = '';
  const decoder = new StringDecoder('utf8');
  for await (const chunk of input as AsyncIterable<Buffer>) {
    const text = rest + decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      lineNo++;
      if (nl > start) yield { lineNo, line: text.slice(start, nl) };
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  if (rest.length > 0) yield { lineNo: lineNo + 1, line: rest };
}

/**
 * Reads the entries of a log file, without verifying (use `verifyLogFile` for that). The trailer
 * line, if any, goes to `onTrailer`.
 */
export async function* readLog(
  path: string,
  onTrailer?: (t: Record<string, unknown>) => void,
): AsyncGenerator<LogEntry> {
  for await (const { line } of readLogLines(path)) {
    const e = JSON.parse(line) as LogEntry & {
      h?: string;
      resume?: unknown;
      trailer?: Record<string, unknown>;
    };
    if (e.resume !== undefined) continue;
    if (e.trailer !== undefined) {
      onTrailer?.(e.trailer);
      continue;
    }
    delete e.h;
    yield e;
  }
}

/** {@link verifyLogFile}'s reason for a line that is not JSON (on line 1: not an event log at all). */
export const NOT_A_LOG_LINE = 'not an event log line (not valid JSON)';

/** Outcome of verifying a log's hash chain. */
export type VerifyResult =
  { ok: true; entries: number; hash: string } | { ok: false; entries: number; line: number; reason: string };

/** Options of {@link verifyLogFile}. */
export interface VerifyOptions {
  /** Fail when the log has no trailer line (a replay always writes one: without it, it was cut short). */
  readonly requireTrailer?: boolean;
  /** Each entry once its line has verified, in log order (without `h`: what {@link readLog} yields). */
  readonly onEntry?: (entry: LogEntry) => void;
  /** The trailer line's facts, if there is one. */
  readonly onTrailer?: (trailer: Record<string, unknown>) => void;
}

/**
 * Recomputes the chain over every line and compares it with each line's `h`; reports the first
 * line that is unparsable, out of sequence or whose hash does not match. A trailer must be the last
 * line, and the entry count and chain hash it states (`events`, `eventLogSha256`, when present) must
 * be the chain's: a log cut short or with an edited trailer fails.
 */
export async function verifyLogFile(path: string, opts: VerifyOptions = {}): Promise<VerifyResult> {
  let hash = GENESIS_HASH;
  let entries = 0;
  let expectSeq: number | undefined;
  let current = 0;
  let trailer: Record<string, unknown> | undefined;
  let trailerLine = 0;
  try {
    for await (const { lineNo, line } of readLogLines(path)) {
      current = lineNo;
      if (trailer) return { ok: false, entries, line: lineNo, reason: 'a line after the trailer' };
      let e: Record<string, unknown>;
      try {
        e = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return { ok: false, entries, line: lineNo, reason: NOT_A_LOG_LINE };
      }
      if (entries === 0 && expectSeq === undefined && e.resume !== undefined) {
        // A log written after a checkpoint resume declares the chain head it continues from.
        const r = e.resume as { seq?: unknown; hash?: unknown };
        if (typeof r.seq !== 'number' || typeof r.hash !== 'string') {
          return { ok: false, entries, line: lineNo, reason: 'malformed resume header' };
        }
        hash = r.hash;
        expectSeq = r.seq + 1;
        continue;
      }
      if (e.trailer !== undefined && Object.keys(e).length === 1) {
        trailer = (e.trailer ?? {}) as Record<string, unknown>;
        trailerLine = lineNo;
        opts.onTrailer?.(trailer);
        continue;
      }
      const h = e.h;
      delete e.h;
      if (typeof e.seq !== 'number') return { ok: false, entries, line: lineNo, reason: 'missing seq' };
      const want = expectSeq ?? 1;
      if (e.seq !== want)
        return {
          ok: false,
          entries,
          line: lineNo,
          reason: `seq ${String(e.seq)} where ${want} was expected`,
        };
      hash = chainHash(hash, canonicalJson(e));
      if (h !== hash) return { ok: false, entries, line: lineNo, reason: 'hash mismatch' };
      expectSeq = (e.seq as number) + 1;
      entries++;
      opts.onEntry?.(e as unknown as LogEntry);
    }
  } catch (err) {
    return { ok: false, entries, line: current + 1, reason: `unreadable: ${(err as Error).message}` };
  }
  if (trailer) {
    if (typeof trailer.events === 'number' && trailer.events !== entries)
      return {
        ok: false,
        entries,
        line: trailerLine,
        reason: `the trailer says ${trailer.events} entries, the chain has ${entries}`,
      };
    if (typeof trailer.eventLogSha256 === 'string' && trailer.eventLogSha256 !== hash)
      return { ok: false, entries, line: trailerLine, reason: "the trailer's sha256 is not the chain's" };
  } else if (opts.requireTrailer)
    return { ok: false, entries, line: current + 1, reason: 'no trailer line: the log was cut short' };
  return { ok: true, entries, hash };
}
