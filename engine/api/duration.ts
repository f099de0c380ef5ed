import { ValidationError } from './errors.js';

/** Pod annotation giving its run time once started (`3600s`, `15m`, or seconds); the kubelet reads it. */
export const DURATION_ANNOTATION = 'kreplay.io/duration';
/** Pod annotation: `failed` makes the pod end Failed instead of Succeeded after its duration. */
export const EXIT_ANNOTATION = 'kreplay.io/exit';

const UNIT_US: Record<string, number> = {
  ms: 1_000,
  s: 1_000_000,
  m: 60_000_000,
  h: 3_600_000_000,
  d: 86_400_000_000,
};

/**
 * Parses a duration (`90s`, `15m`, `36h`, `30d`, `250ms`, `1h30m`, or a plain number of seconds)
 * into integer microseconds. Throws ValidationError naming `path`.
 */
export function parseDurationUs(text: string | number, path = ''): number {
  if (typeof text === 'number' || /^\d+(\.\d+)?$/.test(text)) {
    const s = Number(text);
    if (!Number.isFinite(s) || s < 0)
      throw new ValidationError(path, `invalid duration ${JSON.stringify(text)}`, 'INVALID_DURATION');
    return Math.round(s * 1_000_000);
  }
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index !== consumed) break;
    total += Number(m[1]) * UNIT_US[m[2]!]!;
    consumed = m.index + m[0].length;
  }
  if (consumed === 0 || consumed !== text.length) {
    throw new ValidationError(
      path,
      `invalid duration ${JSON.stringify(text)} (use e.g. 90s, 15m, 36h, 30d)`,
      'INVALID_DURATION',
    );
  }
  return Math.round(total);
}
