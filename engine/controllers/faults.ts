import { NotFoundError } from '../api/errors.js';
import type { Store } from '../api/store.js';
import type { ResourceQuota } from '../api/types.js';
import { PHASE } from '../sim/heap.js';
import type { Simulation } from '../sim/simulation.js';
import type { TimeUs } from '../sim/types.js';
import { CONTROL_EVENT, type FaultEvent } from './events.js';
import type { ControllerManager } from './manager.js';
import type { NodeLifecycleController } from './node-lifecycle.js';

/** A timed fault (plain data: it travels through the event queue and checkpoints). */
export type Fault =
  | { readonly type: 'node-down'; readonly node: string }
  | { readonly type: 'node-up'; readonly node: string }
  /** Kills the leading kube-controller-manager; it comes back as a standby after `restartAfterUs`. */
  | { readonly type: 'controller-manager-kill'; readonly restartAfterUs?: TimeUs }
  /** Kills the leading kube-scheduler replica (a replay with scheduler replicas); same restart rule. */
  | { readonly type: 'scheduler-kill'; readonly restartAfterUs?: TimeUs }
  /** Replaces `spec.hard` of a ResourceQuota (creating the quota if it does not exist). */
  | {
      readonly type: 'quota-change';
      readonly namespace: string;
      readonly name: string;
      readonly hard: Readonly<Record<string, string>>;
    };

/** Queue event of a fault. */
export const FAULT_EVENT = 'fault';

/** Schedules faults and applies them when their time comes (at the INPUT phase, like trace calls). */
export class FaultInjector {
  readonly #sim: Simulation;
  /**
   * Kills the leading scheduler replica, returning its identity; set by the replay when it runs
   * schedulers behind leader election (without it a `scheduler-kill` hits nothing).
   */
  schedulerKiller: ((restartAfterUs?: TimeUs) => string | undefined) | undefined;

  constructor(sim: Simulation, store: Store, manager: ControllerManager, nodes: NodeLifecycleController) {
    this.#sim = sim;
    sim.on(FAULT_EVENT, (d) => {
      const f = d as Fault;
      let target = '';
      switch (f.type) {
        case 'node-down':
          target = f.node;
          nodes.nodeDown(f.node);
          break;
        case 'node-up':
          target = f.node;
          nodes.nodeUp(f.node);
          break;
        case 'controller-manager-kill':
          target = manager.killLeader(f.restartAfterUs) ?? '';
          break;
        case 'scheduler-kill':
          target = this.schedulerKiller?.(f.restartAfterUs) ?? '';
          break;
        case 'quota-change': {
          target = `${f.namespace}/${f.name}`;
          const q = store.get<ResourceQuota>('ResourceQuota', f.name, f.namespace);
          const hard = { ...f.hard };
          if (q) store.update<ResourceQuota>({ ...q, spec: { ...q.spec, hard } });
          else {
            try {
              store.create<ResourceQuota>({
                apiVersion: 'v1',
                kind: 'ResourceQuota',
                metadata: { name: f.name, namespace: f.namespace },
                spec: { hard },
              });
            } catch (err) {
              if (!(err instanceof NotFoundError)) throw err;
            }
          }
          break;
        }
        default: {
          const never: never = f;
          throw new Error(`unknown fault ${JSON.stringify(never)}`);
        }
      }
      sim.log.append(CONTROL_EVENT.FAULT, { fault: f.type, target } satisfies FaultEvent);
    });
  }

  /** Queues `fault` at virtual time `timeUs`. */
  inject(timeUs: TimeUs, fault: Fault): void {
    this.#sim.schedule(timeUs, PHASE.INPUT, FAULT_EVENT, fault);
  }
}
