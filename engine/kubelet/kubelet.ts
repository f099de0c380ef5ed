import { shallowWith } from '../api/copy.js';
import type { Store, WatchEvent } from '../api/store.js';
import type { Node, Pod } from '../api/types.js';
import { objectKey } from '../api/types.js';
import { nodeAllocatable, podRequests, type ResourceList } from '../api/resources.js';
import type { Simulation } from '../sim/simulation.js';
import { PHASE } from '../sim/heap.js';
import { EVENT, type KubeletEvent } from '../cluster/events.js';
import { DURATION_ANNOTATION, EXIT_ANNOTATION, parseDurationUs } from '../api/duration.js';

export { DURATION_ANNOTATION, EXIT_ANNOTATION };

/** Sim event: a restarted container runs again after its back-off (not a log entry). */
const RESUME = 'kubelet.resume';
/** kubelet's container restart back-off: 10 s, doubling, at most 5 minutes. */
const BACKOFF_INITIAL_US = 10_000_000;
const BACKOFF_MAX_US = 300_000_000;
/** A container that ran this long before exiting restarts with the initial back-off again. */
const BACKOFF_RESET_US = 600_000_000;

/**
 * The back-off before restart number `restarts` (1, 2, ...) of a container that runs `runUs` each time:
 * 10 s × 2^(restarts − 1), capped at 5 minutes; 10 s when each run lasts 10 minutes or more (the
 * kubelet forgets the back-off of a container that ran that long).
 */
export function restartBackoffUs(restarts: number, runUs: number): number {
  if (runUs >= BACKOFF_RESET_US) return BACKOFF_INITIAL_US;
  return Math.min(BACKOFF_MAX_US, BACKOFF_INITIAL_US * 2 ** Math.min(restarts - 1, 30));
}

/** Kubelet model settings. */
export interface KubeletOptions {
  /** Time from bind to Running (image pull, sandbox, container start). Default 1 s. */
  startupLatencyUs?: number;
}

interface PodRef {
  key: string;
  uid: string;
}

/**
 * The kubelets of every node, as one model. A pod bound to a node is admitted if it fits what the
 * node's kubelet already runs (otherwise it fails with OutOf<resource>, as a stale bind does on a
 * real node), starts after a start-up latency, runs for its duration and ends Succeeded (or Failed).
 * A pod with no duration runs until it is deleted. When its container exits, `spec.restartPolicy`
 * decides as on a real kubelet: `Always` (any exit) and `OnFailure` (a failed exit) restart it after
 * the back-off ({@link restartBackoffUs}) with the pod still Running and its restart count up; `Never`
 * ends the pod. An unset restartPolicy ends it too: a duration models a run to completion (the API
 * server would default it to Always; docs/controllers.md). State changes go through the store.
 */
export class Kubelets {
  readonly #store: Store;
  readonly #sim: Simulation;
  readonly #startupUs: number;
  /** Per node: resources held by admitted, not yet terminated pods. */
  readonly #used = new Map<string, ResourceList>();
  /** Pods admitted on a node, by key, with the requests they hold. */
  readonly #admitted = new Map<string, { node: string; req: ResourceList }>();

  constructor(sim: Simulation, store: Store, opts: KubeletOptions = {}) {
    this.#sim = sim;
    this.#store = store;
    this.#startupUs = opts.startupLatencyUs ?? 1_000_000;
    sim.on(EVENT.START, (d) => this.#start(d as PodRef));
    sim.on(EVENT.FINISH, (d) => this.#finish(d as PodRef));
    sim.on(RESUME, (d) => this.#resume(d as PodRef));
    store.watch('Pod', undefined, (ev) => this.#onPod(ev));
  }

  #onPod(ev: WatchEvent): void {
    const pod = ev.object as Pod;
    const node = pod.spec?.nodeName;
    if (ev.type === 'DELETED') {
      this.#release(ev.key);
      return;
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      this.#release(ev.key);
      return;
    }
    const wasBound = (ev.old as Pod | undefined)?.spec?.nodeName;
    if (node && !wasBound && !this.#admitted.has(ev.key)) this.#admit(pod, node, ev.key);
  }

  #admit(pod: Pod, node: string, key: string): void {
    const nodeObj = this.#store.get<Node>('Node', node);
    const req = podRequests(pod);
    req.set('pods', (req.get('pods') ?? 0) + 1);
    const used = this.#used.get(node) ?? new Map<string, number>();
    if (nodeObj) {
      const alloc = nodeAllocatable(nodeObj);
      for (const [res, amount] of req) {
        if (amount <= 0) continue;
        const cap = alloc.get(res) ?? 0;
        if ((used.get(res) ?? 0) + amount > cap) {
          this.#terminate(
            pod,
            'Failed',
            `OutOf${res}`,
            `Node didn't have enough resource: ${res}`,
            EVENT.REJECT,
          );
          return;
        }
      }
    }
    for (const [res, amount] of req) used.set(res, (used.get(res) ?? 0) + amount);
    this.#used.set(node, used);
    this.#admitted.set(key, { node, req });
    this.#sim.after(this.#startupUs, PHASE.KUBELET, EVENT.START, {
      key,
      uid: pod.metadata!.uid!,
    } satisfies PodRef);
  }

  #release(key: string): void {
    const a = this.#admitted.get(key);
    if (!a) return;
    this.#admitted.delete(key);
    const used = this.#used.get(a.node)!;
    for (const [res, amount] of a.req) used.set(res, used.get(res)! - amount);
  }

  #current(ref: PodRef): Pod | undefined {
    const pod = this.#store.getByKey<Pod>('Pod', ref.key);
    return pod && pod.metadata?.uid === ref.uid ? pod : undefined;
  }

  #start(ref: PodRef): void {
    const pod = this.#current(ref);
    if (!pod || pod.status?.phase === 'Running' || !this.#admitted.has(ref.key)) return;
    const startTime = this.#timestamp();
    this.#store.update<Pod>(
      shallowWith(pod, { status: shallowWith(pod.status, { phase: 'Running', startTime }) }),
    );
    this.#sim.log.append(EVENT.START, {
      pod: ref.key,
      node: pod.spec!.nodeName!,
      phase: 'Running',
    } satisfies KubeletEvent);
    this.#run(pod, ref);
  }

  /** Schedules the container's exit after the pod's duration (none: it runs until deleted). */
  #run(pod: Pod, ref: PodRef): void {
    const us = this.#durationUs(pod, ref);
    if (us !== undefined) this.#sim.after(us, PHASE.KUBELET, EVENT.FINISH, ref);
  }

  #durationUs(pod: Pod, ref: PodRef): number | undefined {
    const d = pod.metadata?.annotations?.[DURATION_ANNOTATION];
    return d === undefined
      ? undefined
      : parseDurationUs(d, `${ref.key}: metadata.annotations.${DURATION_ANNOTATION}`);
  }

  #finish(ref: PodRef): void {
    const pod = this.#current(ref);
    if (!pod || pod.status?.phase !== 'Running') return;
    const failed = pod.metadata?.annotations?.[EXIT_ANNOTATION] === 'failed';
    const policy = pod.spec?.restartPolicy;
    if (policy === 'Always' || (policy === 'OnFailure' && failed)) {
      this.#restart(pod, ref, failed ? 'Error' : 'Completed');
      return;
    }
    this.#terminate(pod, failed ? 'Failed' : 'Succeeded', failed ? 'Error' : 'Completed', '', EVENT.FINISH);
  }

  /** The container exited and will restart: the pod stays Running, its restart count goes up. */
  #restart(pod: Pod, ref: PodRef, reason: string): void {
    const restarts = (pod.status?.containerStatuses?.[0]?.restartCount ?? 0) + 1;
    const backoffUs = restartBackoffUs(restarts, this.#durationUs(pod, ref) ?? 0);
    this.#setContainerStatus(pod, restarts, { waiting: { reason: 'CrashLoopBackOff' } });
    this.#sim.log.append(EVENT.RESTART, {
      pod: ref.key,
      node: pod.spec!.nodeName!,
      reason,
      restarts,
      backoffSeconds: backoffUs / 1e6,
    } satisfies KubeletEvent);
    this.#sim.after(backoffUs, PHASE.KUBELET, RESUME, ref);
  }

  /** A restarted container runs again. */
  #resume(ref: PodRef): void {
    const pod = this.#current(ref);
    if (!pod || pod.status?.phase !== 'Running') return;
    const restarts = pod.status.containerStatuses?.[0]?.restartCount ?? 0;
    this.#setContainerStatus(pod, restarts, { running: { startedAt: this.#timestamp() } });
    this.#run(pod, ref);
  }

  /** The (first) container's status: waiting in back-off or running again; ready when running. */
  #setContainerStatus(
    pod: Pod,
    restartCount: number,
    state: { waiting: object } | { running: object },
  ): void {
    const c = pod.spec?.containers?.[0];
    this.#store.update<Pod>({
      ...pod,
      status: {
        ...pod.status,
        containerStatuses: [
          {
            name: c?.name ?? 'main',
            image: c?.image ?? '',
            imageID: '',
            restartCount,
            ready: 'running' in state,
            state,
          },
        ],
      },
    });
  }

  /** The virtual clock as an RFC 3339 timestamp (pod and container start times). */
  #timestamp(): string {
    return new Date(this.#sim.now() / 1000).toISOString();
  }

  #terminate(pod: Pod, phase: 'Succeeded' | 'Failed', reason: string, message: string, type: string): void {
    const key = objectKey({ ...pod, kind: 'Pod' });
    this.#store.update<Pod>(
      shallowWith(pod, {
        status: shallowWith(pod.status, { phase, reason, ...(message ? { message } : {}) }),
      }),
    );
    this.#sim.log.append(type, { pod: key, node: pod.spec!.nodeName!, phase, reason } satisfies KubeletEvent);
  }

  /** Checkpoint state: what each node holds. */
  snapshot(): unknown {
    return [...this.#admitted].map(([key, a]) => [key, a.node, [...a.req]]);
  }

  restore(state: unknown): void {
    for (const [key, node, req] of state as [string, string, [string, number][]][]) {
      const r = new Map(req);
      this.#admitted.set(key, { node, req: r });
      const used = this.#used.get(node) ?? new Map<string, number>();
      for (const [res, amount] of r) used.set(res, (used.get(res) ?? 0) + amount);
      this.#used.set(node, used);
    }
  }
}
