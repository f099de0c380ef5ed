/** Summary statistics and the machine description written beside every benchmark row. */
import { cpus } from 'node:os';

/** Median and spread of a list of rates (≥ 1 sample). */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Inter-quartile range: p75 − p25 (linear interpolation). */
  readonly iqr: number;
  readonly runs: number;
}

function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Median, min, max and IQR of `samples`. */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError('summarize: no samples');
  const s = [...samples].sort((a, b) => a - b);
  return {
    median: quantile(s, 0.5),
    min: s[0]!,
    max: s[s.length - 1]!,
    iqr: quantile(s, 0.75) - quantile(s, 0.25),
    runs: s.length,
  };
}

/** The machine a row was measured on. */
export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly node: string;
}

/** This machine. */
export function machine(): Machine {
  const c = cpus();
  return { cpuModel: (c[0]?.model ?? 'unknown').trim(), cores: c.length, node: process.version };
}
