import { InputError } from '../engine/api/errors.js';
import { parseDurationUs } from '../engine/api/duration.js';

function bad(flag: string, message: string): InputError {
  return new InputError(flag, undefined, undefined, message, 'BAD_OPTION');
}

/** `--until 90s|15m|36h|30d` → µs. */
export function parseUntil(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseDurationUs(text);
  } catch {
    throw bad('--until', `${JSON.stringify(text)} is not a duration (use e.g. 90s, 15m, 36h, 30d)`);
  }
}

/** `--seed S`: any string that is not empty or blank (all randomness derives from it). */
export function parseSeed(text: string, flag = '--seed'): string {
  if (text.trim() === '')
    throw bad(flag, `${JSON.stringify(text)} is not a seed: give a non-empty one, e.g. ${flag} 42`);
  return text;
}

const SEED_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** `--seeds a..b` or `a,b,c` → the list of seeds, in order. */
export function parseSeeds(text: string, flag = '--seeds'): string[] {
  const range = /^(\d+)\.\.(\d+)$/.exec(text.trim());
  if (range) {
    const a = Number(range[1]);
    const b = Number(range[2]);
    if (b < a) throw bad(flag, `${JSON.stringify(text)}: the range goes backwards`);
    if (b - a >= 100_000) throw bad(flag, `${JSON.stringify(text)}: more than 100000 seeds`);
    return Array.from({ length: b - a + 1 }, (_, i) => String(a + i));
  }
  const list = text.split(',').map((s) => s.trim());
  // A seed names its run's folder (`…--seed<seed>`): letters, digits, '.', '_' and '-' only.
  if (list.some((s) => !SEED_RE.test(s) || s.includes('..')))
    throw bad(
      flag,
      `${JSON.stringify(text)} is not a range a..b of whole numbers or a comma list of seeds (letters, digits, '.', '_', '-')`,
    );
  const twice = list.find((s, i) => list.indexOf(s) !== i);
  // A repeated seed would count one run twice in the means and confidence intervals.
  if (twice !== undefined) throw bad(flag, `seed ${JSON.stringify(twice)} is given twice`);
  return list;
}

/** `--workers auto|N` → 'auto' or a positive integer. */
export function parseWorkers(text: string | undefined): 'auto' | number {
  if (text === undefined || text === 'auto') return 'auto';
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 1024)
    throw bad('--workers', `${JSON.stringify(text)} is not auto or a positive integer`);
  return n;
}

/** `--bucket <seconds>`: the width of report time buckets, a positive number. */
export function parseBucket(text: string | undefined): number {
  const seconds = Number(text);
  if (!(seconds > 0)) throw bad('--bucket', `${JSON.stringify(text)} is not a positive number of seconds`);
  return seconds;
}
