import type { TimeUs } from '../sim/types.js';

/** A virtual time as an RFC 3339 timestamp with milliseconds (virtual 0 = the Unix epoch). */
export function timestamp(timeUs: TimeUs): string {
  return new Date(Math.floor(timeUs / 1000)).toISOString();
}

/** The virtual time of a timestamp written by {@link timestamp} (or with seconds precision). */
export function parseTimestamp(text: string | Date | undefined): TimeUs | undefined {
  if (text === undefined) return undefined;
  const ms = typeof text === 'string' ? Date.parse(text) : text.getTime();
  return Number.isNaN(ms) ? undefined : ms * 1000;
}
