/**
 * Worker side of the speculative pool (loaded by worker.ts). {@link serve} runs once per thread and serves
 * requests synchronously (Atomics.wait on the control block, receiveMessageOnPort) so the owner, whose
 * simulation loop is synchronous, never needs the event loop to get answers. The worker keeps its own
 * replica of the node index, built by replaying the owner's mutations in order: it never writes memory
 * the owner reads.
 */
import { receiveMessageOnPort } from 'node:worker_threads';
import type { LabelSelector, Pod } from '../../api/types.js';
import { provideClusterLookups, type ClusterLookups } from '../plugins/cluster-lookups.js';
import { Scheduler } from '../scheduler.js';
import { speculatePod } from './evaluate.js';
import {
  CTL_REQUEST,
  CTL_RESPONSE,
  type IndexOp,
  type PodSpeculation,
  type ServeTask,
  type SpeculateRequest,
  type WorkerRequest,
  type WorkerResponse,
} from './protocol.js';

function apply(replica: Scheduler, ops: readonly IndexOp[]): void {
  for (const o of ops) {
    switch (o.op) {
      case 'addNode':
        replica.addNode(o.node);
        break;
      case 'updateNode':
        replica.updateNode(o.node);
        break;
      case 'removeNode':
        replica.removeNode(o.name);
        break;
      case 'addPod':
        replica.addPod(o.pod);
        break;
      case 'removePod':
        replica.removePod(o.pod);
        break;
      default: {
        const never: never = o;
        throw new Error(`unknown index op ${JSON.stringify(never)}`);
      }
    }
  }
}

function speculate(
  replica: Scheduler,
  req: SpeculateRequest,
): { results: PodSpeculation[]; transfer: ArrayBuffer[] } {
  apply(replica, req.ops);
  let missed = false;
  const owners = new Map<Pod, readonly LabelSelector[]>();
  req.pods.forEach((p, i) => {
    const s = req.lookups.ownerSelectors?.[i];
    if (s) owners.set(p, s);
  });
  const ns = req.lookups.namespaceLabels ? new Map(req.lookups.namespaceLabels) : undefined;
  const lookups: ClusterLookups = {
    ...(ns
      ? {
          namespaceLabels: (name: string) => {
            if (!ns.has(name)) missed = true;
            return ns.get(name);
          },
        }
      : {}),
    ...(req.lookups.ownerSelectors
      ? {
          ownerSelectors: (pod: Pod) => {
            const s = owners.get(pod);
            if (!s) missed = true;
            return s ?? [];
          },
        }
      : {}),
  };
  provideClusterLookups(replica.index, lookups);
  const results: PodSpeculation[] = [];
  const transfer: ArrayBuffer[] = [];
  for (const pod of req.pods) {
    missed = false;
    const r = speculatePod(replica, pod);
    if (missed) results.push({ kind: 'fallback', why: 'cluster lookup not in the snapshot' });
    else {
      results.push(r);
      if (r.kind === 'scored')
        transfer.push(
          r.slots.buffer as ArrayBuffer,
          r.totals.buffer as ArrayBuffer,
          r.stable.buffer as ArrayBuffer,
        );
    }
  }
  return { results, transfer };
}

/** The piscina task: one session per thread, until a `close` request. */
export function serve(task: ServeTask): string {
  const ctl = new Int32Array(task.ctl);
  const port = task.port;
  const replica = new Scheduler({
    config: task.config,
    random: () => {
      throw new Error('a speculative worker never draws tie-breaks');
    },
  });
  let seen = 0;
  const reply = (msg: WorkerResponse, transfer: ArrayBuffer[] = []): void => {
    port.postMessage(msg, transfer);
    Atomics.add(ctl, CTL_RESPONSE, 1);
    Atomics.notify(ctl, CTL_RESPONSE);
  };
  for (;;) {
    Atomics.wait(ctl, CTL_REQUEST, seen);
    const m = receiveMessageOnPort(port);
    if (!m) continue;
    seen++;
    const req = m.message as WorkerRequest;
    if (req.type === 'close') {
      reply({ type: 'closed' });
      port.close();
      return 'closed';
    }
    try {
      const { results, transfer } = speculate(replica, req);
      reply({ type: 'result', results }, transfer);
    } catch (e) {
      reply({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
  }
}
