import { shallowWith } from './copy.js';
import type { Clock, EventSink } from '../sim/types.js';
import {
  AlreadyExistsError,
  ConflictError,
  GoneError,
  KreplayError,
  NotFoundError,
  ValidationError,
} from './errors.js';
import {
  compileFieldSelector,
  compileSelectorString,
  type FieldMatcher,
  type LabelMatcher,
} from './selector.js';
import { CLUSTER_SCOPED, type KObject, type ObjectMeta } from './types.js';
import { validateObject } from './validate.js';
import { mergePatch, type Json } from './merge-patch.js';

/**
 * The simulation's API server and etcd in one: a versioned object store with watch and admission.
 *
 * Ownership: the store takes ownership of every object passed to create/update. It shallow-copies the
 * top level and `metadata` (to set system fields) but shares everything below — callers must not
 * mutate an object, or anything reachable from it, after handing it over; objects returned by get/list
 * and delivered to watchers are the stored ones and are read-only. To change an object, build a new one
 * (`{ ...old, spec: { ...old.spec, nodeName } }`) and `update` it. Nothing is deep-cloned or
 * serialised on the hot path.
 *
 * Determinism: every mutation takes the next integer resourceVersion; uids and generated names come
 * from per-store counters; `creationTimestamp` is the virtual clock read as seconds since the Unix
 * epoch (virtual time 0 = 1970-01-01T00:00:00Z); lists iterate in creation order.
 */

/** The verbs that change state. */
export type Verb = 'create' | 'update' | 'delete';

/** Watch event types, as in the Kubernetes watch API. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One committed change, as delivered to watchers. */
export interface WatchEvent {
  readonly type: WatchEventType;
  readonly kind: string;
  /** `namespace/name`, or `name` for cluster-scoped kinds (see `objectKey`). */
  readonly key: string;
  /** The resourceVersion this change committed at. */
  readonly rv: number;
  /** The object after the change; for DELETED, its last state stamped with the deletion's rv. */
  readonly object: KObject;
  /** The stored object before the change (undefined for ADDED); saves watchers keeping a cache. */
  readonly old: KObject | undefined;
}

/** A watch callback. Runs synchronously after the commit; see {@link Store.watch}. */
export type WatchHandler = (event: WatchEvent) => void;

/**
 * An admission plugin. `create`: `obj` is the incoming object, `old` undefined. `update`: `obj` is the
 * incoming object, `old` the stored one. `delete`: `obj` and `old` are both the stored object, which
 * must not be modified. Mutating plugins may set fields on `obj` and its `metadata` (both are the
 * store's own shallow copies) but must replace, not modify, nested objects, which may be shared with
 * `old`. Throw ForbiddenError or ValidationError to reject; a rejected request leaves no trace.
 */
export type AdmissionPlugin = (op: Verb, obj: KObject, old: KObject | undefined, store: Store) => void;

/** The admission chain: all mutating plugins run, in order, before all validating ones. */
export interface AdmissionChain {
  readonly mutating: AdmissionPlugin[];
  readonly validating: AdmissionPlugin[];
}

/** What every object the store accepts looks like; kubernetes-types shapes (Pod, Node, …) fit it. */
export interface ObjectLike {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** Options of {@link Store.list}. Selectors may be strings or compiled matchers (compile once, reuse). */
export interface ListOptions {
  /** Only objects in this namespace (`''` or absent: all namespaces); ignored for cluster-scoped kinds. */
  namespace?: string;
  /** String form (`app=web,tier in (a,b)`) or a compiled matcher. */
  labelSelector?: string | LabelMatcher;
  /** String form (`spec.nodeName=`) or a compiled matcher. */
  fieldSelector?: string | FieldMatcher;
}

/** Preconditions of a delete: fail with ConflictError when the stored object differs. */
export interface DeleteOptions {
  namespace?: string;
  resourceVersion?: string;
  uid?: string;
}

/** Constructor options of {@link Store}. */
export interface StoreOptions {
  clock: Clock;
  /** Receives one `api` entry per successful mutation. */
  sink?: EventSink;
  /** How many recent events are kept for watches resuming from an older resourceVersion. */
  historyLimit?: number;
}

/** A store's state for checkpoints ({@link Store.snapshot}). */
export interface StoreSnapshot {
  readonly rv: number;
  readonly uidCounter: number;
  readonly nameCounter: number;
  /** Per kind, the objects in creation order. */
  readonly kinds: [string, KObject[]][];
}

/** Default number of retained watch events. */
export const DEFAULT_HISTORY_LIMIT = 4096;

/** The namespace namespaced objects get when they name none. */
export const DEFAULT_NAMESPACE = 'default';

// kubernetes-types marks metadata fields readonly; the store is the one writer of system fields.
type MutableMeta = { -readonly [K in keyof ObjectMeta]: ObjectMeta[K] };

interface KindTable {
  readonly all: Map<string, KObject>;
  /** Per-namespace index (name → object) for namespaced kinds, so namespace lists cost their size. */
  readonly byNs: Map<string, Map<string, KObject>> | undefined;
}

interface Subscription {
  readonly seq: number;
  readonly kind: string;
  readonly handler: WatchHandler;
  /** The last rv this subscriber has seen; guards against double delivery during replay. */
  lastRv: number;
  active: boolean;
}

const EMPTY_SUBS: readonly Subscription[] = [];

// Kubernetes' generateName alphabet (no vowels, no confusable characters).
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const SUFFIX_SPACE = 27 ** 5;
// Multiplying by a constant coprime to 27 permutes the suffix space: distinct counters give distinct,
// non-sequential-looking suffixes, still fully deterministic.
const SUFFIX_MULTIPLIER = 2_654_435;
const MAX_GENERATE_NAME_TRIES = 64;
// Kubernetes truncates the prefix so that prefix + 5-character suffix fits a 63-character name.
const MAX_GENERATE_NAME_PREFIX = 58;

/** The 5-character generateName suffix for counter value `n` (a bijection on 0 … 27^5−1). */
export function nameSuffix(n: number): string {
  let v = (n * SUFFIX_MULTIPLIER + 7) % SUFFIX_SPACE;
  let out = '';
  for (let i = 0; i < 5; i++) {
    out += NAME_ALPHABET[v % 27]!;
    v = Math.floor(v / 27);
  }
  return out;
}

/** The uid for counter value `n`, formatted like a UUID: `00000000-0000-4000-8000-00000000002a`. */
export function uidFor(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** RFC 3339 (seconds precision, as Kubernetes writes timestamps) for a virtual time in µs. */
export function rfc3339(timeUs: number): string {
  const seconds = Math.floor(timeUs / 1_000_000);
  return new Date(seconds * 1000).toISOString().slice(0, 19) + 'Z';
}

/** Structural equality of JSON-like values; reference-equal subtrees short-circuit. */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let na = 0;
  for (const k in ra) {
    if (!Object.hasOwn(ra, k)) continue;
    if (ra[k] === undefined) continue;
    na++;
    if (!deepEqual(ra[k], rb[k])) return false;
  }
  let nb = 0;
  for (const k in rb) if (Object.hasOwn(rb, k) && rb[k] !== undefined) nb++;
  return na === nb;
}

// Top-level fields whose changes do not bump metadata.generation (Kubernetes: metadata and status).
const NOT_GENERATION_FIELDS: ReadonlySet<string> = new Set(['metadata', 'status', 'apiVersion', 'kind']);

function specChanged(obj: KObject, old: KObject): boolean {
  for (const k in obj) {
    if (NOT_GENERATION_FIELDS.has(k) || obj[k] === old[k]) continue;
    if (!deepEqual(obj[k], old[k])) return true;
  }
  for (const k in old) {
    if (!NOT_GENERATION_FIELDS.has(k) && !(k in obj) && old[k] !== undefined) return true;
  }
  return false;
}

function parseRv(rv: string | number, what: string): number {
  const n = typeof rv === 'number' ? rv : /^\d+$/.test(rv) ? Number(rv) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new ValidationError(
      what,
      `invalid resourceVersion ${JSON.stringify(rv)}: must be a non-negative integer`,
      'INVALID_RESOURCE_VERSION',
    );
  }
  return n;
}

/** The store. See the module comment for ownership and determinism rules. */
export class Store {
  /** Admission plugins; push onto `mutating` / `validating`. */
  readonly admission: AdmissionChain = { mutating: [], validating: [] };

  readonly #clock: Clock;
  readonly #sink: EventSink | undefined;
  readonly #historyLimit: number;
  readonly #tables = new Map<string, KindTable>();
  #rv = 0;
  #uidCounter = 0;
  #nameCounter = 0;

  // Ring of the last `historyLimit` events. rvs are consecutive, so the ring covers (rv − count, rv].
  readonly #ring: (WatchEvent | undefined)[];
  #ringCount = 0;

  readonly #subsByKind = new Map<string, readonly Subscription[]>();
  #subsAll: readonly Subscription[] = EMPTY_SUBS;
  #subCount = 0;
  #subSeq = 0;
  readonly #pending: WatchEvent[] = [];
  #delivering = false;

  #tsSecond = -1;
  #tsText = '';

  /** Creates an empty store at resourceVersion 0. */
  constructor(options: StoreOptions) {
    this.#clock = options.clock;
    this.#sink = options.sink;
    const limit = options.historyLimit ?? DEFAULT_HISTORY_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 0) {
      throw new RangeError(`options.historyLimit must be a non-negative integer, got ${String(limit)}`);
    }
    this.#historyLimit = limit;
    this.#ring = new Array<WatchEvent | undefined>(limit);
  }

  /** The current resourceVersion (of the latest commit), as Kubernetes writes it: a decimal string. */
  get resourceVersion(): string {
    return String(this.#rv);
  }

  /** Creates an object; returns the stored object. Throws AlreadyExistsError, ValidationError, ForbiddenError. */
  create(input: KObject): KObject;
  /** Typed form: a `Pod` in, a `Pod` out. */
  create<T extends ObjectLike>(input: T): T;
  create(input: ObjectLike): ObjectLike {
    // Copies that take the system fields below without V8's slow path for spread objects (copy.ts).
    const obj = shallowWith(input as unknown as KObject);
    const meta: MutableMeta = shallowWith(obj.metadata as MutableMeta | undefined);
    obj.metadata = meta;
    const kind = obj.kind ?? '';
    this.#defaultNamespace(kind, meta);
    for (const plugin of this.admission.mutating) plugin('create', obj, undefined, this);
    validateObject(obj);
    // Admission may have replaced metadata; system fields go on whatever is there now.
    const m = obj.metadata as MutableMeta;
    this.#defaultNamespace(kind, m);
    const table = this.#table(kind);
    if (!m.name) m.name = this.#generateName(kind, table, m);
    const key = CLUSTER_SCOPED.has(kind) ? m.name : `${m.namespace!}/${m.name}`;
    if (table.all.has(key)) throw new AlreadyExistsError(kind, key);
    // A uid from the input (a replayed trace) is kept so that ownerReferences in the trace still resolve.
    if (!m.uid) m.uid = uidFor(++this.#uidCounter);
    m.creationTimestamp = this.#timestamp();
    m.generation = 1;
    if (m.deletionTimestamp !== undefined) delete m.deletionTimestamp; // graceful deletion is not modelled
    for (const plugin of this.admission.validating) plugin('create', obj, undefined, this);

    const rv = ++this.#rv;
    m.resourceVersion = String(rv);
    table.all.set(key, obj);
    if (table.byNs) {
      let ns = table.byNs.get(m.namespace!);
      if (!ns) table.byNs.set(m.namespace!, (ns = new Map()));
      ns.set(m.name, obj);
    }
    this.#commit('create', 'ADDED', kind, key, rv, obj, undefined);
    return obj;
  }

  /**
   * Replaces an existing object; returns the stored object. A `metadata.resourceVersion` on the input
   * is a precondition (stale → ConflictError); without one the update is unconditional. uid and
   * creationTimestamp are kept from the stored object; `metadata.generation` is bumped when anything
   * outside metadata and status changed. Throws NotFoundError, ConflictError, ValidationError, ForbiddenError.
   */
  update(input: KObject): KObject;
  /** Typed form: a `Pod` in, a `Pod` out. */
  update<T extends ObjectLike>(input: T): T;
  update(input: ObjectLike): ObjectLike {
    const obj = shallowWith(input as unknown as KObject);
    const meta: MutableMeta = shallowWith(obj.metadata as MutableMeta | undefined);
    obj.metadata = meta;
    const kind = obj.kind ?? '';
    this.#defaultNamespace(kind, meta);
    const table = this.#tables.get(kind);
    const key = this.#key(kind, meta.name ?? '', meta.namespace);
    const old = table?.all.get(key);
    if (!table || !old) {
      if (!table) validateObject(obj); // an unknown kind is a validation error, not NotFound
      throw new NotFoundError(kind, key);
    }
    const oldMeta = old.metadata!;
    if (
      meta.resourceVersion !== undefined &&
      meta.resourceVersion !== '' &&
      meta.resourceVersion !== oldMeta.resourceVersion
    ) {
      throw new ConflictError(
        kind,
        key,
        `resourceVersion ${meta.resourceVersion} is stale (current ${oldMeta.resourceVersion!})`,
      );
    }
    if (meta.uid !== undefined && meta.uid !== '' && meta.uid !== oldMeta.uid) {
      throw new ConflictError(
        kind,
        key,
        `uid ${meta.uid} does not match the stored object's uid ${oldMeta.uid!}`,
      );
    }
    const name = meta.name;
    const namespace = meta.namespace;
    for (const plugin of this.admission.mutating) plugin('update', obj, old, this);
    validateObject(obj, old);
    const m = obj.metadata as MutableMeta;
    this.#defaultNamespace(kind, m);
    const renamed = m.name !== name || m.namespace !== namespace;
    if (obj.kind !== kind || (renamed && this.#key(kind, m.name ?? '', m.namespace) !== key)) {
      throw new ValidationError('metadata.name', 'kind, name and namespace cannot be changed by an update');
    }
    m.uid = oldMeta.uid;
    m.creationTimestamp = oldMeta.creationTimestamp;
    m.generation = (oldMeta.generation ?? 1) + (specChanged(obj, old) ? 1 : 0);
    for (const plugin of this.admission.validating) plugin('update', obj, old, this);

    const rv = ++this.#rv;
    m.resourceVersion = String(rv);
    table.all.set(key, obj);
    table.byNs?.get(m.namespace!)!.set(m.name!, obj);
    this.#commit('update', 'MODIFIED', kind, key, rv, obj, old);
    return obj;
  }

  /**
   * Deletes an object at once (no graceful deletion); returns its last state, stamped with the
   * deletion's resourceVersion. Throws NotFoundError, ConflictError (failed precondition), ForbiddenError.
   */
  delete<T extends ObjectLike = KObject>(kind: string, name: string, options: DeleteOptions = {}): T {
    const table = this.#tables.get(kind);
    const key = this.#key(kind, name, options.namespace);
    const old = table?.all.get(key);
    if (!table || !old) throw new NotFoundError(kind, key);
    const oldMeta = old.metadata!;
    if (options.resourceVersion !== undefined && options.resourceVersion !== oldMeta.resourceVersion) {
      throw new ConflictError(
        kind,
        key,
        `precondition resourceVersion ${options.resourceVersion} is stale (current ${oldMeta.resourceVersion!})`,
      );
    }
    if (options.uid !== undefined && options.uid !== oldMeta.uid) {
      throw new ConflictError(kind, key, `precondition uid ${options.uid} does not match ${oldMeta.uid!}`);
    }
    for (const plugin of this.admission.mutating) plugin('delete', old, old, this);
    for (const plugin of this.admission.validating) plugin('delete', old, old, this);

    const rv = ++this.#rv;
    const last: KObject = { ...old, metadata: { ...oldMeta, resourceVersion: String(rv) } };
    table.all.delete(key);
    if (table.byNs) {
      const ns = table.byNs.get(oldMeta.namespace!)!;
      ns.delete(oldMeta.name!);
      if (ns.size === 0) table.byNs.delete(oldMeta.namespace!);
    }
    this.#commit('delete', 'DELETED', kind, key, rv, last, old);
    return last as unknown as T;
  }

  /** The stored object, or undefined. `namespace` defaults to `default` and is ignored for cluster-scoped kinds. */
  get<T extends ObjectLike = KObject>(kind: string, name: string, namespace?: string): T | undefined {
    return this.#tables.get(kind)?.all.get(this.#key(kind, name, namespace)) as unknown as T | undefined;
  }

  /** The stored object by its `objectKey` (`namespace/name`, or `name` when cluster-scoped), or undefined. */
  getByKey<T extends ObjectLike = KObject>(kind: string, key: string): T | undefined {
    return this.#tables.get(kind)?.all.get(key) as unknown as T | undefined;
  }

  /**
   * Objects of a kind in creation order, filtered by namespace and selectors. Selectors given as
   * strings are parsed on every call; pass compiled matchers on hot paths.
   */
  list<T extends ObjectLike = KObject>(kind: string, options: ListOptions = {}): T[] {
    const table = this.#tables.get(kind);
    if (!table) return [];
    const ns = options.namespace;
    const source = ns !== undefined && ns !== '' && table.byNs ? table.byNs.get(ns) : table.all;
    if (!source) return [];
    const ls = options.labelSelector;
    const labels = typeof ls === 'string' ? (ls === '' ? undefined : compileSelectorString(ls)) : ls;
    const fs = options.fieldSelector;
    const fields = typeof fs === 'string' ? (fs === '' ? undefined : compileFieldSelector(fs)) : fs;
    const out: KObject[] = [];
    for (const obj of source.values()) {
      if (labels && !labels(obj.metadata?.labels)) continue;
      if (fields && !fields(obj)) continue;
      out.push(obj);
    }
    return out as unknown as T[];
  }

  /** Iterates the stored objects of a kind in creation order, without copying (do not mutate the store meanwhile). */
  values<T extends ObjectLike = KObject>(kind: string): IterableIterator<T> {
    const table = this.#tables.get(kind);
    return (table ? table.all.values() : new Map<string, KObject>().values()) as IterableIterator<T>;
  }

  /** How many objects of a kind are stored (in one namespace, when given and not `''`). O(1). */
  count(kind: string, namespace?: string): number {
    const table = this.#tables.get(kind);
    if (!table) return 0;
    if (namespace !== undefined && namespace !== '' && table.byNs)
      return table.byNs.get(namespace)?.size ?? 0;
    return table.all.size;
  }

  /**
   * Watches one kind, or every kind with `'*'`. Events arrive in commit order, synchronously after each
   * commit. Without `fromResourceVersion` (or with the current one) only later changes are delivered;
   * with an older one the retained events after it are replayed first, synchronously, before `watch`
   * returns — so `list()` then `watch(kind, store.resourceVersion, …)` misses nothing. Throws GoneError
   * when events after `fromResourceVersion` are no longer retained. Returns an unsubscribe function.
   *
   * A handler may mutate the store: the resulting events are queued and delivered to every watcher after
   * the current event has reached all of them, so each watcher still sees commit order. A handler that
   * throws does not stop delivery to the others; the first error is rethrown to the caller of the
   * mutation once the queue is drained (the mutation itself has committed).
   */
  watch(kind: string, fromResourceVersion: string | number | undefined, handler: WatchHandler): () => void {
    const from =
      fromResourceVersion === undefined ? this.#rv : parseRv(fromResourceVersion, 'resourceVersion');
    if (from > this.#rv) {
      throw new ValidationError(
        'resourceVersion',
        `${from} is newer than the store's resourceVersion ${this.#rv}`,
        'RV_TOO_NEW',
      );
    }
    const oldestNeeded = from + 1;
    const oldestRetained = this.#rv - this.#ringCount + 1;
    if (from < this.#rv && oldestNeeded < oldestRetained) throw new GoneError(from, oldestRetained);

    const sub: Subscription = { seq: ++this.#subSeq, kind, handler, lastRv: from, active: true };
    if (kind === '*') this.#subsAll = [...this.#subsAll, sub];
    else this.#subsByKind.set(kind, [...(this.#subsByKind.get(kind) ?? EMPTY_SUBS), sub]);
    this.#subCount++;
    const unsubscribe = (): void => {
      if (!sub.active) return;
      sub.active = false;
      this.#subCount--;
      if (kind === '*') this.#subsAll = this.#subsAll.filter((s) => s !== sub);
      else {
        const rest = this.#subsByKind.get(kind)!.filter((s) => s !== sub);
        if (rest.length === 0) this.#subsByKind.delete(kind);
        else this.#subsByKind.set(kind, rest);
      }
    };
    try {
      const end = this.#rv;
      for (let rv = from + 1; rv <= end && sub.active; rv++) {
        const ev = this.#ring[(rv - 1) % this.#historyLimit]!;
        sub.lastRv = rv;
        if (kind === '*' || ev.kind === kind) handler(ev);
      }
    } catch (err) {
      unsubscribe();
      throw err;
    }
    return unsubscribe;
  }

  #defaultNamespace(kind: string, meta: MutableMeta): void {
    if (CLUSTER_SCOPED.has(kind)) {
      if (meta.namespace !== undefined) delete meta.namespace;
    } else if (!meta.namespace) meta.namespace = DEFAULT_NAMESPACE;
  }

  #key(kind: string, name: string, namespace: string | undefined): string {
    return CLUSTER_SCOPED.has(kind) ? name : `${namespace || DEFAULT_NAMESPACE}/${name}`;
  }

  /**
   * The store's state as plain JSON for checkpoints: counters and every object, per kind in
   * creation order. Watch history is not kept: a watcher of a restored store starts from now.
   */
  snapshot(): StoreSnapshot {
    const kinds: [string, KObject[]][] = [];
    for (const [kind, t] of this.#tables) kinds.push([kind, [...t.all.values()]]);
    return { rv: this.#rv, uidCounter: this.#uidCounter, nameCounter: this.#nameCounter, kinds };
  }

  /**
   * Loads a snapshot into this (empty) store without committing anything: no events, no watch
   * deliveries, no admission. Components that keep their own caches restore them from their own
   * snapshots.
   */
  restore(state: unknown): void {
    const s = state as StoreSnapshot;
    if (this.#rv !== 0) throw new Error('Store.restore needs an empty store');
    for (const [kind, objects] of s.kinds) {
      const table = this.#table(kind);
      for (const obj of objects) {
        const m = obj.metadata!;
        table.all.set(this.#key(kind, m.name!, m.namespace), obj);
        if (table.byNs) {
          let ns = table.byNs.get(m.namespace!);
          if (!ns) table.byNs.set(m.namespace!, (ns = new Map()));
          ns.set(m.name!, obj);
        }
      }
    }
    this.#rv = s.rv;
    this.#uidCounter = s.uidCounter;
    this.#nameCounter = s.nameCounter;
  }

  #table(kind: string): KindTable {
    let t = this.#tables.get(kind);
    if (!t) {
      t = { all: new Map(), byNs: CLUSTER_SCOPED.has(kind) ? undefined : new Map() };
      this.#tables.set(kind, t);
    }
    return t;
  }

  #generateName(kind: string, table: KindTable, meta: MutableMeta): string {
    const prefix = (meta.generateName ?? '').slice(0, MAX_GENERATE_NAME_PREFIX);
    for (let i = 0; i < MAX_GENERATE_NAME_TRIES; i++) {
      const name = prefix + nameSuffix(this.#nameCounter++ % SUFFIX_SPACE);
      const key = CLUSTER_SCOPED.has(kind) ? name : `${meta.namespace!}/${name}`;
      if (!table.all.has(key)) return name;
    }
    throw new AlreadyExistsError(kind, `${meta.namespace ?? ''}/${prefix}*`);
  }

  #timestamp(): string {
    const second = Math.floor(this.#clock.now() / 1_000_000);
    if (second !== this.#tsSecond) {
      this.#tsSecond = second;
      this.#tsText = rfc3339(second * 1_000_000);
    }
    return this.#tsText;
  }

  #commit(
    verb: Verb,
    type: WatchEventType,
    kind: string,
    key: string,
    rv: number,
    object: KObject,
    old: KObject | undefined,
  ): void {
    if (this.#sink) {
      // Pods, the bulk of a replay's log, are logged whole when created; an update carries the merge
      // patch from the previous version, a delete only the key (docs/reports.md, "The event log").
      if (kind !== 'Pod' || verb === 'create' || !old)
        this.#sink.append('api', { verb, kind, key, rv, object });
      else if (verb === 'update')
        this.#sink.append('api', { verb, kind, key, rv, patch: mergePatch(old as Json, object as Json) });
      else this.#sink.append('api', { verb, kind, key, rv });
    }
    if (this.#historyLimit === 0 && this.#subCount === 0) return;
    const ev: WatchEvent = { type, kind, key, rv, object, old };
    if (this.#historyLimit > 0) {
      this.#ring[(rv - 1) % this.#historyLimit] = ev;
      if (this.#ringCount < this.#historyLimit) this.#ringCount++;
    }
    if (this.#subCount === 0) return;
    this.#pending.push(ev);
    this.#drain();
  }

  #drain(): void {
    if (this.#delivering) return;
    this.#delivering = true;
    let firstError: unknown;
    let failed = false;
    try {
      for (let i = 0; i < this.#pending.length; i++) {
        const ev = this.#pending[i]!;
        const a = this.#subsByKind.get(ev.kind) ?? EMPTY_SUBS;
        const b = this.#subsAll;
        let ia = 0;
        let ib = 0;
        // Kind watchers and '*' watchers are interleaved by subscription order.
        while (ia < a.length || ib < b.length) {
          const sub = ib >= b.length || (ia < a.length && a[ia]!.seq < b[ib]!.seq) ? a[ia++]! : b[ib++]!;
          if (!sub.active || ev.rv <= sub.lastRv) continue;
          sub.lastRv = ev.rv;
          try {
            sub.handler(ev);
          } catch (err) {
            if (!failed) {
              failed = true;
              firstError = err;
            }
          }
        }
      }
    } finally {
      this.#pending.length = 0;
      this.#delivering = false;
    }
    if (failed)
      throw firstError instanceof Error ? firstError : new KreplayError('WATCH_HANDLER', String(firstError));
  }
}
