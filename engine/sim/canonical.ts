/**
 * Canonical JSON: object keys in sorted order at every depth, `undefined` members dropped, no
 * whitespace. Two equal values always serialise to the same bytes, which the log hash relies on.
 *
 * It sits on the hot path of every replay (each log entry), so it avoids work that cannot change
 * the bytes: keys that are already in order are not sorted again, the `"key":` prefix of a key is
 * built once and remembered, and strings without characters JSON must escape skip JSON.stringify.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`cannot serialise non-finite number ${value}`);
      // JSON.stringify of a finite number is its ToString (and -0 gives "0" both ways).
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let s = '[';
        for (let i = 0; i < value.length; i++) {
          if (i) s += ',';
          const v: unknown = value[i];
          s += v === undefined ? 'null' : canonicalJson(v);
        }
        return s + ']';
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj);
      // Sorting an already ordered list yields the same list: check first (the common case for
      // objects built in key order), sort only when some neighbour pair is out of order.
      for (let i = 1; i < keys.length; i++) {
        if (keys[i - 1]! > keys[i]!) {
          keys.sort();
          break;
        }
      }
      let s = '{';
      let first = true;
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        const v = obj[k];
        if (v === undefined || typeof v === 'function') continue;
        if (!first) s += ',';
        first = false;
        s += keyPrefix(k) + canonicalJson(v);
      }
      return s + '}';
    }
    default:
      throw new TypeError(`cannot serialise ${typeof value}`);
  }
}

/** Characters JSON.stringify escapes or replaces: quote, backslash, controls, lone surrogates. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function quote(s: string): string {
  // Plain text serialises as itself between quotes; anything else goes through JSON.stringify
  // (which also handles the well-formed-JSON escaping of lone surrogates).
  return s.length < 64 && !NEEDS_ESCAPE.test(s) ? `"${s}"` : JSON.stringify(s);
}

const KEY_PREFIX = new Map<string, string>();
const KEY_PREFIX_LIMIT = 8192;

function keyPrefix(k: string): string {
  let p = KEY_PREFIX.get(k);
  if (p === undefined) {
    p = quote(k) + ':';
    if (KEY_PREFIX.size >= KEY_PREFIX_LIMIT) KEY_PREFIX.clear();
    KEY_PREFIX.set(k, p);
  }
  return p;
}
