import type { NodeIndex } from '../../index/index.js';
import type { PodAffinityTerms } from './terms.js';
import { addCount } from './topology-counts.js';

/**
 * Bound pods that share one compiled terms object (terms.ts shares them per namespace and affinity
 * content, so these are usually the pods of one workload): how many sit on each node slot and, per
 * topology key asked for, in each domain. A cycle then tests each group's terms once instead of
 * each pod's.
 */
export class PodGroup {
  /** Node slot → pods of the group there. */
  readonly slots = new Map<number, number>();
  /**
   * key id → value id → pods: counted from `slots` when first asked for, then kept up to date;
   * undefined again after a node of the group changed.
   */
  #domains: Map<number, Map<number, number>> | undefined;

  constructor(
    readonly terms: PodAffinityTerms,
    readonly keyIds: readonly number[],
    private readonly idx: NodeIndex,
  ) {}

  /** Adds `delta` pods on `slot`. */
  add(slot: number, delta: number): void {
    const n = (this.slots.get(slot) ?? 0) + delta;
    if (n > 0) this.slots.set(slot, n);
    else this.slots.delete(slot);
    if (this.#domains) for (const [k, m] of this.#domains) addCount(m, this.idx.labelValues(k)[slot]!, delta);
  }

  /** Pods per domain (value id) of topology key `keyId`, one of `keyIds`; zero entries are absent. */
  domains(keyId: number): ReadonlyMap<number, number> {
    if (!this.#domains) {
      this.#domains = new Map(this.keyIds.map((k) => [k, new Map()]));
      for (const [k, m] of this.#domains) {
        const col = this.idx.labelValues(k);
        for (const [slot, n] of this.slots) addCount(m, col[slot]!, n);
      }
    }
    return this.#domains.get(keyId) ?? EMPTY;
  }

  /** A node's labels may have changed: its pods' domains are recounted when next asked for. */
  nodeChanged(slot: number): void {
    if (this.slots.has(slot)) this.#domains = undefined;
  }

  get empty(): boolean {
    return this.slots.size === 0;
  }
}

const EMPTY: ReadonlyMap<number, number> = new Map();

/** The groups of one kind (e.g. pods with required anti-affinity), by terms object. */
export class PodGroups {
  readonly #groups = new Map<PodAffinityTerms, PodGroup>();

  /** `keyIdsOf(terms)`: the topology keys whose domain counts a group of these terms keeps. */
  constructor(
    private readonly idx: NodeIndex,
    private readonly keyIdsOf: (terms: PodAffinityTerms) => readonly number[],
  ) {}

  /** A pod with `terms` was bound to (`delta` 1) or removed from (-1) `slot`. */
  track(terms: PodAffinityTerms, slot: number, delta: 1 | -1): void {
    let g = this.#groups.get(terms);
    if (!g) this.#groups.set(terms, (g = new PodGroup(terms, [...new Set(this.keyIdsOf(terms))], this.idx)));
    g.add(slot, delta);
    if (g.empty) this.#groups.delete(terms);
  }

  nodeChanged(slot: number): void {
    for (const g of this.#groups.values()) g.nodeChanged(slot);
  }

  values(): IterableIterator<PodGroup> {
    return this.#groups.values();
  }

  /** Number of groups (0: no pod of this kind is bound anywhere). */
  get size(): number {
    return this.#groups.size;
  }
}
