/** Virtual time in integer microseconds. */
export type TimeUs = number;

export const US_PER_SECOND = 1_000_000;

/** Reads the virtual clock. Nothing in engine/ reads the wall clock. */
export interface Clock {
  now(): TimeUs;
}

/** A logged state change as appended (seq and time are added by the log). */
export type EventPayload = Record<string, unknown>;

/**
 * Where components append their state changes. The log stamps each entry with `seq` and the
 * current virtual `time`, serialises it canonically and folds it into the running SHA-256.
 */
export interface EventSink {
  append(type: string, payload: EventPayload): void;
}

/** An entry as stored in `events.ndjson.gz`: `{seq, time, type, ...payload}`. */
export interface LogEntry {
  seq: number;
  time: TimeUs;
  type: string;
  [field: string]: unknown;
}
