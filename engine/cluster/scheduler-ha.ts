import type { Simulation } from '../sim/simulation.js';
import type { TimeUs } from '../sim/types.js';
import { DEFAULT_LEASE_TIMINGS, LeaderElection, type LeaseTimings } from '../controllers/leader-election.js';
import type { SchedulerDriver } from './scheduler-driver.js';

/** Settings of a highly-available scheduler: replicas behind one leader lease. */
export interface SchedulerHaOptions {
  /** Scheduler processes competing for the lease (≥ 1). */
  replicas: number;
  lease?: LeaseTimings;
}

/**
 * kube-scheduler run as several replicas with leader election on a Lease: only the leader
 * schedules. The replicas share one cache and queue (the driver): a standby's informers would hold
 * the same state, so only the lease decides who acts. Killing the leader stalls scheduling until a
 * standby acquires the expired lease (leaseDuration after the last renewal, at its next retry).
 */
export class SchedulerReplicas {
  readonly election: LeaderElection;
  readonly #sim: Simulation;
  #generation = 0;

  constructor(sim: Simulation, driver: SchedulerDriver, opts: SchedulerHaOptions) {
    if (!Number.isInteger(opts.replicas) || opts.replicas < 1) {
      throw new RangeError('options.replicas must be a positive integer');
    }
    this.#sim = sim;
    driver.setLeading(false);
    this.election = new LeaderElection(sim, 'kube-scheduler', opts.lease ?? DEFAULT_LEASE_TIMINGS, {
      onStartedLeading: () => driver.setLeading(true),
      onStoppedLeading: () => driver.setLeading(false),
    });
    for (let i = 0; i < opts.replicas; i++) this.election.addCandidate(`scheduler-${this.#generation++}`);
  }

  /** Kills the leading replica now; a replacement joins as a standby after `restartAfterUs`. */
  killLeader(restartAfterUs?: TimeUs): string | undefined {
    const leader = this.election.leader;
    if (leader === undefined) return undefined;
    this.election.kill(leader);
    if (restartAfterUs !== undefined) {
      const id = `scheduler-r-${this.#generation++}`;
      this.#sim.after(restartAfterUs, 0, RESTART_SCHEDULER_EVENT, id);
    }
    return leader;
  }

  /** Handles the restart event (registered by the replay). */
  restart(identity: string): void {
    this.election.addCandidate(identity);
  }
}

/** Queue event that starts a replacement scheduler replica. */
export const RESTART_SCHEDULER_EVENT = 'scheduler.restart';
