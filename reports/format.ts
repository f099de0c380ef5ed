/**
 * Stable number formatting and small statistics shared by the folds and writers. Reports are compared
 * byte for byte, so every fractional number goes through one of these.
 */
import type { RunSummary } from './types.js';

/** Decimals of every fractional number in reports. */
export const DECIMALS = 6;

/** `x` rounded to {@link DECIMALS} decimals, as a number (for JSON). */
export function round6(x: number): number {
  const r = Number(x.toFixed(DECIMALS));
  return Object.is(r, -0) ? 0 : r;
}

/** A fractional quantity with exactly {@link DECIMALS} decimals; `''` when undefined. */
export function fixed(x: number | undefined): string {
  if (x === undefined) return '';
  const s = x.toFixed(DECIMALS);
  return s === `-${(0).toFixed(DECIMALS)}` ? (0).toFixed(DECIMALS) : s;
}

/**
 * Nearest-rank percentile of ascending `sorted`: the smallest value with at least p% of the values at
 * or below it, i.e. `sorted[ceil(p/100 × n) − 1]` (and `sorted[0]` for p = 0); 0 for no values.
 */
export function nearestRank(sorted: readonly number[], p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  return sorted[Math.min(n, rank) - 1]!;
}

/** A summary flattened to `key → value` with dotted keys (`pendingSeconds.p50`, `utilization.cpu.mean`). */
export function flattenSummary(s: RunSummary): Array<[string, string | number]> {
  const out: Array<[string, string | number]> = [];
  for (const [k, v] of Object.entries(s)) {
    if (k === 'pendingSeconds') {
      const p = s.pendingSeconds;
      out.push(['pendingSeconds.p50', p.p50], ['pendingSeconds.p90', p.p90]);
      out.push(['pendingSeconds.p99', p.p99], ['pendingSeconds.max', p.max]);
    } else if (k === 'utilization') {
      for (const [r, u] of Object.entries(s.utilization)) {
        out.push([`utilization.${r}.mean`, u.mean], [`utilization.${r}.peak`, u.peak]);
      }
    } else {
      out.push([k, v as string | number]);
    }
  }
  return out;
}

/** Summary keys whose values are counts (written as integers); the others are fractional. */
export const INTEGER_SUMMARY_KEYS: ReadonlySet<string> = new Set([
  'events',
  'nodes',
  'podsSubmitted',
  'podsScheduled',
  'podsUnschedulable',
  'podsPreempted',
  'podsRejectedByQuota',
  'podsSucceeded',
  'podsFailed',
  'schedulingAttempts',
  'invalidSkipped',
]);

/** A flattened summary value as a CSV cell: counts as integers, other numbers fixed, strings as is. */
export function summaryCell(key: string, v: string | number | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  return INTEGER_SUMMARY_KEYS.has(key) ? String(v) : fixed(v);
}
