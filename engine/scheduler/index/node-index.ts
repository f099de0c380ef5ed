import type { Node, Pod, Taint } from '../../api/types.js';
import { nodeAllocatable, plainPodRequests, podNonZeroRequests, podRequests } from '../../api/resources.js';
import { Interner } from './interner.js';

/**
 * The node index: kube-scheduler's NodeInfo snapshot as struct-of-arrays over node slots. Columns are
 * typed arrays backed by SharedArrayBuffers (so worker threads can read them without copies) and grow
 * by doubling. Everything is maintained incrementally on node add/update/remove and pod bind/delete;
 * nothing is rebuilt per scheduling cycle.
 *
 * Columns are replaced when the index grows: read them through the index at the start of a plugin
 * call (`index.allocatable[r]`), never cache them across calls.
 */

/** Interned resource ids that always exist, in this order. */
export const RES_CPU = 0;
export const RES_MEMORY = 1;
export const RES_EPHEMERAL_STORAGE = 2;
export const RES_PODS = 3;

const INITIAL_CAPACITY = 64;
const EMPTY_TAINTS = new Int32Array(0);
const EMPTY_DOMAINS: ReadonlyMap<number, number> = new Map();

function sharedF64(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(n * 8));
}
function sharedI32(n: number, fill = 0): Int32Array {
  const a = new Int32Array(new SharedArrayBuffer(n * 4));
  if (fill !== 0) a.fill(fill);
  return a;
}
function sharedU8(n: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(n));
}
function growF64(a: Float64Array, n: number): Float64Array {
  const b = sharedF64(n);
  b.set(a);
  return b;
}
function growI32(a: Int32Array, n: number, fill = 0): Int32Array {
  const b = sharedI32(n, fill);
  b.set(a);
  return b;
}

/** A pod's resource requests as parallel arrays of interned resource ids and amounts (canonical units). */
export interface PodResources {
  /** Resource ids with a non-zero request, in the pod spec's first-seen order. */
  readonly ids: Int32Array;
  /** Requested amount per entry of `ids`: cpu millicores, memory bytes, counts. */
  readonly amounts: Float64Array;
  /** Requested millicores (0 when none). */
  readonly milliCpu: number;
  /** Requested memory bytes (0 when none). */
  readonly memoryBytes: number;
  /** Requested ephemeral storage bytes (0 when none). */
  readonly ephemeralBytes: number;
  /** Non-zero-default cpu for scoring (a container without a cpu request counts 100m). */
  readonly nonZeroMilliCpu: number;
  /** Non-zero-default memory for scoring (a container without a memory request counts 200 MiB). */
  readonly nonZeroMemoryBytes: number;
}

/** One host port a container asks for (`hostIP` defaulted to 0.0.0.0, protocol to TCP). */
export interface HostPort {
  readonly protocol: string;
  readonly hostIP: string;
  readonly port: number;
}

/** A pod as the index holds it once bound: the object plus what accounting needs again on removal. */
export interface IndexedPod {
  readonly pod: Pod;
  /** `namespace/name`. */
  readonly key: string;
  readonly namespace: string;
  readonly nodeName: string;
  /** Node slot, or -1 while its node is not in the index (a pod may be seen before its node). */
  slot: number;
  readonly resources: PodResources;
  readonly ports: readonly HostPort[];
}

/** Callbacks for plugins that keep their own incremental state (e.g. existing pods with affinity terms). */
export interface IndexListener {
  /** A pod was accounted on a live node slot. */
  podAdded?(p: IndexedPod): void;
  /** A pod was removed from a live node slot (the slot is still set). */
  podRemoved?(p: IndexedPod): void;
  /** A node slot was added, changed or is about to be removed (`removed` true). */
  nodeChanged?(slot: number, removed: boolean): void;
}

/**
 * Per-topology-domain counts of bound pods matching a predicate, maintained incrementally on pod
 * add/remove and node label changes. The domain of a node is its value id for `topologyKey`
 * (`index.labelValues(keyId)[slot]`); nodes without the key belong to no domain.
 */
export interface DomainCounter {
  /** The topology label key. */
  readonly topologyKey: string;
  /** Interned id of `topologyKey`. */
  readonly keyId: number;
  /** Sum of weights of matching pods on one node slot. */
  onNode(slot: number): number;
  /** `onNode` of every slot at once (read-only; replaced when the index grows, so re-read it per use). */
  nodeCounts(): Int32Array;
  /** Sum of weights of matching pods over all nodes of a domain (a value id of the key). */
  inDomain(valueId: number): number;
  /** Sum over the domain of the node at `slot` (0 when the node lacks the key). */
  inDomainOfNode(slot: number): number;
  /**
   * Domains with a non-zero count (value id → count), in first-counted order: the live map,
   * read-only, which changes as pods do.
   */
  domainCounts(): ReadonlyMap<number, number>;
  /** Drops one reference; the counter stops being maintained when the last holder releases it. */
  release(): void;
}

/** Weight of a pod for a counter: 0 = does not match. */
export type PodWeight = (p: IndexedPod) => number;

class Counter implements DomainCounter {
  refs = 1;
  perNode: Int32Array;
  readonly byDomain = new Map<number, number>();
  constructor(
    readonly index: NodeIndex,
    readonly cacheKey: string,
    readonly topologyKey: string,
    readonly keyId: number,
    readonly weight: PodWeight,
    capacity: number,
  ) {
    this.perNode = new Int32Array(capacity);
  }
  onNode(slot: number): number {
    return this.perNode[slot]!;
  }
  nodeCounts(): Int32Array {
    return this.perNode;
  }
  inDomain(valueId: number): number {
    return this.byDomain.get(valueId) ?? 0;
  }
  inDomainOfNode(slot: number): number {
    const v = this.index.labelValues(this.keyId)[slot]!;
    return v < 0 ? 0 : (this.byDomain.get(v) ?? 0);
  }
  domainCounts(): ReadonlyMap<number, number> {
    return this.byDomain;
  }
  release(): void {
    this.index.releaseCounter(this);
  }
  addToDomain(valueId: number, delta: number): void {
    if (valueId < 0 || delta === 0) return;
    const n = (this.byDomain.get(valueId) ?? 0) + delta;
    if (n === 0) this.byDomain.delete(valueId);
    else this.byDomain.set(valueId, n);
  }
}

function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`;
}

/** Host ports wanted by a pod's containers (kube-scheduler counts regular containers only). */
export function podHostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ protocol: p.protocol || 'TCP', hostIP: p.hostIP || '0.0.0.0', port: p.hostPort });
    }
  }
  return out;
}

/** Parses a label value as a base-10 int64 like Go's strconv.ParseInt, NaN when it is not one. */
function parseLabelInt(s: string): number {
  return /^[+-]?\d+$/.test(s) ? Number(s) : NaN;
}

/** The node index. See the module comment. */
export class NodeIndex {
  /** Resource names ↔ ids; cpu, memory, ephemeral-storage, pods are 0..3. */
  readonly resources = new Interner();
  /** Label keys ↔ ids (also the topology keys). */
  readonly labelKeys = new Interner();
  /** Label values ↔ ids, shared by all keys (a value id is also a topology domain id). */
  readonly labelValuesTable = new Interner();
  /** Taints (key, value, effect) ↔ ids. */
  readonly taintTable = new Interner();
  /** Taint objects by id. */
  readonly taints: Taint[] = [];

  /** Slots allocated so far (live or free); scans run over `[0, size)`. */
  size = 0;
  /** Live nodes. */
  count = 0;
  #capacity = INITIAL_CAPACITY;
  readonly #free: number[] = [];

  /** Allocatable per resource id, per slot. */
  allocatable: Float64Array[] = [];
  /** Sum of bound pods' requests per resource id, per slot. */
  requested: Float64Array[] = [];
  /** Sum of bound pods' non-zero-default cpu (millicores), per slot: used by scoring. */
  nonZeroMilliCpu: Float64Array = sharedF64(INITIAL_CAPACITY);
  /** Sum of bound pods' non-zero-default memory (bytes), per slot. */
  nonZeroMemoryBytes: Float64Array = sharedF64(INITIAL_CAPACITY);
  /** Bound pods per slot. */
  podCount: Int32Array = sharedI32(INITIAL_CAPACITY);
  /** 1 for a live slot. */
  live: Uint8Array = sharedU8(INITIAL_CAPACITY);
  /** 1 when `spec.unschedulable`. */
  unschedulable: Uint8Array = sharedU8(INITIAL_CAPACITY);
  /** Taint ids per slot. */
  nodeTaints: Int32Array[] = [];
  /** Node names per slot ('' for a free slot). */
  names: string[] = [];
  /** Node objects per slot. */
  nodes: (Node | undefined)[] = [];
  /** Bound pods per slot (kube-scheduler's NodeInfo.Pods), in bind order. */
  pods: IndexedPod[][] = [];
  /** Host ports in use per slot. */
  usedPorts: HostPort[][] = [];
  /** Image name → size in bytes, per slot (every name of `status.images[].names`). */
  images: Map<string, number>[] = [];

  #labelValues: Int32Array[] = [];
  readonly #labelValueInt: number[] = [];
  readonly #slotByName = new Map<string, number>();
  readonly #podsByKey = new Map<string, IndexedPod>();
  readonly #waiting = new Map<string, IndexedPod[]>();
  readonly #imageNodes = new Map<string, number>();
  #taintedNodes = 0;
  #unschedulableNodes = 0;
  /** Per label key id: value id → live nodes with that value (the key's domains), first-seen order. */
  readonly #domainNodes: Map<number, number>[] = [];
  /** Per label key id: live nodes that have the key. */
  readonly #keyNodes: number[] = [];
  readonly #bitsets = new Map<string, Uint32Array>();
  readonly #counters: Counter[] = [];
  readonly #countersByKey = new Map<string, Counter>();
  readonly #listeners: IndexListener[] = [];
  readonly #resourcesBySpec = new WeakMap<object, PodResources>();
  readonly #resourcesByContainers = new WeakMap<object, PodResources>();
  /** Lowest `spec.priority` of the bound pods per slot (+∞ when none); undefined = to recompute. */
  readonly #minPriority: (number | undefined)[] = [];

  constructor() {
    for (const r of ['cpu', 'memory', 'ephemeral-storage', 'pods']) this.#resourceId(r);
  }

  /** Slot capacity of the columns. */
  get capacity(): number {
    return this.#capacity;
  }

  /** The slot of a live node, or -1. */
  slotOf(name: string): number {
    return this.#slotByName.get(name) ?? -1;
  }

  /**
   * The lowest `spec.priority` (0 when unset) among the pods bound to a slot, +∞ when it has none:
   * preemption skips nodes with no lower-priority pod without looking at their pods.
   */
  minPodPriority(slot: number): number {
    let min = this.#minPriority[slot];
    if (min === undefined) {
      min = Number.POSITIVE_INFINITY;
      for (const p of this.pods[slot] ?? []) min = Math.min(min, p.pod.spec?.priority ?? 0);
      this.#minPriority[slot] = min;
    }
    return min;
  }

  /** The bound pod with this `namespace/name`, if any. */
  getPod(key: string): IndexedPod | undefined {
    return this.#podsByKey.get(key);
  }

  /** Registers a listener for incremental plugin state; returns an unsubscribe function. */
  subscribe(l: IndexListener): () => void {
    this.#listeners.push(l);
    return () => {
      const i = this.#listeners.indexOf(l);
      if (i >= 0) this.#listeners.splice(i, 1);
    };
  }

  /** Interns a resource name, creating its zeroed columns. */
  resourceId(name: string): number {
    return this.#resourceId(name);
  }

  #resourceId(name: string): number {
    const id = this.resources.intern(name);
    while (this.allocatable.length <= id) {
      this.allocatable.push(sharedF64(this.#capacity));
      this.requested.push(sharedF64(this.#capacity));
    }
    return id;
  }

  /** Value ids of label key `keyId` per slot (-1 = node lacks the key): the topology domain column. */
  labelValues(keyId: number): Int32Array {
    while (this.#labelValues.length <= keyId) this.#labelValues.push(sharedI32(this.#capacity, -1));
    return this.#labelValues[keyId]!;
  }

  /** The label-key id of `key`, interning it (so a column exists even if no node has it yet). */
  labelKeyId(key: string): number {
    const id = this.labelKeys.intern(key);
    this.labelValues(id);
    return id;
  }

  /** A label value of a node slot, or undefined. */
  labelOf(slot: number, key: string): string | undefined {
    const k = this.labelKeys.get(key);
    if (k < 0) return undefined;
    const v = this.labelValues(k)[slot]!;
    return v < 0 ? undefined : this.labelValuesTable.name(v);
  }

  /** A value id parsed as an integer (Go ParseInt base 10), NaN when it is not one. */
  labelValueInt(valueId: number): number {
    let n = this.#labelValueInt[valueId];
    if (n === undefined) {
      n = parseLabelInt(this.labelValuesTable.name(valueId));
      this.#labelValueInt[valueId] = n;
    }
    return n;
  }

  /**
   * A bitset (bit `slot` of word `slot >>> 5`) of live nodes carrying label `key=value`, built on first
   * request and maintained incrementally afterwards. Replaced on growth: fetch it per call.
   */
  labelBitset(key: string, value: string): Uint32Array {
    const k = this.labelKeyId(key);
    const v = this.labelValuesTable.intern(value);
    const cacheKey = `${k}:${v}`;
    let bits = this.#bitsets.get(cacheKey);
    if (!bits) {
      bits = new Uint32Array(new SharedArrayBuffer(((this.#capacity + 31) >>> 5) * 4));
      const col = this.labelValues(k);
      for (let s = 0; s < this.size; s++) if (this.live[s] && col[s] === v) bits[s >>> 5]! |= 1 << (s & 31);
      this.#bitsets.set(cacheKey, bits);
    }
    return bits;
  }

  /** Live nodes with at least one taint (0: TaintToleration has nothing to filter or count). */
  get taintedNodes(): number {
    return this.#taintedNodes;
  }

  /** The domains of label key `keyId`: value id → live nodes with that value (read-only, live). */
  domainNodes(keyId: number): ReadonlyMap<number, number> {
    return this.#domainNodes[keyId] ?? EMPTY_DOMAINS;
  }

  /** Live nodes that have label key `keyId` (equal to `count`: every node has it). */
  nodesWithKey(keyId: number): number {
    return this.#keyNodes[keyId] ?? 0;
  }

  /** Live nodes with `spec.unschedulable` (0: NodeUnschedulable has nothing to reject). */
  get unschedulableNodes(): number {
    return this.#unschedulableNodes;
  }

  /** Number of distinct images present on any node (0: ImageLocality has nothing to score). */
  get imageCount(): number {
    return this.#imageNodes.size;
  }

  /** Number of live nodes that have an image under this exact name. */
  imageNodeCount(name: string): number {
    return this.#imageNodes.get(name) ?? 0;
  }

  /** Requests of a pod compiled against this index's resource ids. */
  podResources(pod: Pod): PodResources {
    // Compiled once per pod spec object: every attempt and the bind of one pod share it (stored
    // objects are replaced, never mutated, so a spec object's requests never change).
    const spec = pod.spec;
    if (!spec) return this.#compileResources(pod);
    // A spread of a spec (the binding's `{...spec, nodeName}`) keeps its containers array: when
    // containers are all there is to the requests, the compiled requests of that array serve (one
    // weak-map entry per pod is cheaper for the collector than two).
    if (spec.initContainers === undefined && spec.overhead === undefined && Array.isArray(spec.containers)) {
      let r = this.#resourcesByContainers.get(spec.containers);
      if (!r) this.#resourcesByContainers.set(spec.containers, (r = this.#compileResources(pod)));
      return r;
    }
    let r = this.#resourcesBySpec.get(spec);
    if (!r) this.#resourcesBySpec.set(spec, (r = this.#compileResources(pod)));
    return r;
  }

  #compileResources(pod: Pod): PodResources {
    const plain = plainPodRequests(pod);
    const req = plain ? plain.requests : podRequests(pod);
    const ids: number[] = [];
    const amounts: number[] = [];
    for (const [name, amount] of req) {
      if (amount === 0) continue;
      ids.push(this.#resourceId(name));
      amounts.push(amount);
    }
    const nz = plain
      ? { milliCpu: plain.nonZeroMilliCpu, memoryBytes: plain.nonZeroMemoryBytes }
      : podNonZeroRequests(pod);
    return {
      ids: Int32Array.from(ids),
      amounts: Float64Array.from(amounts),
      milliCpu: req.get('cpu') ?? 0,
      memoryBytes: req.get('memory') ?? 0,
      ephemeralBytes: req.get('ephemeral-storage') ?? 0,
      nonZeroMilliCpu: nz.milliCpu,
      nonZeroMemoryBytes: nz.memoryBytes,
    };
  }

  // ---- nodes ----

  /** Adds a node (or updates it when the name is known). */
  addNode(node: Node): number {
    const name = node.metadata?.name ?? '';
    const existing = this.#slotByName.get(name);
    if (existing !== undefined) {
      this.updateNode(node);
      return existing;
    }
    const slot = this.#allocSlot();
    this.#slotByName.set(name, slot);
    this.names[slot] = name;
    this.live[slot] = 1;
    this.count++;
    this.pods[slot] = [];
    this.#minPriority[slot] = undefined;
    this.usedPorts[slot] = [];
    this.#setNodeFields(slot, node, true);
    const waiting = this.#waiting.get(name);
    if (waiting) {
      this.#waiting.delete(name);
      for (const p of waiting) this.#account(p, slot, 1);
    }
    for (const l of this.#listeners) l.nodeChanged?.(slot, false);
    return slot;
  }

  /** Replaces a node's object (allocatable, labels, taints, images, unschedulable); its pods stay. */
  updateNode(node: Node): void {
    const slot = this.#slotByName.get(node.metadata?.name ?? '');
    if (slot === undefined) {
      this.addNode(node);
      return;
    }
    this.#clearNodeFields(slot);
    this.#setNodeFields(slot, node, false);
    for (const l of this.#listeners) l.nodeChanged?.(slot, false);
  }

  /** Removes a node. Its pods leave the accounting but are remembered in case the node comes back. */
  removeNode(name: string): void {
    const slot = this.#slotByName.get(name);
    if (slot === undefined) return;
    for (const l of this.#listeners) l.nodeChanged?.(slot, true);
    const pods = this.pods[slot]!.slice();
    for (let i = pods.length - 1; i >= 0; i--) this.#account(pods[i]!, slot, -1);
    if (pods.length > 0) this.#waiting.set(name, pods);
    this.#clearNodeFields(slot);
    for (let r = 0; r < this.allocatable.length; r++) {
      this.allocatable[r]![slot] = 0;
      this.requested[r]![slot] = 0;
    }
    this.nonZeroMilliCpu[slot] = 0;
    this.nonZeroMemoryBytes[slot] = 0;
    this.podCount[slot] = 0;
    this.live[slot] = 0;
    this.names[slot] = '';
    this.nodes[slot] = undefined;
    this.pods[slot] = [];
    this.#minPriority[slot] = undefined;
    this.usedPorts[slot] = [];
    this.#slotByName.delete(name);
    this.count--;
    this.#free.push(slot);
    // Lowest free slot first, so slot assignment depends only on the sequence of calls.
    this.#free.sort((a, b) => b - a);
  }

  #allocSlot(): number {
    if (this.#free.length > 0) return this.#free.pop()!;
    if (this.size === this.#capacity) this.#grow(this.#capacity * 2);
    return this.size++;
  }

  #grow(cap: number): void {
    this.allocatable = this.allocatable.map((a) => growF64(a, cap));
    this.requested = this.requested.map((a) => growF64(a, cap));
    this.nonZeroMilliCpu = growF64(this.nonZeroMilliCpu, cap);
    this.nonZeroMemoryBytes = growF64(this.nonZeroMemoryBytes, cap);
    this.podCount = growI32(this.podCount, cap);
    const live = sharedU8(cap);
    live.set(this.live);
    this.live = live;
    const uns = sharedU8(cap);
    uns.set(this.unschedulable);
    this.unschedulable = uns;
    this.#labelValues = this.#labelValues.map((a) => growI32(a, cap, -1));
    for (const [k, bits] of this.#bitsets) {
      const b = new Uint32Array(new SharedArrayBuffer(((cap + 31) >>> 5) * 4));
      b.set(bits);
      this.#bitsets.set(k, b);
    }
    for (const c of this.#counters) {
      const b = new Int32Array(cap);
      b.set(c.perNode);
      c.perNode = b;
    }
    this.#capacity = cap;
  }

  #setNodeFields(slot: number, node: Node, fresh: boolean): void {
    this.nodes[slot] = node;
    const alloc = nodeAllocatable(node);
    if (!fresh) for (let r = 0; r < this.allocatable.length; r++) this.allocatable[r]![slot] = 0;
    for (const [name, amount] of alloc) this.allocatable[this.#resourceId(name)]![slot] = amount;
    // The slot is fresh or cleared (#clearNodeFields took its old taints and cordon off the counts).
    this.unschedulable[slot] = node.spec?.unschedulable ? 1 : 0;
    if (this.unschedulable[slot]) this.#unschedulableNodes++;
    const taints = node.spec?.taints ?? [];
    if (taints.length > 0) this.#taintedNodes++;
    if (taints.length === 0) this.nodeTaints[slot] = EMPTY_TAINTS;
    else {
      const ids = new Int32Array(taints.length);
      taints.forEach((t, i) => {
        const id = this.taintTable.intern(`${t.key}\u0000${t.value ?? ''}\u0000${t.effect}`);
        this.taints[id] = t;
        ids[i] = id;
      });
      this.nodeTaints[slot] = ids;
    }
    const labels = node.metadata?.labels ?? {};
    for (const [k, v] of Object.entries(labels))
      this.#setLabel(slot, this.labelKeyId(k), this.labelValuesTable.intern(v));
    const imgs = new Map<string, number>();
    for (const img of node.status?.images ?? []) {
      for (const n of img.names ?? []) {
        if (imgs.has(n)) continue;
        imgs.set(n, img.sizeBytes ?? 0);
        this.#imageNodes.set(n, (this.#imageNodes.get(n) ?? 0) + 1);
      }
    }
    this.images[slot] = imgs;
  }

  #clearNodeFields(slot: number): void {
    for (let k = 0; k < this.#labelValues.length; k++)
      if (this.#labelValues[k]![slot]! >= 0) this.#setLabel(slot, k, -1);
    for (const n of this.images[slot]?.keys() ?? []) {
      const c = this.#imageNodes.get(n)! - 1;
      if (c === 0) this.#imageNodes.delete(n);
      else this.#imageNodes.set(n, c);
    }
    this.images[slot] = new Map();
    if (this.nodeTaints[slot]!.length > 0) this.#taintedNodes--;
    if (this.unschedulable[slot]) this.#unschedulableNodes--;
    this.nodeTaints[slot] = EMPTY_TAINTS;
    this.unschedulable[slot] = 0;
  }

  /** Sets one label of a slot, keeping bitsets and domain counters in step. */
  #setLabel(slot: number, keyId: number, valueId: number): void {
    const col = this.labelValues(keyId);
    const old = col[slot]!;
    if (old === valueId) return;
    if (old >= 0) {
      const b = this.#bitsets.get(`${keyId}:${old}`);
      if (b) b[slot >>> 5]! &= ~(1 << (slot & 31));
      const domains = this.#domainNodes[keyId]!;
      const left = domains.get(old)! - 1;
      if (left === 0) domains.delete(old);
      else domains.set(old, left);
      this.#keyNodes[keyId]!--;
    }
    if (valueId >= 0) {
      const b = this.#bitsets.get(`${keyId}:${valueId}`);
      if (b) b[slot >>> 5]! |= 1 << (slot & 31);
      let domains = this.#domainNodes[keyId];
      if (!domains) this.#domainNodes[keyId] = domains = new Map();
      domains.set(valueId, (domains.get(valueId) ?? 0) + 1);
      this.#keyNodes[keyId] = (this.#keyNodes[keyId] ?? 0) + 1;
    }
    for (const c of this.#counters) {
      if (c.keyId !== keyId) continue;
      const n = c.perNode[slot]!;
      c.addToDomain(old, -n);
      c.addToDomain(valueId, n);
    }
    col[slot] = valueId;
  }

  // ---- pods ----

  /** Accounts a pod bound to `pod.spec.nodeName`. Re-adding a known pod replaces it. */
  addPod(pod: Pod): void {
    const key = podKey(pod);
    if (this.#podsByKey.has(key)) this.removePod(pod);
    const nodeName = pod.spec?.nodeName ?? '';
    const p: IndexedPod = {
      pod,
      key,
      namespace: pod.metadata?.namespace ?? 'default',
      nodeName,
      slot: -1,
      resources: this.podResources(pod),
      ports: podHostPorts(pod),
    };
    this.#podsByKey.set(key, p);
    const slot = this.#slotByName.get(nodeName);
    if (slot === undefined) {
      let w = this.#waiting.get(nodeName);
      if (!w) this.#waiting.set(nodeName, (w = []));
      w.push(p);
      return;
    }
    this.#account(p, slot, 1);
  }

  /**
   * A what-if (preemption's dry run): takes a pod accounted on a live node off it, as `removePod`
   * would, keeping the object for {@link restorePod}. The pod stays known by name meanwhile (`getPod`
   * returns it with slot -1): a dry run restores every pod it withdraws. Returns the slot it was on
   * (-1: not on a node, nothing done).
   */
  withdrawPod(p: IndexedPod): number {
    const slot = p.slot;
    if (slot < 0) return -1;
    this.#account(p, slot, -1);
    return slot;
  }

  /** Undoes {@link withdrawPod}: the same pod object back on `slot`, as `addPod` would account it. */
  restorePod(p: IndexedPod, slot: number): void {
    if (p.slot >= 0 || this.#podsByKey.get(p.key) !== p)
      throw new Error(`restorePod: ${p.key} was not withdrawn`);
    this.#account(p, slot, 1);
  }

  /** Removes a bound pod (by namespace/name). Unknown pods are ignored. */
  removePod(pod: Pod): void {
    const key = podKey(pod);
    const p = this.#podsByKey.get(key);
    if (!p) return;
    this.#podsByKey.delete(key);
    if (p.slot >= 0) {
      this.#account(p, p.slot, -1);
      return;
    }
    const w = this.#waiting.get(p.nodeName);
    if (w) {
      const i = w.indexOf(p);
      if (i >= 0) w.splice(i, 1);
      if (w.length === 0) this.#waiting.delete(p.nodeName);
    }
  }

  #account(p: IndexedPod, slot: number, sign: 1 | -1): void {
    const r = p.resources;
    for (let i = 0; i < r.ids.length; i++) this.requested[r.ids[i]!]![slot]! += sign * r.amounts[i]!;
    this.nonZeroMilliCpu[slot]! += sign * r.nonZeroMilliCpu;
    this.nonZeroMemoryBytes[slot]! += sign * r.nonZeroMemoryBytes;
    this.podCount[slot]! += sign;
    const list = this.pods[slot]!;
    const ports = this.usedPorts[slot]!;
    const min = this.#minPriority[slot];
    if (min !== undefined) {
      const prio = p.pod.spec?.priority ?? 0;
      if (sign > 0 && prio < min) this.#minPriority[slot] = prio;
      else if (sign < 0 && prio === min) this.#minPriority[slot] = undefined; // recomputed on demand
    }
    if (sign > 0) {
      p.slot = slot;
      list.push(p);
      for (const hp of p.ports) ports.push(hp);
      for (const c of this.#counters) this.#count(c, p, slot, 1);
      for (const l of this.#listeners) l.podAdded?.(p);
    } else {
      for (const l of this.#listeners) l.podRemoved?.(p);
      for (const c of this.#counters) this.#count(c, p, slot, -1);
      const i = list.indexOf(p);
      if (i >= 0) list.splice(i, 1);
      for (const hp of p.ports) {
        const j = ports.indexOf(hp);
        if (j >= 0) ports.splice(j, 1);
      }
      p.slot = -1;
    }
  }

  #count(c: Counter, p: IndexedPod, slot: number, sign: 1 | -1): void {
    const w = c.weight(p);
    if (w === 0) return;
    c.perNode[slot]! += sign * w;
    c.addToDomain(this.labelValues(c.keyId)[slot]!, sign * w);
  }

  // ---- domain counters ----

  /**
   * A counter of bound pods weighted by `weight` per domain of `topologyKey`. Counters are shared by
   * `cacheKey` (e.g. the serialized selector + namespaces + topology key): a second acquire with the
   * same key returns the same counter and bumps its reference count. The first acquire scans the
   * bound pods once; afterwards the counter is maintained incrementally until released.
   */
  acquireCounter(cacheKey: string, topologyKey: string, weight: PodWeight): DomainCounter {
    const existing = this.#countersByKey.get(cacheKey);
    if (existing) {
      existing.refs++;
      return existing;
    }
    const c = new Counter(this, cacheKey, topologyKey, this.labelKeyId(topologyKey), weight, this.#capacity);
    for (let s = 0; s < this.size; s++) {
      if (!this.live[s]) continue;
      for (const p of this.pods[s]!) this.#count(c, p, s, 1);
    }
    this.#counters.push(c);
    this.#countersByKey.set(cacheKey, c);
    return c;
  }

  /** @internal Called by DomainCounter.release. */
  releaseCounter(c: DomainCounter): void {
    const counter = c as Counter;
    if (--counter.refs > 0) return;
    this.#countersByKey.delete(counter.cacheKey);
    const i = this.#counters.indexOf(counter);
    if (i >= 0) this.#counters.splice(i, 1);
  }

  /** Number of counters currently maintained (for tests and leak checks). */
  get counterCount(): number {
    return this.#counters.length;
  }
}
