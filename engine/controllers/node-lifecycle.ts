import type { Store, WatchEvent } from '../api/store.js';
import type { Node, Pod, Taint } from '../api/types.js';
import type { TimeUs } from '../sim/types.js';
import { CONTROL_EVENT, type EvictEvent } from './events.js';
import { isPodActive } from './objects.js';
import { tolerates } from './scheduling.js';
import { parseTimestamp, timestamp } from './time.js';
import type { Controller, ControllerContext } from './types.js';

/** Name of the node lifecycle controller (with its taint-eviction manager). */
export const NODE_LIFECYCLE_CONTROLLER = 'node-lifecycle-controller';
/** The taint an unreachable node gets. */
export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';
/** The taint a node that reports NotReady gets. */
export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';

/** Timings of node failure detection and eviction. */
export interface NodeLifecycleOptions {
  /** Missing heartbeats for this long mark a node unreachable (`--node-monitor-grace-period`, 40 s). */
  gracePeriodUs: TimeUs;
  /** tolerationSeconds of the not-ready/unreachable tolerations every pod implicitly has (300 s). */
  defaultTolerationSeconds: number;
}

/** Kubernetes defaults. */
export const DEFAULT_NODE_LIFECYCLE: NodeLifecycleOptions = {
  gracePeriodUs: 40_000_000,
  defaultTolerationSeconds: 300,
};

/**
 * The node lifecycle controller and the NoExecute taint manager. A node whose kubelet stops (the
 * `node-down` fault) is marked `Ready=Unknown` and tainted `node.kubernetes.io/unreachable`
 * (NoSchedule + NoExecute) once the grace period passes without heartbeats; when it comes back the
 * taints go. Pods on a node with NoExecute taints are evicted (deleted) at once if they do not
 * tolerate a taint, or `tolerationSeconds` after the taint was added. Pods that carry no toleration
 * for not-ready/unreachable are treated as having Kubernetes' DefaultTolerationSeconds ones (300 s)
 * — the admission plugin's effect, without rewriting every pod. Their controllers then re-create them
 * elsewhere. Heartbeats are not simulated: a node is healthy unless a fault says otherwise.
 */
export class NodeLifecycleController implements Controller {
  readonly name = NODE_LIFECYCLE_CONTROLLER;
  readonly #ctx: ControllerContext;
  readonly #store: Store;
  readonly #opts: NodeLifecycleOptions;
  /** Nodes whose kubelet is down → since when. */
  readonly #down = new Map<string, TimeUs>();

  constructor(ctx: ControllerContext, opts: NodeLifecycleOptions) {
    this.#ctx = ctx;
    this.#store = ctx.store;
    this.#opts = opts;
    ctx.store.watch('Node', undefined, (ev) => {
      if (ev.type === 'MODIFIED' && (ev.old as Node).spec?.taints !== (ev.object as Node).spec?.taints) {
        ctx.enqueue(this.name, ev.key);
      }
      if (ev.type === 'DELETED') this.#down.delete(ev.key);
    });
    ctx.store.watch('Pod', undefined, (ev) => this.#onPod(ev));
  }

  #onPod(ev: WatchEvent): void {
    const node = (ev.object as Pod).spec?.nodeName;
    if (!node || ev.type === 'DELETED' || (ev.old as Pod | undefined)?.spec?.nodeName === node) return;
    if (this.#store.get<Node>('Node', node)?.spec?.taints?.some((t) => t.effect === 'NoExecute')) {
      this.#ctx.enqueue(this.name, node);
    }
  }

  /** The kubelet of `node` stops now (heartbeats stop). */
  nodeDown(node: string): void {
    if (this.#down.has(node)) return;
    const now = this.#ctx.sim.now();
    this.#down.set(node, now);
    this.#ctx.enqueueAt(this.name, node, now + this.#opts.gracePeriodUs);
  }

  /** The kubelet of `node` is back now. */
  nodeUp(node: string): void {
    if (!this.#down.delete(node)) return;
    this.#ctx.enqueue(this.name, node);
  }

  resync(): void {
    for (const node of this.#store.values<Node>('Node')) this.#ctx.enqueue(this.name, node.metadata!.name!);
    for (const [node, since] of this.#down)
      this.#ctx.enqueueAt(this.name, node, since + this.#opts.gracePeriodUs);
  }

  sync(name: string): void {
    let node = this.#store.get<Node>('Node', name);
    if (!node) return;
    const now = this.#ctx.sim.now();
    const downSince = this.#down.get(name);
    const taints = node.spec?.taints ?? [];
    const marked = taints.some((t) => t.key === UNREACHABLE_TAINT);
    if (downSince !== undefined && now >= downSince + this.#opts.gracePeriodUs && !marked) {
      const added = timestamp(now) as never;
      node = this.#store.update<Node>({
        ...node,
        spec: {
          ...node.spec,
          taints: [
            ...taints,
            { key: UNREACHABLE_TAINT, effect: 'NoSchedule', timeAdded: added },
            { key: UNREACHABLE_TAINT, effect: 'NoExecute', timeAdded: added },
          ],
        },
        status: { ...node.status, conditions: this.#ready(node, 'Unknown', 'NodeStatusUnknown', now) },
      });
    } else if (downSince === undefined && marked) {
      node = this.#store.update<Node>({
        ...node,
        spec: { ...node.spec, taints: taints.filter((t) => t.key !== UNREACHABLE_TAINT) },
        status: { ...node.status, conditions: this.#ready(node, 'True', 'KubeletReady', now) },
      });
    }
    this.#evict(node);
  }

  #ready(node: Node, status: string, reason: string, now: TimeUs): NonNullable<Node['status']>['conditions'] {
    const others = (node.status?.conditions ?? []).filter((c) => c.type !== 'Ready');
    return [...others, { type: 'Ready', status, reason, lastTransitionTime: timestamp(now) as never }];
  }

  /** The taint manager: evicts pods that do not (or no longer) tolerate the node's NoExecute taints. */
  #evict(node: Node): void {
    const noExecute = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
    if (noExecute.length === 0) return;
    const name = node.metadata!.name!;
    const now = this.#ctx.sim.now();
    let wake = Infinity;
    const pods = this.#store.list<Pod>('Pod', { fieldSelector: `spec.nodeName=${name}` }).filter(isPodActive);
    for (const pod of pods) {
      const at = this.#evictionTime(pod, noExecute);
      if (at <= now) {
        const key = `${pod.metadata!.namespace!}/${pod.metadata!.name!}`;
        if (this.#ctx.tryDelete('Pod', pod.metadata!.name!, pod.metadata!.namespace)) {
          this.#ctx.sim.log.append(CONTROL_EVENT.EVICT, {
            pod: key,
            node: name,
            taint: noExecute[0]!.key,
          } satisfies EvictEvent);
        }
      } else if (at < wake) wake = at;
    }
    if (Number.isFinite(wake)) this.#ctx.enqueueAt(this.name, name, wake);
  }

  #evictionTime(pod: Pod, taints: readonly Taint[]): TimeUs {
    let at = Infinity;
    for (const taint of taints) {
      const added = parseTimestamp(taint.timeAdded as unknown as string) ?? 0;
      const tol = pod.spec?.tolerations?.find((t) => tolerates(t, taint));
      let seconds: number | undefined;
      if (tol) seconds = tol.tolerationSeconds ?? undefined;
      else if (taint.key === UNREACHABLE_TAINT || taint.key === NOT_READY_TAINT)
        seconds = this.#opts.defaultTolerationSeconds;
      else return added; // not tolerated: evicted at once
      if (seconds !== undefined) at = Math.min(at, added + Math.max(0, seconds) * 1e6);
    }
    return at;
  }

  /** Checkpoint state. */
  snapshot(): unknown {
    return [...this.#down];
  }

  restore(state: unknown): void {
    this.#down.clear();
    for (const [k, v] of state as [string, number][]) this.#down.set(k, v);
  }
}
