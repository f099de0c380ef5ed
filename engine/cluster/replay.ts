import { Store } from '../api/store.js';
import { ForbiddenError, InputError, KreplayError, NotFoundError } from '../api/errors.js';
import { CLUSTER_SCOPED, objectKey, type KObject } from '../api/types.js';
import { Simulation } from '../sim/simulation.js';
import { PHASE } from '../sim/heap.js';
import type { TimeUs } from '../sim/types.js';
import { Scheduler, type SchedulerOptions } from '../scheduler/scheduler.js';
import type { SchedulerConfig } from '../scheduler/framework/index.js';
import { Kubelets, type KubeletOptions } from '../kubelet/kubelet.js';
import { SchedulerDriver } from './scheduler-driver.js';
import { storeLookups } from './lookups.js';
import { RESTART_SCHEDULER_EVENT, SchedulerReplicas, type SchedulerHaOptions } from './scheduler-ha.js';
import { provideClusterLookups } from '../scheduler/plugins/cluster-lookups.js';
import { EVENT, type AdmissionRejectEvent, type RunEndEvent, type RunStartEvent } from './events.js';
import { SYNC_EVENT as CONTROLLER_SYNC_EVENT } from '../controllers/manager.js';
import { installControlPlane, type ControlPlane, type ControlPlaneOptions } from '../controllers/index.js';

/** One timed API call from outside the cluster (a trace record). */
export interface InputCall {
  readonly timeUs: TimeUs;
  readonly op: 'create' | 'update' | 'delete';
  readonly object: KObject;
  /** The trace file and line of the call: a call the store refuses is reported there. */
  readonly source?: { readonly file: string; readonly line: number };
}

/** Settings of one replay. */
export interface ReplayOptions {
  seed: string | number;
  config: SchedulerConfig;
  /** Names the run in the log (`run.start`). */
  policy: string;
  trace: string;
  kubelet?: KubeletOptions;
  /** kube-controller-manager and admission (installed unless `enabled: false`); see docs/controllers.md. */
  controllers?: ControlPlaneOptions;
  /** Report time-bucket width, seconds (recorded in `run.start`). Default 60. */
  bucketSeconds?: number;
  /**
   * Builds the scheduling core from its options (e.g. a ParallelScheduler for `--workers N`);
   * default a plain Scheduler. Whatever it builds must decide exactly as the Scheduler would.
   */
  makeScheduler?: (opts: SchedulerOptions) => Scheduler;
  /** Run kube-scheduler as replicas behind leader election (default: one scheduler, no lease). */
  schedulerHa?: SchedulerHaOptions;
  /**
   * Hears a trace call the store refused (the error names the record's file and line): returning
   * skips the call (`--on-invalid skip` counts it), throwing fails the run. Default: fail.
   */
  onRefusedInput?: (err: InputError) => void;
}

/** Called now and then during a run with the virtual time reached. */
export type ProgressCallback = (virtualUs: TimeUs, eventsHandled: number) => void;

const INPUT_EVENT = 'input';

/**
 * Without `--until`, how long (virtual µs) a run whose controllers still have syncs queued goes on
 * after the last trace record: one day (CronJobs would otherwise run forever).
 */
export const CONTROLLER_DRAIN_US = 86_400_000_000;

/**
 * A simulated cluster assembled for one replay: the store (API server), the scheduler (driver +
 * scheduling core), the kubelets, all on one Simulation. `run` feeds trace records as timed API calls.
 */
export class ClusterReplay {
  readonly sim: Simulation;
  readonly store: Store;
  readonly scheduler: Scheduler;
  readonly driver: SchedulerDriver;
  readonly kubelets: Kubelets;
  readonly controlPlane: ControlPlane | undefined;
  readonly schedulerReplicas: SchedulerReplicas | undefined;
  readonly #opts: ReplayOptions;

  constructor(opts: ReplayOptions) {
    this.#opts = opts;
    this.sim = new Simulation({ seed: opts.seed });
    this.store = new Store({ clock: this.sim, sink: this.sim.log });
    const schedulerOptions: SchedulerOptions = {
      config: opts.config,
      random: this.sim.rng.stream('scheduler/tiebreak'),
    };
    this.scheduler = opts.makeScheduler
      ? opts.makeScheduler(schedulerOptions)
      : new Scheduler(schedulerOptions);
    provideClusterLookups(
      this.scheduler.index,
      storeLookups(this.store, this.sim.rng.stream('scheduler/preemption')),
    );
    const names = new Set(opts.config.profiles.map((p) => p.schedulerName));
    this.driver = new SchedulerDriver(this.sim, this.store, this.scheduler, { schedulerNames: names });
    this.kubelets = new Kubelets(this.sim, this.store, opts.kubelet);
    this.controlPlane = installControlPlane(this.sim, this.store, opts.controllers);
    if (opts.schedulerHa) {
      const ha = new SchedulerReplicas(this.sim, this.driver, opts.schedulerHa);
      this.sim.on(RESTART_SCHEDULER_EVENT, (id) => ha.restart(id as string));
      if (this.controlPlane) this.controlPlane.faults.schedulerKiller = (after) => ha.killLeader(after);
      this.schedulerReplicas = ha;
    }
    this.sim.on(INPUT_EVENT, (d) => this.#apply(d as InputCall, 'trace'));
  }

  /** Applies one API call through the store; admission rejections are logged, not fatal. */
  #apply(call: InputCall, by: string): void {
    const obj = call.object;
    const kind = obj.kind ?? '';
    try {
      if (call.op === 'create') this.store.create(obj);
      else if (call.op === 'update') this.store.update(obj);
      else {
        const m = obj.metadata ?? {};
        const opts = CLUSTER_SCOPED.has(kind) ? {} : { namespace: m.namespace ?? 'default' };
        this.store.delete(kind, m.name ?? '', opts);
      }
    } catch (err) {
      if (err instanceof ForbiddenError) {
        this.sim.log.append(EVENT.ADMISSION_REJECT, {
          kind,
          key: objectKey(obj),
          reason: err.code,
          message: err.message,
          by,
        } satisfies AdmissionRejectEvent);
        return;
      }
      // Deleting what was never admitted (e.g. a pod refused by quota) is not an error of the trace.
      if (err instanceof NotFoundError && call.op === 'delete') return;
      // Anything else the store refuses (a name already taken, an invalid update) is the trace's
      // error: reported at its line when the reader said where the call came from.
      if (call.source && err instanceof KreplayError) {
        const refused = new InputError(
          call.source.file,
          call.source.line,
          undefined,
          `${call.op}: ${err.message}`,
          err.code,
        );
        if (!this.#opts.onRefusedInput) throw refused;
        this.#opts.onRefusedInput(refused);
        return;
      }
      throw err;
    }
  }

  /**
   * Replays `records` (non-decreasing time) and then lets the cluster settle: the run ends at
   * `untilUs`, or when nothing but scheduler retries is left to happen. Call `end()` afterwards.
   */
  async run(
    records: AsyncIterable<InputCall>,
    untilUs = Infinity,
    progress?: ProgressCallback,
  ): Promise<void> {
    const sim = this.sim;
    sim.log.append(EVENT.RUN_START, {
      seed: String(this.#opts.seed),
      policy: this.#opts.policy,
      trace: this.#opts.trace,
      bucketSeconds: this.#opts.bucketSeconds ?? 60,
    } satisfies RunStartEvent);
    let lastTime = 0;
    let n = 0;
    for await (const rec of records) {
      if (rec.timeUs > untilUs) break;
      if (rec.timeUs < lastTime) {
        const why = `trace record ${rec.object.kind ?? ''} ${objectKey(rec.object)} at ${rec.timeUs} µs goes back in time (after ${lastTime} µs)`;
        if (rec.source)
          throw new InputError(rec.source.file, rec.source.line, undefined, why, 'TIME_BACKWARDS');
        throw new KreplayError('TIME_BACKWARDS', why);
      }
      if (rec.timeUs > lastTime) sim.runUntil(rec.timeUs - 1);
      lastTime = rec.timeUs;
      sim.schedule(rec.timeUs, PHASE.INPUT, INPUT_EVENT, rec);
      if (++n % 4096 === 0) progress?.(sim.now(), sim.processed);
    }
    this.#settle(untilUs, progress);
  }

  /** Closes the run in the log (`run.end`); call once, after `run` and any final entries. */
  end(): void {
    this.sim.log.append(EVENT.RUN_END, { untilUs: this.sim.now() } satisfies RunEndEvent);
  }

  #settle(untilUs: number, progress?: ProgressCallback): void {
    const sim = this.sim;
    if (Number.isFinite(untilUs)) {
      sim.runUntil(untilUs);
      return;
    }
    // Without a horizon, stop once only retry cycles are queued: no input, kubelet or controller
    // event is left that could make a pending pod schedulable, so retries would fail forever.
    // Controllers may keep syncing forever (CronJobs): while any sync is queued, the run stops
    // CONTROLLER_DRAIN_US after the last trace record.
    const drainEnd = sim.now() + CONTROLLER_DRAIN_US;
    let steps = 0;
    while (sim.pending > this.driver.queuedRetries) {
      if (sim.nextTime()! > drainEnd && sim.pendingOfType(CONTROLLER_SYNC_EVENT) > 0) {
        sim.runUntil(drainEnd);
        break;
      }
      sim.step();
      if (++steps % 65536 === 0) progress?.(sim.now(), sim.processed);
    }
  }
}
