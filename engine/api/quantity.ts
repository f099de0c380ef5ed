import { ValidationError } from './errors.js';

/**
 * Kubernetes resource quantities (`100m`, `1.5`, `2Gi`, `500M`, `1e3`, `12E`), parsed exactly.
 * Values are kept as a rational (bigint numerator over a power of ten) so that no form loses
 * precision; conversions round up like `resource.Quantity.MilliValue()` / `Value()`.
 */

const BINARY: Record<string, bigint> = {
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};
const DECIMAL_EXP: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

const QUANTITY_RE = /^([+-]?)(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** An exact quantity: `num / 10^scale` (scale ≥ 0). */
export interface ExactQuantity {
  readonly num: bigint;
  readonly scale: number;
}

// Quantity texts repeat endlessly across objects ("100m", "1Gi"): each distinct valid text is parsed
// once (results are immutable). Invalid texts are never remembered, so they throw with their own path.
const PARSED = new Map<string, ExactQuantity>();
const PARSED_LIMIT = 4096;

/** Parses a quantity string exactly; throws ValidationError naming `path` for any invalid form. */
export function parseQuantity(text: string | number, path = ''): ExactQuantity {
  const s = typeof text === 'number' ? String(text) : text;
  const known = PARSED.get(s);
  if (known) return known;
  const q = parseQuantityText(s, path);
  if (PARSED.size >= PARSED_LIMIT) PARSED.clear();
  PARSED.set(s, q);
  return q;
}

function parseQuantityText(s: string, path: string): ExactQuantity {
  const m = QUANTITY_RE.exec(s.trim() === s ? s : '');
  if (!m) throw new ValidationError(path, `invalid quantity ${JSON.stringify(s)}`, 'INVALID_QUANTITY');
  const [, sign, digits, suffix = ''] = m;
  const [intPart, fracPart = ''] = digits!.split('.');
  let num = BigInt((intPart || '0') + fracPart);
  let scale = fracPart.length;
  if (sign === '-') num = -num;
  let exp10 = 0;
  if (suffix in BINARY) num *= BINARY[suffix]!;
  else if (suffix.startsWith('e') || suffix.startsWith('E')) {
    if (suffix.length === 1)
      exp10 = DECIMAL_EXP[suffix]!; // plain "E" means exa
    else exp10 = Number(suffix.slice(1));
    if (Math.abs(exp10) > 30)
      throw new ValidationError(
        path,
        `quantity exponent out of range in ${JSON.stringify(s)}`,
        'INVALID_QUANTITY',
      );
  } else exp10 = DECIMAL_EXP[suffix]!;
  if (exp10 >= 0) num *= 10n ** BigInt(exp10);
  else scale -= exp10;
  return { num, scale };
}

function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a > 0n ? q + 1n : q;
}

/** Exact value × 1000, rounded up (Kubernetes `MilliValue`). */
export function milliValueExact(q: ExactQuantity): bigint {
  return ceilDiv(q.num * 1000n, 10n ** BigInt(q.scale));
}

/** Exact integer value, rounded up (Kubernetes `Value`). */
export function valueExact(q: ExactQuantity): bigint {
  return ceilDiv(q.num, 10n ** BigInt(q.scale));
}

/** Milli-units as a JS number (cpu in millicores). Throws if beyond 2^53. */
export function toMilli(text: string | number, path = ''): number {
  return safe(milliValueExact(parseQuantity(text, path)), text, path);
}

/** Whole units as a JS number (memory in bytes, pods, GPUs). Throws if beyond 2^53. */
export function toUnits(text: string | number, path = ''): number {
  return safe(valueExact(parseQuantity(text, path)), text, path);
}

function safe(v: bigint, text: string | number, path: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ValidationError(
      path,
      `quantity ${JSON.stringify(text)} is too large to count exactly`,
      'INVALID_QUANTITY',
    );
  }
  return Number(v);
}

/**
 * A resource's amount in kreplay's canonical unit: millicores for `cpu`, whole units for everything
 * else (bytes for memory and storage, counts for pods and extended resources).
 */
export function resourceAmount(
  resource: string,
  text: string | number,
  path: string | (() => string) = '',
): number {
  const cpu = resource === 'cpu';
  const memo = cpu ? MILLI_MEMO : UNITS_MEMO;
  // Quantities repeat endlessly across pods ("100m", "500Mi"): parse each distinct text once. Only
  // successes are remembered, so an invalid text still throws with its own path every time. A path
  // given as a function is built only then (hot callers need it only for the error message).
  let v = memo.get(text);
  if (v === undefined) {
    const at = typeof path === 'function' ? path() : path;
    v = cpu ? toMilli(text, at) : toUnits(text, at);
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(text, v);
  }
  return v;
}

const MEMO_LIMIT = 4096;
const MILLI_MEMO = new Map<string | number, number>();
const UNITS_MEMO = new Map<string | number, number>();
