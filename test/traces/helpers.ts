/** Shared helpers of the trace tests: temp files and collecting a reader's records. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { TraceRecord } from '../../traces/types.js';

/** A fresh temp folder. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'kreplay-traces-'));
}

/** Writes `text` to `name` in a fresh temp folder (gzipped when the name ends in .gz); returns its path. */
export function tempFile(name: string, text: string, dir = tempDir()): string {
  const p = join(dir, name);
  writeFileSync(p, name.endsWith('.gz') ? gzipSync(Buffer.from(text)) : text);
  return p;
}

/** Reads every record of a stream. */
export async function collect(records: AsyncIterable<TraceRecord>): Promise<TraceRecord[]> {
  const out: TraceRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
}

/** The API calls of records, without where each came from (to compare two readers' output). */
export function calls(records: readonly TraceRecord[]): Omit<TraceRecord, 'source'>[] {
  return records.map(({ timeUs, op, object }) => ({ timeUs, op, object }));
}
