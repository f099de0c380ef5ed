/**
 * engine/controllers: kube-controller-manager on the virtual clock (workload controllers, garbage
 * collection, namespaces, node lifecycle, leader election) and the admission plugins of the API
 * server (ResourceQuota, LimitRange, Priority). `installControlPlane` wires them onto a Simulation
 * and its Store.
 */
import type { Store } from '../api/store.js';
import type { Simulation } from '../sim/simulation.js';
import { installLimitRanger, installPriorityAdmission, ResourceQuotaAdmission } from './admission/index.js';
import { DeploymentController } from './deployment.js';
import { GarbageCollector, NamespaceController } from './garbage-collector.js';
import { DEFAULT_LEASE_TIMINGS, type LeaseTimings } from './leader-election.js';
import { ControllerManager } from './manager.js';
import { OwnerIndex } from './objects.js';
import { ReplicaSetController } from './replicaset.js';
import { JobController } from './job.js';
import { CronJobController } from './cronjob.js';
import { DaemonSetController } from './daemonset.js';
import { StatefulSetController } from './statefulset.js';
import {
  DEFAULT_NODE_LIFECYCLE,
  NodeLifecycleController,
  type NodeLifecycleOptions,
} from './node-lifecycle.js';
import { FaultInjector } from './faults.js';
import { DEFAULT_TIMINGS, type ControllerTimings } from './types.js';

export * from './types.js';
export * from './events.js';
export * from './objects.js';
export * from './manager.js';
export * from './leader-election.js';
export * from './replicaset.js';
export * from './deployment.js';
export * from './garbage-collector.js';
export * from './job.js';
export * from './cronjob.js';
export * from './time.js';
export * from './daemonset.js';
export * from './statefulset.js';
export * from './scheduling.js';
export * from './node-lifecycle.js';
export * from './faults.js';
export * from './admission/index.js';

/** Settings of {@link installControlPlane}; every field is optional. */
export interface ControlPlaneOptions {
  /** false: install nothing (a bare scheduler + kubelets replay). Default true. */
  enabled?: boolean;
  /** Controller reaction delays and retry backoffs (defaults: {@link DEFAULT_TIMINGS}). */
  timings?: Partial<ControllerTimings>;
  /** Leader election of kube-controller-manager (defaults: {@link DEFAULT_LEASE_TIMINGS}). */
  lease?: Partial<LeaseTimings>;
  /** kube-controller-manager processes competing for the lease. Default 2. */
  replicas?: number;
  /** Node failure detection and eviction (defaults: {@link DEFAULT_NODE_LIFECYCLE}). */
  nodeLifecycle?: Partial<NodeLifecycleOptions>;
}

/** What {@link installControlPlane} installed. */
export interface ControlPlane {
  readonly manager: ControllerManager;
  readonly owners: OwnerIndex;
  readonly quota: ResourceQuotaAdmission;
  readonly nodeLifecycle: NodeLifecycleController;
  /** Schedules faults (node down/up, controller-manager kill, quota change). */
  readonly faults: FaultInjector;
}

/**
 * Registers the control plane on a simulation and its store: the admission plugins (Priority and
 * LimitRange mutating, LimitRange and ResourceQuota validating) and kube-controller-manager with its
 * controllers behind leader election. Call before any object is created (objects already stored are
 * indexed, but nothing reconciles them until they change).
 */
export function installControlPlane(
  sim: Simulation,
  store: Store,
  opts: ControlPlaneOptions = {},
): ControlPlane | undefined {
  if (opts.enabled === false) return undefined;
  const replicas = opts.replicas ?? 2;
  if (!Number.isInteger(replicas) || replicas < 1)
    throw new RangeError(`options.replicas must be a positive integer, got ${replicas}`);
  installPriorityAdmission(store);
  installLimitRanger(store);
  const manager = new ControllerManager(sim, store, {
    timings: { ...DEFAULT_TIMINGS, ...opts.timings },
    lease: { ...DEFAULT_LEASE_TIMINGS, ...opts.lease },
    replicas,
  });
  const owners = new OwnerIndex(store);
  const quota = new ResourceQuotaAdmission(manager);
  manager.add(quota);
  manager.add(new ReplicaSetController(manager, owners));
  manager.add(new DeploymentController(manager, owners));
  const jobs = new JobController(manager, owners);
  manager.add(jobs);
  manager.add(new CronJobController(manager, owners));
  manager.add(new DaemonSetController(manager, owners));
  manager.add(new StatefulSetController(manager));
  const nodeLifecycle = new NodeLifecycleController(manager, {
    ...DEFAULT_NODE_LIFECYCLE,
    ...opts.nodeLifecycle,
  });
  manager.add(nodeLifecycle);
  manager.add(new GarbageCollector(manager, owners));
  manager.add(new NamespaceController(manager));
  sim.register('controllers', manager);
  sim.register('controllers/job', jobs);
  sim.register('controllers/node-lifecycle', nodeLifecycle);
  const faults = new FaultInjector(sim, store, manager, nodeLifecycle);
  return { manager, owners, quota, nodeLifecycle, faults };
}
