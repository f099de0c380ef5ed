/**
 * The message contract of the `queue` executor: what a submitter puts in a BullMQ job and what a
 * worker returns. Plain JSON only; every field that crosses Redis is declared here.
 *
 * A job's id is its cell key: the SHA-256 of the cell's task (without its local output folder) and
 * of its inputs' contents. The same cell with the same inputs always gets the same key, so
 * resubmitting a sweep finds the cells it already has, and a changed trace or policy file gets a
 * new key and runs again.
 */
import { createHash } from 'node:crypto';
import type { FillTask, FillTaskResult } from '../fill/protocol.js';
import type { SweepTask, SweepTaskResult } from '../sweep/protocol.js';

/** Bumped whenever a job's data or return value changes shape; part of every cell key. */
export const PROTOCOL_VERSION = 1;

/** Default BullMQ queue name (override with `--queue`). */
export const DEFAULT_QUEUE = 'kreplay-cells';

/**
 * Lock and stall settings shared by workers. A worker renews its lock on a running cell every
 * `lockDurationMs / 2` (cells run on a worker thread, so the event loop is free to renew). A worker
 * killed mid-cell stops renewing; once the lock expires, the next stalled-job check of any live
 * worker (every `stalledIntervalMs`) moves the cell back to waiting, so it re-runs elsewhere after
 * at most lockDuration + 2 × stalledInterval. A cell that stalls more than `maxStalledCount` times
 * (it keeps killing its workers, e.g. out of memory) fails with BullMQ's stall error.
 */
export interface LockSettings {
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
  readonly maxStalledCount: number;
}

/** Defaults for LockSettings: a killed worker's cell restarts within about a minute. */
export const DEFAULT_LOCK: LockSettings = {
  lockDurationMs: 30_000,
  stalledIntervalMs: 15_000,
  maxStalledCount: 2,
};

/** The cell kinds a queue carries, with their task and result types. */
export interface CellKinds {
  readonly compare: { readonly task: SweepTask; readonly result: SweepTaskResult };
  readonly fill: { readonly task: FillTask; readonly result: FillTaskResult };
}

/** `compare` (one replay) or `fill` (one fill-experiment cell). */
export type CellKind = keyof CellKinds;

/** The content hashes of a cell's inputs: path → sha256 hex (files; folders hash their files). */
export type InputHashes = Readonly<Record<string, string>>;

/** The data of one BullMQ job: one cell. */
export type CellJobData = {
  [K in CellKind]: {
    readonly protocol: typeof PROTOCOL_VERSION;
    readonly kind: K;
    /** The cell's key, also the job id. */
    readonly key: string;
    /** For messages: `run most-allocated on small with seed 2`. */
    readonly label: string;
    /** The task; a compare task's `outDir` is the submitter's and is ignored by workers. */
    readonly task: CellKinds[K]['task'];
    /** Input files the worker must read, with the submitter's content hashes. */
    readonly inputs: InputHashes;
  };
}[CellKind];

/** One report file of a compare cell, returned inline (base64). */
export interface InlineFile {
  readonly name: string;
  readonly base64: string;
}

/**
 * What a worker returns for a cell. `result` is the cell's result in {@link encodeValue} form (keeps
 * NaN and ±Infinity, which JSON would turn into null). Compare cells also return their report
 * files: inline, or as the folder a worker with `--results` wrote them to.
 */
export interface CellJobResult {
  readonly protocol: typeof PROTOCOL_VERSION;
  readonly key: string;
  readonly result: string;
  readonly files?: readonly InlineFile[];
  readonly resultsDir?: string;
  /** Host name and pid of the worker that ran it, for messages. */
  readonly worker: string;
  readonly wallSeconds: number;
}

/** JSON with NaN, Infinity and -Infinity preserved, so a result round-trips through Redis exactly. */
export function encodeValue(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? { $num: String(v) } : v,
  );
}

/** The inverse of {@link encodeValue}. */
export function decodeValue<T>(text: string): T {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      const n = o['$num'];
      if (typeof n === 'string' && Object.keys(o).length === 1) return Number(n);
    }
    return v;
  }) as T;
}

/** JSON with object keys sorted, for hashing. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** The key of a cell: sha256 of protocol version, kind, task without `outDir`, and input hashes. */
export function cellKey(kind: CellKind, task: object, inputs: InputHashes): string {
  const { outDir: _ignored, ...rest } = task as { outDir?: string };
  return createHash('sha256')
    .update(canonical({ protocol: PROTOCOL_VERSION, kind, task: rest, inputs }))
    .digest('hex');
}
