/** Adds `delta` to `m`'s count of `valueId` (ignored when negative: no domain); zero counts are deleted. */
export function addCount(m: Map<number, number>, valueId: number, delta: number): void {
  if (valueId < 0) return;
  const n = (m.get(valueId) ?? 0) + delta;
  if (n === 0) m.delete(valueId);
  else m.set(valueId, n);
}

/**
 * Pod counts per topology pair (label key id, value id) for one scheduling cycle, as kube-scheduler's
 * `topologyToMatchedTermCount`. Most of a cycle's counts already exist, kept up to date across cycles
 * (index domain counters, the plugin's groups of existing pods): they are referenced as read-only
 * *bases*, not copied. What the cycle adds itself (pods counted by a scan, preemption's what-if of
 * adding or removing a pod) goes into *deltas*. `withChanges` snapshots both for a what-if.
 */
export class TopologyCounts {
  /** key id → per-value counts owned by someone else (zero entries deleted by their owner). */
  readonly #bases: Map<number, ReadonlyMap<number, number>[]>;
  /** key id → value id → this cycle's own counts. */
  readonly #deltas: Map<number, Map<number, number>>;

  constructor() {
    this.#bases = new Map();
    this.#deltas = new Map();
  }

  /** Counts `counts` (value id → count) under key `keyId` too, by reference. */
  addBase(keyId: number, counts: ReadonlyMap<number, number>): void {
    const list = this.#bases.get(keyId);
    if (list) list.push(counts);
    else this.#bases.set(keyId, [counts]);
  }

  /** Adds `delta` to the pair (`keyId`, `valueId`); a negative value id (node without the key) is ignored. */
  add(keyId: number, valueId: number, delta: number): void {
    if (valueId < 0 || delta === 0) return;
    let m = this.#deltas.get(keyId);
    if (!m) this.#deltas.set(keyId, (m = new Map()));
    addCount(m, valueId, delta);
  }

  /** The count of the pair (`keyId`, `valueId`). */
  count(keyId: number, valueId: number): number {
    let n = 0;
    const bases = this.#bases.get(keyId);
    if (bases) for (const b of bases) n += b.get(valueId) ?? 0;
    const d = this.#deltas.get(keyId);
    if (d) n += d.get(valueId) ?? 0;
    return n;
  }

  /** Key ids that have bases or deltas. */
  keys(): number[] {
    const keys = new Set(this.#bases.keys());
    for (const k of this.#deltas.keys()) keys.add(k);
    return [...keys];
  }

  /** Whether no pair has a non-zero count. */
  isEmpty(): boolean {
    let deltas = false;
    for (const m of this.#deltas.values()) if (m.size > 0) deltas = true;
    if (!deltas) {
      for (const list of this.#bases.values()) for (const b of list) if (b.size > 0) return false;
      return true;
    }
    // Deltas may cancel base counts: check every pair that appears anywhere.
    for (const k of this.keys()) {
      const values = new Set<number>(this.#deltas.get(k)?.keys());
      for (const b of this.#bases.get(k) ?? []) for (const v of b.keys()) values.add(v);
      for (const v of values) if (this.count(k, v) !== 0) return false;
    }
    return true;
  }

  /**
   * A copy for a what-if, with the bases' counts *copied* now: preemption's dry run calls the PreFilter
   * extension before it takes a pod off the index (and after it puts one back), so the bases would
   * count each change a second time if they stayed live.
   */
  withChanges(): TopologyCounts {
    const c = new TopologyCounts();
    for (const [k, m] of this.#deltas) c.#deltas.set(k, new Map(m));
    for (const [k, list] of this.#bases) {
      for (const b of list) for (const [v, n] of b) c.add(k, v, n);
    }
    return c;
  }
}
