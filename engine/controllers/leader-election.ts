import { PHASE } from '../sim/heap.js';
import type { Simulation } from '../sim/simulation.js';
import type { TimeUs } from '../sim/types.js';
import { CONTROL_EVENT, type LeaderEvent } from './events.js';

/** client-go leader-election timings (kube-controller-manager and kube-scheduler defaults). */
export interface LeaseTimings {
  /** How long a lease is valid after its last renewal, as seen by the others. Default 15 s. */
  leaseDurationUs: TimeUs;
  /** How long the holder keeps trying to renew before it gives up. Default 10 s. */
  renewDeadlineUs: TimeUs;
  /** Interval of every candidate's acquire/renew attempts. Default 2 s. */
  retryPeriodUs: TimeUs;
}

/** `--leader-elect-lease-duration=15s --leader-elect-renew-deadline=10s --leader-elect-retry-period=2s`. */
export const DEFAULT_LEASE_TIMINGS: LeaseTimings = {
  leaseDurationUs: 15_000_000,
  renewDeadlineUs: 10_000_000,
  retryPeriodUs: 2_000_000,
};

/** Called when the local process gains or loses the lease. */
export interface LeaderCallbacks {
  onStartedLeading(identity: string): void;
  onStoppedLeading(identity: string): void;
}

interface Candidate {
  /** Its first acquire attempt; later attempts every retryPeriod. */
  readonly startUs: TimeUs;
}

interface LeaseState {
  holder: string | undefined;
  acquireUs: TimeUs;
  /** Last renewal, fixed once the holder dies (while alive it renews every retryPeriod). */
  lastRenewUs: TimeUs;
  holderAlive: boolean;
  /** Bumped on every change so that queued takeovers that no longer apply are ignored. */
  term: number;
}

interface TakeoverData {
  lease: string;
  identity: string;
  term: number;
}

/**
 * A `coordination.k8s.io/v1` Lease and the processes competing for it, modelled in closed form:
 * the live holder renews at every retryPeriod tick since it acquired, so no renew events are queued;
 * when the holder dies, its last renewal is the latest tick before the kill, the lease expires
 * leaseDuration later, and each live candidate acquires at its first retry tick at or after that
 * expiry (candidates tick every retryPeriod from their start, the earliest one wins, ties go to the
 * one registered first). The lease is simulation state, not a store object (the store has no Lease kind).
 * `renewDeadline` matters only when renewals fail while the holder runs, which is not modelled.
 */
export class LeaderElection {
  readonly name: string;
  readonly timings: LeaseTimings;
  readonly #sim: Simulation;
  readonly #cb: LeaderCallbacks;
  readonly #candidates = new Map<string, Candidate>();
  readonly #event: string;
  #lease: LeaseState = { holder: undefined, acquireUs: 0, lastRenewUs: 0, holderAlive: false, term: 0 };

  constructor(sim: Simulation, name: string, timings: LeaseTimings, callbacks: LeaderCallbacks) {
    if (!(timings.retryPeriodUs > 0) || !(timings.leaseDurationUs > timings.renewDeadlineUs)) {
      throw new RangeError('lease timings need retryPeriod > 0 and leaseDuration > renewDeadline');
    }
    this.#sim = sim;
    this.name = name;
    this.timings = timings;
    this.#cb = callbacks;
    this.#event = `lease.${name}`;
    sim.on(this.#event, (d) => this.#takeover(d as TakeoverData));
  }

  /** The identity holding a valid lease, if its holder is alive. */
  get leader(): string | undefined {
    return this.#lease.holderAlive ? this.#lease.holder : undefined;
  }

  /** Starts a candidate process now; it acquires at once when the lease is free or expired. */
  addCandidate(identity: string): void {
    if (this.#candidates.has(identity)) throw new Error(`candidate ${identity} already runs`);
    this.#candidates.set(identity, { startUs: this.#sim.now() });
    const l = this.#lease;
    if (l.holder === undefined) this.#acquire(identity, false);
    else if (!l.holderAlive) this.#planTakeover();
  }

  /** Kills a candidate process (the leader or a standby) now. */
  kill(identity: string): void {
    if (!this.#candidates.delete(identity)) return;
    const l = this.#lease;
    if (l.holder !== identity || !l.holderAlive) return;
    const now = this.#sim.now();
    const r = this.timings.retryPeriodUs;
    // Renewals happen at acquire + k·retryPeriod; a kill at the very instant of a tick wins over it.
    l.lastRenewUs = now === l.acquireUs ? now : l.acquireUs + Math.floor((now - 1 - l.acquireUs) / r) * r;
    l.holderAlive = false;
    l.term++;
    this.#sim.log.append(CONTROL_EVENT.LEADER, {
      lease: this.name,
      identity,
      event: 'lost',
    } satisfies LeaderEvent);
    this.#cb.onStoppedLeading(identity);
    this.#planTakeover();
  }

  /** When the lease becomes acquirable by others after its holder died. */
  expiryUs(): TimeUs {
    return this.#lease.lastRenewUs + this.timings.leaseDurationUs;
  }

  #planTakeover(): void {
    const expiry = this.expiryUs();
    const r = this.timings.retryPeriodUs;
    let best: string | undefined;
    let bestAt = Infinity;
    for (const [id, c] of this.#candidates) {
      const from = Math.max(expiry, this.#sim.now());
      const at = c.startUs + Math.ceil((from - c.startUs) / r) * r;
      if (at < bestAt) {
        best = id;
        bestAt = at;
      }
    }
    if (best === undefined) return;
    const term = ++this.#lease.term;
    this.#sim.schedule(bestAt, PHASE.CONTROLLER, this.#event, {
      lease: this.name,
      identity: best,
      term,
    } satisfies TakeoverData);
  }

  #takeover(d: TakeoverData): void {
    if (d.term !== this.#lease.term || this.#lease.holderAlive || !this.#candidates.has(d.identity)) return;
    this.#acquire(d.identity, true);
  }

  // The very first acquisition (a fresh cluster) is not logged, so that a replay without faults logs
  // nothing extra and a resumed checkpoint does not log it twice.
  #acquire(identity: string, log: boolean): void {
    const now = this.#sim.now();
    this.#lease = {
      holder: identity,
      acquireUs: now,
      lastRenewUs: now,
      holderAlive: true,
      term: this.#lease.term + 1,
    };
    if (log)
      this.#sim.log.append(CONTROL_EVENT.LEADER, {
        lease: this.name,
        identity,
        event: 'acquired',
      } satisfies LeaderEvent);
    this.#cb.onStartedLeading(identity);
  }

  /** Checkpoint state. */
  snapshot(): unknown {
    return { lease: this.#lease, candidates: [...this.#candidates] };
  }

  restore(state: unknown): void {
    const s = state as { lease: LeaseState; candidates: [string, Candidate][] };
    this.#lease = { ...s.lease };
    this.#candidates.clear();
    for (const [id, c] of s.candidates) this.#candidates.set(id, c);
  }
}
