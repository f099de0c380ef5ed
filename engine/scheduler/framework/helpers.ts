import { ValidationError } from '../../api/errors.js';
import { MAX_NODE_SCORE } from './types.js';

/**
 * kube-scheduler's `helper.DefaultNormalizeScore`: scales scores to 0..maxPriority by the maximum
 * (integer division); with `reverse`, maxPriority − scaled. All-zero scores become 0 (or maxPriority
 * when reversed).
 */
export function DefaultNormalizeScore(
  scores: Float64Array,
  count: number,
  reverse: boolean,
  maxPriority = MAX_NODE_SCORE,
): void {
  let max = 0;
  for (let i = 0; i < count; i++) if (scores[i]! > max) max = scores[i]!;
  if (max === 0) {
    if (reverse) scores.fill(maxPriority, 0, count);
    return;
  }
  for (let i = 0; i < count; i++) {
    let s = Math.trunc((maxPriority * scores[i]!) / max);
    if (reverse) s = maxPriority - s;
    scores[i] = s;
  }
}

/** Small typed reader over raw plugin args that throws ValidationError with the field's full path. */
export interface ArgsReader {
  readonly path: string;
  /** The raw object (empty when args were absent). */
  readonly raw: Record<string, unknown>;
  /** Throws a ValidationError at `path.field`. */
  fail(field: string, message: string): never;
  /** Rejects fields not in `known`. */
  only(known: readonly string[]): void;
}

/** Wraps raw args (must be an object or absent) for validation. */
export function pluginArgs(raw: unknown, path: string): ArgsReader {
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new ValidationError(path, 'args must be an object');
  }
  const obj = (raw ?? {}) as Record<string, unknown>;
  const reader: ArgsReader = {
    path,
    raw: obj,
    fail(field, message) {
      throw new ValidationError(field ? `${path}.${field}` : path, message);
    },
    only(known) {
      for (const k of Object.keys(obj))
        if (k !== 'kind' && k !== 'apiVersion' && !known.includes(k))
          reader.fail(k, `unknown field ${JSON.stringify(k)}`);
    },
  };
  return reader;
}
