/**
 * Canonical JSON: object keys in sorted order at every depth, `undefined` members dropped, no
 * whitespace. Two equal values always serialise to the same bytes, which the log hash relies on.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`cannot serialise non-finite number ${value}`);
      return JSON.stringify(value);
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
          const v = value[i];
          s += v === undefined ? 'null' : canonicalJson(v);
        }
        return s + ']';
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      let s = '{';
      let first = true;
      for (const k of keys) {
        const v = obj[k];
        if (v === undefined || typeof v === 'function') continue;
        if (!first) s += ',';
        first = false;
        s += JSON.stringify(k) + ':' + canonicalJson(v);
      }
      return s + '}';
    }
    default:
      throw new TypeError(`cannot serialise ${typeof value}`);
  }
}
