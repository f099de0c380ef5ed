import { shallowWith } from '../api/copy.js';
import type { Store, WatchEvent } from '../api/store.js';
import type { Node, Pod } from '../api/types.js';
import type { Simulation } from '../sim/simulation.js';
import { PHASE } from '../sim/heap.js';
import type { Scheduler, ScheduleResult } from '../scheduler/scheduler.js';
import { SchedulingQueue, type ClusterEvent } from '../scheduler/queue/index.js';
import type { QueuedPodInfo } from '../scheduler/framework/index.js';
import { speculateAhead } from './batch-cycle.js';
import { ANN_GPU_ASSIGNED, gpuAssignment } from '../scheduler/plugins/gpu-share/index.js';
import { EVENT, type SchedBindEvent, type SchedFailEvent, type SchedPreemptEvent } from './events.js';

/** Queue event that runs scheduling cycles until the active queue is empty. */
export const CYCLE_EVENT = 'sched.cycle';

const TERMINAL = new Set(['Succeeded', 'Failed']);

function isTerminal(pod: Pod | undefined): boolean {
  return TERMINAL.has(pod?.status?.phase ?? '');
}

/** Driver settings. */
export interface SchedulerDriverOptions {
  /** `spec.schedulerName`s this scheduler serves (its profiles). */
  schedulerNames: ReadonlySet<string>;
}

/**
 * kube-scheduler as a process on the virtual clock: it watches nodes and pods through the store,
 * keeps its cache (the scheduling core's node index) and queue current, runs scheduling cycles at
 * the SCHEDULER phase of a time point, binds by updating `spec.nodeName`, and logs every attempt.
 */
export class SchedulerDriver {
  readonly queue: SchedulingQueue;
  readonly #sim: Simulation;
  readonly #store: Store;
  readonly #core: Scheduler;
  readonly #names: ReadonlySet<string>;
  /** Times at which a cycle is already queued (so none is queued twice) → queued only to retry. */
  readonly #cyclesAt = new Map<number, boolean>();
  #retryOnlyCycles = 0;
  /** Pods the core accounts for (bound, not terminated). */
  readonly #accounted = new Set<string>();
  #attempts = 0;
  /** Whether this scheduler holds the leader lease (always, without leader election). */
  #leading = true;
  readonly #less: (a: QueuedPodInfo, b: QueuedPodInfo) => boolean;

  constructor(sim: Simulation, store: Store, core: Scheduler, opts: SchedulerDriverOptions) {
    this.#sim = sim;
    this.#store = store;
    this.#core = core;
    this.#names = opts.schedulerNames;
    // One queue, ordered and gated by the first profile's QueueSort and PreEnqueue plugins, as
    // kube-scheduler requires every profile to share one QueueSort.
    const fw = core.framework(core.profileNames[0]!)!;
    this.#less = (a, b) => fw.queueSortPlugin.less(a, b);
    this.queue = new SchedulingQueue({
      less: this.#less,
      preEnqueue: (p) => fw.runPreEnqueue(p),
    });
    sim.on(CYCLE_EVENT, () => this.#cycle());
    store.watch('Node', undefined, (ev) => this.#onNode(ev));
    store.watch('Pod', undefined, (ev) => this.#onPod(ev));
  }

  /** Scheduling attempts made so far. */
  get attempts(): number {
    return this.#attempts;
  }

  /**
   * Cycles queued only to retry pods that wait for a cluster change (the unschedulable set's
   * periodic flush): they alone never keep a run going, since the same cluster gives the same
   * verdict. Pods in backoff (an event came during their attempt, e.g. preemption freed room) may
   * succeed on retry, so while any wait there their cycles count as real work (0 here).
   */
  get queuedRetries(): number {
    return this.queue.backoffLength > 0 || this.queue.activeLength > 0 ? 0 : this.#retryOnlyCycles;
  }

  /**
   * Leader election: a standby keeps its cache and queue current from the watches but schedules
   * nothing; on becoming leader it runs a cycle at once.
   */
  setLeading(leading: boolean): void {
    this.#leading = leading;
    if (leading) this.#wake(this.#sim.now(), false);
  }

  /** Whether this scheduler currently schedules (holds the lease). */
  get leading(): boolean {
    return this.#leading;
  }

  #responsible(pod: Pod): boolean {
    return this.#names.has(pod.spec?.schedulerName ?? 'default-scheduler');
  }

  #move(event: ClusterEvent): void {
    if (this.queue.moveOnEvent(event, this.#sim.now()) > 0) this.#wake(this.#sim.now(), false);
  }

  #onNode(ev: WatchEvent): void {
    const node = ev.object as Node;
    if (ev.type === 'ADDED') {
      this.#core.addNode(node);
      this.#move({ kind: 'NodeAdd' });
    } else if (ev.type === 'MODIFIED') {
      this.#core.updateNode(node);
      this.#move({ kind: 'NodeUpdate' });
    } else {
      this.#core.removeNode(node.metadata!.name!);
      this.#move({ kind: 'NodeDelete' });
    }
  }

  #onPod(ev: WatchEvent): void {
    const pod = ev.object as Pod;
    const bound = !!pod.spec?.nodeName;
    if (ev.type === 'DELETED') {
      if (this.#accounted.delete(ev.key)) {
        this.#core.removePod(ev.old as Pod);
        this.#move({ kind: 'AssignedPodDelete' });
      } else if (!bound) this.queue.delete(pod);
      return;
    }
    if (bound) {
      if (!this.#accounted.has(ev.key) && !isTerminal(pod)) {
        this.#accounted.add(ev.key);
        this.#core.addPod(pod);
        this.#move({ kind: 'AssignedPodAdd' });
      } else if (this.#accounted.has(ev.key) && isTerminal(pod)) {
        // A finished pod no longer holds resources (the scheduler cache drops terminated pods).
        this.#accounted.delete(ev.key);
        this.#core.removePod(ev.old as Pod);
        this.#move({ kind: 'AssignedPodDelete' });
      }
      return;
    }
    if (!this.#responsible(pod) || isTerminal(pod)) return;
    if (ev.type === 'ADDED') this.queue.add(pod, this.#sim.now());
    else this.queue.update(pod, this.#sim.now());
    this.#wake(this.#sim.now(), false);
  }

  /** Queues a cycle at `time` unless one is already queued then; `retry`: only for backoff/flush. */
  #wake(time: number, retry: boolean): void {
    const queued = this.#cyclesAt.get(time);
    if (queued === undefined) {
      this.#cyclesAt.set(time, retry);
      if (retry) this.#retryOnlyCycles++;
      this.#sim.schedule(time, PHASE.SCHEDULER, CYCLE_EVENT, time);
    } else if (queued && !retry) {
      this.#cyclesAt.set(time, false);
      this.#retryOnlyCycles--;
    }
  }

  #cycle(): void {
    const now = this.#sim.now();
    if (this.#cyclesAt.get(now)) this.#retryOnlyCycles--;
    this.#cyclesAt.delete(now);
    if (!this.#leading) return;
    for (let p = this.queue.pop(now); p; p = this.queue.pop(now)) {
      this.#attempts++;
      const pod = p.pod;
      // With a ParallelScheduler, evaluates this pod and the next ones of the queue on worker threads.
      speculateAhead(this.#core, this.queue, this.#less, pod);
      const reserved = this.#reserveNominated(pod);
      const result = this.#core.scheduleOne(pod);
      for (const r of reserved) this.#core.removePod(r);
      if (result.code === 'Success') this.#bind(pod, p.key, p.attempts, result);
      else this.#fail(pod, p.key, p.attempts, result);
    }
    const next = this.queue.nextWakeUs();
    if (next !== undefined) this.#wake(Math.max(next, now + 1), true);
  }

  /**
   * kube-scheduler's nominated pods in Filter: pods nominated to a node by preemption, of priority ≥
   * this pod's, count on that node while this pod is filtered, so the room preemption freed is not
   * taken by someone else before the preemptor's retry. They are added to the cache for this
   * attempt and removed right after (the caller's job).
   */
  #reserveNominated(pod: Pod): Pod[] {
    if (!this.queue.hasNominatedPods) return [];
    const priority = pod.spec?.priority ?? 0;
    const self = `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name}`;
    const out: Pod[] = [];
    for (const [nodeName, np] of this.queue.nominations()) {
      if ((np.spec?.priority ?? 0) < priority) continue;
      if (`${np.metadata?.namespace ?? 'default'}/${np.metadata?.name}` === self) continue;
      if (!this.#store.get('Node', nodeName)) continue;
      const assumed = shallowWith(np, { spec: shallowWith(np.spec!, { nodeName }) });
      this.#core.addPod(assumed);
      out.push(assumed);
    }
    return out;
  }

  #bind(pod: Pod, key: string, attempt: number, result: Extract<ScheduleResult, { code: 'Success' }>): void {
    this.queue.done(pod);
    const current = this.#store.getByKey<Pod>('Pod', key)!;
    // Which devices a GPU pod gets is part of the decision (its profile's GPU policy picks them).
    const gpus = gpuAssignment(this.#core, current, result.nodeName);
    this.#sim.log.append(EVENT.BIND, {
      pod: key,
      node: result.nodeName,
      profile: current.spec?.schedulerName ?? 'default-scheduler',
      attempt,
      feasible: result.feasibleNodes,
      evaluated: result.evaluatedNodes,
      ...(gpus ? { gpus } : {}),
    } satisfies SchedBindEvent);
    const metadata = gpus
      ? {
          ...current.metadata,
          annotations: { ...current.metadata?.annotations, [ANN_GPU_ASSIGNED]: gpus.join(',') },
        }
      : current.metadata;
    // The binding subresource sets spec.nodeName and the PodScheduled condition.
    this.#store.update<Pod>(
      shallowWith(current, {
        metadata,
        spec: shallowWith(current.spec!, { nodeName: result.nodeName }),
        status: shallowWith(current.status, { conditions: [{ type: 'PodScheduled', status: 'True' }] }),
      }),
    );
  }

  #fail(pod: Pod, key: string, attempt: number, result: Exclude<ScheduleResult, { code: 'Success' }>): void {
    this.#sim.log.append(EVENT.FAIL, {
      pod: key,
      profile: pod.spec?.schedulerName ?? 'default-scheduler',
      attempt,
      code: result.code,
      reasons: result.reasonCounts,
      message: result.message,
    } satisfies SchedFailEvent);
    if (result.nominatedNodeName) this.#preempt(pod, key, result.nominatedNodeName, result.victims ?? []);
    this.queue.addUnschedulable(
      pod,
      { unschedulable: result.code !== 'Error', pluginsThatRejected: Object.keys(result.reasons) },
      this.#sim.now(),
    );
  }

  #preempt(pod: Pod, key: string, nodeName: string, victims: readonly Pod[]): void {
    const victimKeys = victims.map((v) => `${v.metadata!.namespace ?? 'default'}/${v.metadata!.name!}`);
    this.#sim.log.append(EVENT.PREEMPT, {
      pod: key,
      node: nodeName,
      victims: victimKeys,
    } satisfies SchedPreemptEvent);
    for (const v of victims) {
      this.#store.delete('Pod', v.metadata!.name!, { namespace: v.metadata!.namespace ?? 'default' });
    }
    const current = this.#store.getByKey<Pod>('Pod', key)!;
    this.#store.update<Pod>({ ...current, status: { ...current.status, nominatedNodeName: nodeName } });
    this.queue.addNominatedPod(current, nodeName);
  }
}
