import type { Pod } from '../../api/types.js';
import type { QueuedPodInfo } from '../framework/types.js';
import type { Status } from '../framework/status.js';
import {
  DEFAULT_EVENT_REGISTRATIONS,
  eventRelevant,
  type ClusterEvent,
  type EventRegistration,
} from './events.js';
import { KeyedHeap } from './heap.js';

/** kube-scheduler's podInitialBackoffDuration: 1 s. */
export const DEFAULT_INITIAL_BACKOFF_US = 1_000_000;
/** kube-scheduler's podMaxBackoffDuration: 10 s. */
export const DEFAULT_MAX_BACKOFF_US = 10_000_000;
/** kube-scheduler's podMaxInUnschedulablePodsDuration: 5 min. */
export const DEFAULT_UNSCHEDULABLE_FLUSH_US = 300_000_000;

/**
 * Backoff after `attempts` failed attempts (kube-scheduler's calculateBackoffDuration): the initial
 * duration doubled once per attempt after the first, capped at `maxUs` (1 s, 2 s, 4 s, 8 s, 10 s, 10 s…).
 */
export function backoffDurationUs(
  attempts: number,
  initialUs = DEFAULT_INITIAL_BACKOFF_US,
  maxUs = DEFAULT_MAX_BACKOFF_US,
): number {
  let d = initialUs;
  for (let i = 1; i < attempts; i++) {
    if (d > maxUs - d) return maxUs;
    d += d;
  }
  return d;
}

/** Where a pod waits. */
export type QueueLocation = 'active' | 'backoff' | 'unschedulable' | 'gated' | 'inFlight';

/** A pod as {@link SchedulingQueue.pop} hands it out. */
export interface PoppedPod extends QueuedPodInfo {
  /** `namespace/name`. */
  readonly key: string;
  /** Attempts so far, this one included (1 on the first pop). */
  readonly attempts: number;
  /** When the pod was first popped (virtual µs). */
  readonly initialAttemptTimestampUs: number;
}

/** Why an attempt failed, as {@link SchedulingQueue.addUnschedulable} takes it. */
export interface FailureInfo {
  /**
   * True when the pod was found unschedulable (Filter/PreFilter/Permit rejection); false for an error
   * (the pod then always goes to backoff, never to the unschedulable set).
   */
  readonly unschedulable: boolean;
  /** Plugins whose rejection made the pod unschedulable (decides which events move it back). */
  readonly pluginsThatRejected: readonly string[];
}

/** Construction options of a {@link SchedulingQueue}. */
export interface SchedulingQueueOptions {
  /** The profile's QueueSort `less` (PrioritySort: priority desc, then timestamp). */
  readonly less: (a: QueuedPodInfo, b: QueuedPodInfo) => boolean;
  /** PreEnqueue plugins (SchedulingGates); a non-Success status keeps the pod gated. Default: none. */
  readonly preEnqueue?: (pod: Pod) => Status;
  /** Plugin → events that may make a pod it rejected schedulable. Default {@link DEFAULT_EVENT_REGISTRATIONS}. */
  readonly eventRegistrations?: Readonly<Record<string, readonly EventRegistration[]>>;
  readonly initialBackoffUs?: number;
  readonly maxBackoffUs?: number;
  /** How long a pod may stay in the unschedulable set before being retried anyway. */
  readonly unschedulableFlushUs?: number;
}

interface Entry {
  readonly key: string;
  pod: Pod;
  /** Queue timestamp: when the pod was added, refreshed each time it comes back after a failure. */
  timestampUs: number;
  attempts: number;
  /** -1 until the first pop. */
  initialAttemptTimestampUs: number;
  unschedulablePlugins: string[];
  serial: number;
}

interface InFlight {
  entry: Entry;
  /** Distinct cluster events seen while the pod was being scheduled. */
  events: ClusterEvent[];
  deleted: boolean;
}

/** One pod in a {@link QueueSnapshot}. */
export interface QueueSnapshotEntry {
  readonly where: QueueLocation;
  readonly pod: Pod;
  readonly timestampUs: number;
  readonly attempts: number;
  readonly initialAttemptTimestampUs: number;
  readonly unschedulablePlugins: readonly string[];
  readonly serial: number;
  /** For in-flight pods: events seen during the attempt. */
  readonly events?: readonly ClusterEvent[];
  readonly deleted?: boolean;
}

/** The queue's state as plain JSON (for checkpoints). */
export interface QueueSnapshot {
  readonly version: 1;
  readonly serial: number;
  readonly entries: readonly QueueSnapshotEntry[];
  /** Nominations in insertion order: pod key, node name, the pod object. */
  readonly nominated: readonly { readonly nodeName: string; readonly pod: Pod }[];
}

function keyOf(pod: Pod): string {
  return `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`;
}

/** The pod without status and bookkeeping metadata: kube-scheduler's isPodUpdated compares these. */
function specPart(pod: Pod): string {
  const meta = { ...(pod.metadata ?? {}) };
  delete meta.resourceVersion;
  delete meta.generation;
  delete meta.managedFields;
  return JSON.stringify({ ...pod, metadata: meta, status: undefined });
}

/**
 * kube-scheduler's PriorityQueue on the virtual clock: an active queue ordered by the profile's
 * QueueSort, a backoff queue ordered by backoff expiry, a set of unschedulable pods waiting for a
 * relevant cluster event (or the 5-minute flush), gated pods (PreEnqueue), in-flight pods, and the
 * nominator (nominatedNodeName → pods).
 *
 * There are no timers: every method that depends on time takes `nowUs` (non-decreasing across calls).
 * kube-scheduler polls the backoff queue every 1 s and the unschedulable set every 30 s; kreplay moves a
 * pod at the exact instant it becomes ready instead (when the integrator calls {@link pop} or
 * {@link flush} at {@link nextWakeUs}). Ties in QueueSort are broken by insertion order.
 *
 * How an integrator drives it: `add` pods as they are created (unassigned, this scheduler's), `update`
 * / `delete` on watch events, `moveOnEvent` on node and assigned-pod events; loop `pop(now)` → schedule
 * → `done(pod)` on success or `addUnschedulable(pod, info, now)` on failure; when the active queue is
 * empty, schedule a wake-up at `nextWakeUs()`.
 */
export class SchedulingQueue {
  readonly #less: (a: QueuedPodInfo, b: QueuedPodInfo) => boolean;
  readonly #preEnqueue: ((pod: Pod) => Status) | undefined;
  readonly #registrations: Readonly<Record<string, readonly EventRegistration[]>>;
  readonly #initialBackoffUs: number;
  readonly #maxBackoffUs: number;
  readonly #flushUs: number;

  #serial = 0;
  #active: KeyedHeap<Entry>;
  #backoff: KeyedHeap<Entry>;
  /** In insertion order, which is timestamp order (timestamps are the non-decreasing `nowUs`). */
  #unschedulable = new Map<string, Entry>();
  #gated = new Map<string, Entry>();
  #inFlight = new Map<string, InFlight>();
  /** pod key → nominated node name; per node, the nominated pods in nomination order. */
  #nominatedNode = new Map<string, string>();
  #nominatedPods = new Map<string, Map<string, Pod>>();

  constructor(options: SchedulingQueueOptions) {
    this.#less = options.less;
    this.#preEnqueue = options.preEnqueue;
    this.#registrations = options.eventRegistrations ?? DEFAULT_EVENT_REGISTRATIONS;
    this.#initialBackoffUs = options.initialBackoffUs ?? DEFAULT_INITIAL_BACKOFF_US;
    this.#maxBackoffUs = options.maxBackoffUs ?? DEFAULT_MAX_BACKOFF_US;
    this.#flushUs = options.unschedulableFlushUs ?? DEFAULT_UNSCHEDULABLE_FLUSH_US;
    this.#active = new KeyedHeap<Entry>((a, b) => this.#less(a, b));
    this.#backoff = new KeyedHeap<Entry>((a, b) => this.#backoffExpiryUs(a) < this.#backoffExpiryUs(b));
  }

  // ---- sizes and lookups ----

  /** Pods ready to pop (without flushing). */
  get activeLength(): number {
    return this.#active.size;
  }
  /** Pods in backoff. */
  get backoffLength(): number {
    return this.#backoff.size;
  }
  /** Pods in the unschedulable set (gated pods not included). */
  get unschedulableLength(): number {
    return this.#unschedulable.size;
  }
  /** Pods held by PreEnqueue (scheduling gates). */
  get gatedLength(): number {
    return this.#gated.size;
  }
  /** Pods popped and not yet done / failed. */
  get inFlightLength(): number {
    return this.#inFlight.size;
  }

  /** Where the pod with this `namespace/name` is, if the queue holds it. */
  locate(key: string): QueueLocation | undefined {
    if (this.#active.has(key)) return 'active';
    if (this.#backoff.has(key)) return 'backoff';
    if (this.#unschedulable.has(key)) return 'unschedulable';
    if (this.#gated.has(key)) return 'gated';
    if (this.#inFlight.has(key)) return 'inFlight';
    return undefined;
  }

  /** When a pod in backoff may be retried: timestamp + backoff(attempts). */
  backoffExpiryUs(key: string): number | undefined {
    const e = this.#backoff.get(key) ?? this.#unschedulable.get(key) ?? this.#active.get(key);
    return e ? this.#backoffExpiryUs(e) : undefined;
  }

  // ---- pod lifecycle ----

  /** A new unscheduled pod: to the active queue, or held when a PreEnqueue plugin gates it. */
  add(pod: Pod, nowUs: number): void {
    const key = keyOf(pod);
    if (this.locate(key) !== undefined) {
      this.update(pod, nowUs);
      return;
    }
    const e: Entry = {
      key,
      pod,
      timestampUs: nowUs,
      attempts: 0,
      initialAttemptTimestampUs: -1,
      unschedulablePlugins: [],
      serial: 0,
    };
    this.#syncNomination(undefined, pod);
    if (this.#gatedBy(pod)) {
      this.#gated.set(key, e);
      return;
    }
    this.#pushActive(e);
  }

  /**
   * A pod object changed. Active and backoff pods are updated in place; an unschedulable pod whose spec
   * or labels changed (not just its status) is retried (backoff or active); a gated pod is re-checked
   * against PreEnqueue; a pod in flight keeps the new object and will not be parked as unschedulable
   * when this attempt fails. An unknown pod is added.
   */
  update(pod: Pod, nowUs: number): void {
    const key = keyOf(pod);
    const where = this.locate(key);
    if (where === undefined) {
      this.add(pod, nowUs);
      return;
    }
    switch (where) {
      case 'active': {
        const e = this.#active.delete(key)!;
        this.#syncNomination(e.pod, pod);
        e.pod = pod;
        this.#active.push(e);
        return;
      }
      case 'backoff': {
        const e = this.#backoff.delete(key)!;
        this.#syncNomination(e.pod, pod);
        e.pod = pod;
        this.#backoff.push(e);
        return;
      }
      case 'unschedulable': {
        const e = this.#unschedulable.get(key)!;
        this.#syncNomination(e.pod, pod);
        const changed = specPart(e.pod) !== specPart(pod);
        e.pod = pod;
        if (!changed) return;
        this.#unschedulable.delete(key);
        this.#requeue(e, nowUs);
        return;
      }
      case 'gated': {
        const e = this.#gated.get(key)!;
        this.#syncNomination(e.pod, pod);
        e.pod = pod;
        if (this.#gatedBy(pod)) return;
        this.#gated.delete(key);
        this.#pushActive(e);
        return;
      }
      case 'inFlight': {
        const f = this.#inFlight.get(key)!;
        this.#syncNomination(f.entry.pod, pod);
        if (specPart(f.entry.pod) !== specPart(pod)) this.#recordEvent(f, { kind: 'WildCard' });
        f.entry.pod = pod;
        return;
      }
      default: {
        const never: never = where;
        throw new Error(`unreachable ${String(never)}`);
      }
    }
  }

  /** A pod was deleted (or bound by someone else): forget it everywhere, nomination included. */
  delete(pod: Pod): void {
    const key = keyOf(pod);
    this.#active.delete(key);
    this.#backoff.delete(key);
    this.#unschedulable.delete(key);
    this.#gated.delete(key);
    const f = this.#inFlight.get(key);
    if (f) f.deleted = true;
    this.deleteNominatedPod(pod);
  }

  /**
   * The next pod to schedule at `nowUs` (after moving pods whose backoff or unschedulable timeout
   * expired), or undefined when none is ready. The pod is in flight until {@link done} or
   * {@link addUnschedulable}.
   */
  pop(nowUs: number): PoppedPod | undefined {
    this.flush(nowUs);
    const e = this.#active.pop();
    if (!e) return undefined;
    e.attempts++;
    if (e.initialAttemptTimestampUs < 0) e.initialAttemptTimestampUs = nowUs;
    this.#inFlight.set(e.key, { entry: e, events: [], deleted: false });
    return {
      pod: e.pod,
      key: e.key,
      timestampUs: e.timestampUs,
      attempts: e.attempts,
      initialAttemptTimestampUs: e.initialAttemptTimestampUs,
    };
  }

  /**
   * The attempt of an in-flight pod succeeded (assumed / bound): it leaves the queue and its
   * nomination is dropped (kube-scheduler deletes the nomination when the pod is assumed).
   */
  done(pod: Pod): void {
    const key = keyOf(pod);
    this.#inFlight.delete(key);
    this.deleteNominatedPod(pod);
  }

  /**
   * The attempt of an in-flight pod failed at `nowUs` (kube-scheduler's AddUnschedulableIfNotPresent +
   * Done). The queue timestamp is refreshed. An error, or an unschedulable verdict while a cluster
   * event relevant to the rejecting plugins happened during the attempt, sends the pod to backoff;
   * otherwise it waits in the unschedulable set. A pod deleted meanwhile, or already queued again, is
   * dropped.
   */
  addUnschedulable(pod: Pod, info: FailureInfo, nowUs: number): void {
    const key = keyOf(pod);
    const f = this.#inFlight.get(key);
    this.#inFlight.delete(key);
    if (f?.deleted) return;
    if (this.locate(key) !== undefined) return;
    const e: Entry = f?.entry ?? {
      key,
      pod,
      timestampUs: nowUs,
      attempts: 1,
      initialAttemptTimestampUs: nowUs,
      unschedulablePlugins: [],
      serial: 0,
    };
    if (!f) this.#syncNomination(undefined, pod);
    e.pod = f ? e.pod : pod;
    e.timestampUs = nowUs;
    e.unschedulablePlugins = info.unschedulable ? [...info.pluginsThatRejected] : [];
    if (!info.unschedulable) {
      this.#backoff.push(this.#stamp(e));
      return;
    }
    if (f && f.events.some((ev) => eventRelevant(this.#registrations, e.unschedulablePlugins, ev))) {
      this.#backoff.push(this.#stamp(e));
      return;
    }
    this.#unschedulable.set(key, e);
  }

  /**
   * A cluster event at `nowUs`: every unschedulable pod that one of its rejecting plugins registered
   * for this event goes to backoff (while its backoff has not expired) or to the active queue. The event
   * is also remembered by in-flight pods. Returns the number of pods moved.
   */
  moveOnEvent(event: ClusterEvent, nowUs: number): number {
    for (const f of this.#inFlight.values()) this.#recordEvent(f, event);
    let moved = 0;
    for (const [key, e] of this.#unschedulable) {
      if (!eventRelevant(this.#registrations, e.unschedulablePlugins, event)) continue;
      this.#unschedulable.delete(key);
      this.#requeue(e, nowUs);
      moved++;
    }
    return moved;
  }

  /**
   * Moves pods whose backoff expired by `nowUs` to the active queue, and pods unschedulable for at
   * least the flush interval back to the queues. `pop` calls it; integrators rarely need to.
   */
  flush(nowUs: number): void {
    const ready: { e: Entry; at: number }[] = [];
    for (;;) {
      const top = this.#backoff.peek();
      if (!top) break;
      const at = this.#backoffExpiryUs(top);
      if (at > nowUs) break;
      this.#backoff.pop();
      ready.push({ e: top, at });
    }
    for (const [key, e] of this.#unschedulable) {
      const at = e.timestampUs + this.#flushUs;
      if (at > nowUs) break;
      this.#unschedulable.delete(key);
      // Unschedulable timeout moves via backoff when still backing off (never, with 5 min > 10 s).
      if (this.#backoffExpiryUs(e) > nowUs) this.#backoff.push(this.#stamp(e));
      else ready.push({ e, at });
    }
    // Serials follow the instants the pods became ready, so the result does not depend on when flush ran.
    ready.sort((a, b) => a.at - b.at);
    for (const r of ready) this.#pushActive(r.e);
  }

  /**
   * The earliest instant after which a backoff expiry or the unschedulable flush makes a pod ready, or
   * undefined when nothing waits on time. (Active pods are ready now: check {@link activeLength}.)
   */
  nextWakeUs(): number | undefined {
    let t: number | undefined;
    const top = this.#backoff.peek();
    if (top) t = this.#backoffExpiryUs(top);
    const first = this.#unschedulable.values().next();
    if (!first.done) {
      const u = first.value.timestampUs + this.#flushUs;
      if (t === undefined || u < t) t = u;
    }
    return t;
  }

  /** Pending pods (not in flight), active first in no particular order, for listings and reports. */
  pendingPods(): { pod: Pod; where: QueueLocation }[] {
    const out: { pod: Pod; where: QueueLocation }[] = [];
    for (const e of this.#active.values()) out.push({ pod: e.pod, where: 'active' });
    for (const e of this.#backoff.values()) out.push({ pod: e.pod, where: 'backoff' });
    for (const e of this.#unschedulable.values()) out.push({ pod: e.pod, where: 'unschedulable' });
    for (const e of this.#gated.values()) out.push({ pod: e.pod, where: 'gated' });
    return out;
  }

  // ---- nominator ----

  /**
   * Records that `pod` is nominated to `nodeName` (after preemption, before its next attempt). Filters
   * then account for it on that node when the pod being scheduled has lower or equal priority
   * (kube-scheduler's addNominatedPods).
   */
  addNominatedPod(pod: Pod, nodeName: string): void {
    this.deleteNominatedPod(pod);
    if (!nodeName) return;
    const key = keyOf(pod);
    this.#nominatedNode.set(key, nodeName);
    let m = this.#nominatedPods.get(nodeName);
    if (!m) this.#nominatedPods.set(nodeName, (m = new Map()));
    m.set(key, pod);
  }

  /** Drops a pod's nomination, if any. */
  deleteNominatedPod(pod: Pod): void {
    const key = keyOf(pod);
    const node = this.#nominatedNode.get(key);
    if (node === undefined) return;
    this.#nominatedNode.delete(key);
    const m = this.#nominatedPods.get(node)!;
    m.delete(key);
    if (m.size === 0) this.#nominatedPods.delete(node);
  }

  /** Pods nominated to `nodeName`, in nomination order. */
  nominatedPodsForNode(nodeName: string): Pod[] {
    const m = this.#nominatedPods.get(nodeName);
    return m ? [...m.values()] : [];
  }

  /** The node a pod is nominated to, if any. */
  nominatedNodeOf(pod: Pod): string | undefined {
    return this.#nominatedNode.get(keyOf(pod));
  }

  /** Every nomination as [node name, pod], per node in nomination order. */
  *nominations(): IterableIterator<[string, Pod]> {
    for (const [nodeName, m] of this.#nominatedPods) for (const pod of m.values()) yield [nodeName, pod];
  }

  /** Whether any pod is nominated anywhere (lets filters skip the nominated-pods pass). */
  get hasNominatedPods(): boolean {
    return this.#nominatedNode.size > 0;
  }

  // ---- checkpoints ----

  /** The whole state as plain JSON. Pod objects are shared, not copied: serialize before mutating. */
  snapshot(): QueueSnapshot {
    const entries: QueueSnapshotEntry[] = [];
    const put = (where: QueueLocation, e: Entry, f?: InFlight): void => {
      const s: QueueSnapshotEntry = {
        where,
        pod: e.pod,
        timestampUs: e.timestampUs,
        attempts: e.attempts,
        initialAttemptTimestampUs: e.initialAttemptTimestampUs,
        unschedulablePlugins: [...e.unschedulablePlugins],
        serial: e.serial,
        ...(f ? { events: f.events.map((ev) => ({ ...ev })), deleted: f.deleted } : {}),
      };
      entries.push(s);
    };
    for (const e of this.#active.values()) put('active', e);
    for (const e of this.#backoff.values()) put('backoff', e);
    for (const e of this.#unschedulable.values()) put('unschedulable', e);
    for (const e of this.#gated.values()) put('gated', e);
    for (const f of this.#inFlight.values()) put('inFlight', f.entry, f);
    const nominated: { nodeName: string; pod: Pod }[] = [];
    for (const [nodeName, m] of this.#nominatedPods)
      for (const pod of m.values()) nominated.push({ nodeName, pod });
    return { version: 1, serial: this.#serial, entries, nominated };
  }

  /** Replaces the state with a snapshot taken by {@link snapshot}. */
  restore(s: QueueSnapshot): void {
    if (s.version !== 1) throw new Error(`unsupported queue snapshot version ${String(s.version)}`);
    this.#serial = s.serial;
    this.#active = new KeyedHeap<Entry>((a, b) => this.#less(a, b));
    this.#backoff = new KeyedHeap<Entry>((a, b) => this.#backoffExpiryUs(a) < this.#backoffExpiryUs(b));
    this.#unschedulable = new Map();
    this.#gated = new Map();
    this.#inFlight = new Map();
    this.#nominatedNode = new Map();
    this.#nominatedPods = new Map();
    for (const x of s.entries) {
      const e: Entry = {
        key: keyOf(x.pod),
        pod: x.pod,
        timestampUs: x.timestampUs,
        attempts: x.attempts,
        initialAttemptTimestampUs: x.initialAttemptTimestampUs,
        unschedulablePlugins: [...x.unschedulablePlugins],
        serial: x.serial,
      };
      switch (x.where) {
        case 'active':
          this.#active.push(e);
          break;
        case 'backoff':
          this.#backoff.push(e);
          break;
        case 'unschedulable':
          this.#unschedulable.set(e.key, e);
          break;
        case 'gated':
          this.#gated.set(e.key, e);
          break;
        case 'inFlight':
          this.#inFlight.set(e.key, {
            entry: e,
            events: (x.events ?? []).map((ev) => ({ ...ev })),
            deleted: x.deleted ?? false,
          });
          break;
        default: {
          const never: never = x.where;
          throw new Error(`unknown queue location ${String(never)}`);
        }
      }
    }
    for (const n of s.nominated) this.addNominatedPod(n.pod, n.nodeName);
  }

  // ---- internals ----

  #backoffExpiryUs(e: Entry): number {
    return e.timestampUs + backoffDurationUs(e.attempts, this.#initialBackoffUs, this.#maxBackoffUs);
  }

  #stamp(e: Entry): Entry {
    e.serial = this.#serial++;
    return e;
  }

  #pushActive(e: Entry): void {
    this.#active.push(this.#stamp(e));
  }

  /** Back from the unschedulable set: backoff while backing off, else active (kube-scheduler's requeue). */
  #requeue(e: Entry, nowUs: number): void {
    if (this.#backoffExpiryUs(e) > nowUs) this.#backoff.push(this.#stamp(e));
    else this.#pushActive(e);
  }

  #gatedBy(pod: Pod): boolean {
    return this.#preEnqueue !== undefined && this.#preEnqueue(pod).code !== 'Success';
  }

  #recordEvent(f: InFlight, event: ClusterEvent): void {
    const k = JSON.stringify(event);
    if (f.events.some((ev) => JSON.stringify(ev) === k)) return;
    f.events.push({ ...event });
  }

  /** Keeps the nominator in step with `status.nominatedNodeName` of a pod object that changed. */
  #syncNomination(old: Pod | undefined, pod: Pod): void {
    const now = pod.status?.nominatedNodeName ?? '';
    if (now) {
      if (this.#nominatedNode.get(keyOf(pod)) !== now) this.addNominatedPod(pod, now);
      else this.#nominatedPods.get(now)?.set(keyOf(pod), pod);
      return;
    }
    const before = old?.status?.nominatedNodeName ?? '';
    if (before) this.deleteNominatedPod(pod);
    else {
      // A nomination set through addNominatedPod (not yet in the object): keep it, with the new object.
      const node = this.#nominatedNode.get(keyOf(pod));
      if (node !== undefined) this.#nominatedPods.get(node)!.set(keyOf(pod), pod);
    }
  }
}
