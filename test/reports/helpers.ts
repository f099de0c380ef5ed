/**
 * Hand-built event logs for report tests: a fluent builder of LogEntry sequences in the replay
 * vocabulary (engine/cluster/events.ts), and the sample log the report tests derive values from.
 */
import type { LogEntry } from '../../engine/sim/types.js';
import { EventLog } from '../../engine/sim/log.js';
import { LogFileWriter } from '../../engine/sim/log-file.js';
import type { KObject } from '../../engine/api/types.js';
import type { SchedFailEvent } from '../../engine/cluster/events.js';

const US = 1_000_000;

/** Requests or capacity in Kubernetes quantities (`cpu: '2'`, `memory: '4Gi'`, `nvidia.com/gpu: '1'`). */
export type Amounts = Record<string, string>;

/** Builds a log entry by entry; `at(seconds)` moves the clock. */
export class LogBuilder {
  readonly entries: LogEntry[] = [];
  #timeUs = 0;
  #rv = 0;
  #pods = new Map<string, KObject>();

  at(seconds: number): this {
    this.#timeUs = Math.round(seconds * US);
    return this;
  }

  add(type: string, payload: Record<string, unknown>): this {
    this.entries.push({ ...payload, seq: this.entries.length + 1, time: this.#timeUs, type });
    return this;
  }

  runStart(bucketSeconds: number, policy = 'default-scheduler', seed = '1', trace = 'hand-built'): this {
    return this.add('run.start', { seed, policy, trace, bucketSeconds });
  }

  runEnd(): this {
    return this.add('run.end', { untilUs: this.#timeUs });
  }

  #api(verb: 'create' | 'update' | 'delete', kind: string, key: string, object: KObject): this {
    return this.add('api', { verb, kind, key, rv: String(++this.#rv), object });
  }

  node(name: string, capacity: Amounts, labels: Record<string, string> = {}): this {
    const object: KObject = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
      status: { capacity: { pods: '110', ...capacity }, allocatable: { pods: '110', ...capacity } },
    };
    return this.#api('create', 'Node', name, object);
  }

  deleteNode(name: string): this {
    return this.#api('delete', 'Node', name, { apiVersion: 'v1', kind: 'Node', metadata: { name } });
  }

  /** Creates pod `namespace/name` with one container requesting `requests`; `owner` is `Kind/name`. */
  pod(key: string, requests: Amounts, owner?: string): this {
    const [namespace, name] = key.split('/') as [string, string];
    const metadata: Record<string, unknown> = { name, namespace };
    if (owner) {
      const [kind, oname] = owner.split('/') as [string, string];
      metadata.ownerReferences = [
        { apiVersion: 'v1', kind: 'Other', name: 'not-the-controller', uid: 'u0' },
        { apiVersion: 'apps/v1', kind, name: oname, uid: 'u1', controller: true },
      ];
    }
    const object: KObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata,
      spec: { containers: [{ name: 'main', image: 'pause', resources: { requests } }] },
      status: { phase: 'Pending' },
    };
    this.#pods.set(key, object);
    return this.#api('create', 'Pod', key, object);
  }

  #podUpdate(key: string, patch: (o: KObject) => KObject): this {
    const next = patch(this.#pods.get(key)!);
    this.#pods.set(key, next);
    return this.#api('update', 'Pod', key, next);
  }

  /** `sched.bind` then the store update that sets `spec.nodeName`, as the scheduler's bind does. */
  bind(key: string, node: string, attempt: number, gpus?: number[]): this {
    this.add('sched.bind', {
      pod: key,
      node,
      profile: 'default-scheduler',
      attempt,
      feasible: 1,
      evaluated: 2,
      ...(gpus ? { gpus } : {}),
    });
    return this.#podUpdate(key, (o) => ({ ...o, spec: { ...(o.spec as object), nodeName: node } }));
  }

  /** `kubelet.start` then the status update to Running. */
  start(key: string, node: string): this {
    this.add('kubelet.start', { pod: key, node, phase: 'Running' });
    return this.#podUpdate(key, (o) => ({ ...o, status: { phase: 'Running' } }));
  }

  /** `kubelet.finish` then the status update to the final phase. */
  finish(key: string, node: string, phase: 'Succeeded' | 'Failed', reason?: string): this {
    this.add('kubelet.finish', reason ? { pod: key, node, phase, reason } : { pod: key, node, phase });
    return this.#podUpdate(key, (o) => ({ ...o, status: { phase } }));
  }

  fail(key: string, attempt: number, reasons: SchedFailEvent['reasons'], message = ''): this {
    return this.add('sched.fail', {
      pod: key,
      profile: 'default-scheduler',
      attempt,
      code: 'Unschedulable',
      reasons,
      message,
    });
  }

  preempt(key: string, node: string, victims: string[]): this {
    return this.add('sched.preempt', { pod: key, node, victims });
  }

  deletePod(key: string): this {
    return this.#api('delete', 'Pod', key, this.#pods.get(key)!);
  }

  quotaReject(key: string): this {
    return this.add('admission.reject', {
      kind: 'Pod',
      key,
      reason: 'ResourceQuota',
      message: 'exceeded quota: team, requested: cpu=8, used: cpu=0, limited: cpu=4',
      by: 'trace',
    });
  }

  skip(file: string, line: number): this {
    return this.add('input.skip', { file, line, message: 'cpu_milli "-5" is negative' });
  }
}

/**
 * The sample run every report test derives its values from (bucket 10 s, run 0..40 s):
 *
 * nodes (t=0): n1 cpu 4, memory 8Gi, 2 GPUs, model V100; n2 cpu 4, memory 8Gi. Cluster: cpu 8000m,
 * memory 16384 MiB, 2 GPUs.
 *
 * | pod | requests (cpu m / MiB / GPU) | story |
 * |---|---|---|
 * | a (ReplicaSet rs-a) | 2000 / 4096 / 1 | created 0, bound n1 at 2, runs, Succeeded at 22 |
 * | c (Job j1)          | 3000 / 2048 / 0 | created 0, bound n2 at 1, runs, preempted by b at 6: Failed, deleted |
 * | b (ReplicaSet rs-b) | 3000 / 2048 / 0 | created 5, attempt 1 fails (Insufficient cpu on 2 nodes), preempts c, bound n2 at 8, runs to the end |
 * | e                   | 1000 / 1024 / 4 | created 20, fails at 20 and 30, never bound |
 * | q                   | —               | refused by ResourceQuota at 25, never created |
 *
 * plus one skipped input row at 0.
 */
export function sampleLog(): LogBuilder {
  const b = new LogBuilder();
  b.at(0).runStart(10).skip('pods.csv', 7);
  b.node('n1', { cpu: '4', memory: '8Gi', 'nvidia.com/gpu': '2' }, { 'kreplay.io/gpu-model': 'V100' });
  b.node('n2', { cpu: '4', memory: '8Gi' }, { 'topology.kubernetes.io/zone': 'z1' });
  b.pod('default/a', { cpu: '2', memory: '4Gi', 'nvidia.com/gpu': '1' }, 'ReplicaSet/rs-a');
  b.pod('default/c', { cpu: '3000m', memory: '2Gi' }, 'Job/j1');
  b.at(1).bind('default/c', 'n2', 1).start('default/c', 'n2');
  b.at(2).bind('default/a', 'n1', 1, [0]).start('default/a', 'n1');
  b.at(5).pod('default/b', { cpu: '3', memory: '2Gi' }, 'ReplicaSet/rs-b');
  b.fail(
    'default/b',
    1,
    { NodeResourcesFit: { 'Insufficient cpu': 2 } },
    '0/2 nodes are available: 2 Insufficient cpu.',
  );
  b.at(6).preempt('default/b', 'n2', ['default/c']);
  b.finish('default/c', 'n2', 'Failed', 'Preempted').deletePod('default/c');
  b.at(8).bind('default/b', 'n2', 2).start('default/b', 'n2');
  b.at(20).pod('default/e', { cpu: '1', memory: '1Gi', 'nvidia.com/gpu': '4' });
  b.fail('default/e', 1, { NodeResourcesFit: { 'Insufficient nvidia.com/gpu': 2 } });
  b.at(22).finish('default/a', 'n1', 'Succeeded');
  b.at(25).quotaReject('default/q');
  // Plugins deliberately not in sorted order: reports must not depend on payload key order.
  b.at(30).fail('default/e', 2, {
    NodeResourcesFit: { 'Insufficient nvidia.com/gpu': 1 },
    NodeAffinity: { "node(s) didn't match Pod's node affinity/selector": 1 },
  });
  b.at(40).runEnd();
  return b;
}

/**
 * Appends `entries` through a real EventLog (its clock following each entry's time) with a
 * LogFileWriter at `path`; `listen` also sees each live entry. Returns the chain hash.
 */
export function writeLogFile(
  path: string,
  entries: readonly LogEntry[],
  trailer: Record<string, unknown>,
  listen?: (e: Readonly<LogEntry>) => void,
): string {
  let now = 0;
  const log = new EventLog({ now: () => now });
  const w = new LogFileWriter(path);
  log.listen(w.listener);
  if (listen) log.listen((e) => listen(e));
  for (const e of entries) {
    const { seq: _seq, time, type, ...payload } = e;
    now = time;
    log.append(type, payload);
  }
  w.close({ ...trailer, eventLogSha256: log.hash, events: log.seq });
  return log.hash;
}
