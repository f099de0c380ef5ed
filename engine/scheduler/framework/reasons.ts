/**
 * Interned failure reasons. A filter writes a reason id per rejected node instead of building strings
 * in the hot path; the id resolves to the rejecting plugin and its reason strings, so explain output and
 * attempt diagnostics can be recovered exactly.
 */
export interface ReasonEntry {
  readonly plugin: string;
  readonly reasons: readonly string[];
}

/** Reason ids ↔ (plugin, reasons). Id 0 is reserved for "no reason". */
export class ReasonTable {
  readonly #ids = new Map<string, number>();
  readonly #entries: ReasonEntry[] = [{ plugin: '', reasons: [] }];

  /** The id of (plugin, reasons), interning it on first use. */
  intern(plugin: string, reasons: readonly string[]): number {
    const key = `${plugin}\u0000${reasons.join('\u0000')}`;
    let id = this.#ids.get(key);
    if (id === undefined) {
      id = this.#entries.length;
      this.#ids.set(key, id);
      this.#entries.push(Object.freeze({ plugin, reasons: Object.freeze([...reasons]) }));
    }
    return id;
  }

  /** The entry of an id. */
  get(id: number): ReasonEntry {
    return this.#entries[id] ?? this.#entries[0]!;
  }
}
