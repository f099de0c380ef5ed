/**
 * A string interner: each distinct string gets a dense id in first-seen order, so ids (and any array
 * indexed by them) are deterministic for a deterministic input order.
 */
export class Interner {
  readonly #ids = new Map<string, number>();
  readonly #names: string[] = [];

  /** The id of `s`, assigning the next one when it is new. */
  intern(s: string): number {
    let id = this.#ids.get(s);
    if (id === undefined) {
      id = this.#names.length;
      this.#ids.set(s, id);
      this.#names.push(s);
    }
    return id;
  }

  /** The id of `s`, or -1 when it was never interned (lookups never grow the table). */
  get(s: string): number {
    return this.#ids.get(s) ?? -1;
  }

  /** The string of an id. */
  name(id: number): string {
    return this.#names[id]!;
  }

  /** Number of ids handed out. */
  get size(): number {
    return this.#names.length;
  }
}
