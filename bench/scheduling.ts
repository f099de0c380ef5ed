/**
 * The scheduler_perf kernels: "core" drives `Scheduler.scheduleOne` + `addPod` in a loop (preemption
 * victims removed and the preemptor retried at once); "replay" runs the same workload through
 * ClusterReplay (store, scheduler driver, kubelets, controllers, hashed event log). Both time only the
 * measured pods and count scheduling attempts (binds + failures).
 */
import { performance } from 'node:perf_hooks';
import seedrandom from 'seedrandom';
import type { KObject, Pod } from '../engine/api/types.js';
import { ClusterReplay, type InputCall } from '../engine/cluster/replay.js';
import { EVENT } from '../engine/cluster/events.js';
import { Scheduler, presetConfig } from '../engine/scheduler/index.js';
import type { Shape, ShapeCounts } from './shapes.js';

/** One measured run. */
export interface SchedulingSample {
  /** Scheduling attempts of the measured pods (a preemptor's retry counts as a second attempt). */
  readonly attempts: number;
  /** Measured pods placed. */
  readonly placed: number;
  /** Wall seconds of the measured scheduling work. */
  readonly seconds: number;
}

function bind(pod: Pod, nodeName: string): Pod {
  return { ...pod, spec: { ...pod.spec!, nodeName } };
}

/**
 * Core only: a bare Scheduler, the default profile. The measured pods are split into `batches`
 * consecutive batches, each timed on its own (one sample per batch).
 */
export function runCore(shape: Shape, counts: ShapeCounts, seed = 'bench', batches = 1): SchedulingSample[] {
  const s = new Scheduler({ config: presetConfig('default-scheduler'), random: seedrandom.alea(seed) });
  for (let i = 0; i < counts.nodes; i++) s.addNode(shape.node(i));
  let attempts = 0;
  let placed = 0;
  const schedule = (pod: Pod): boolean => {
    attempts++;
    const r = s.scheduleOne(pod);
    if (r.code === 'Success') {
      s.addPod(bind(pod, r.nodeName));
      return true;
    }
    if (r.victims && r.victims.length > 0) {
      for (const v of r.victims) s.removePod(v);
      return schedule(pod);
    }
    return false;
  };
  for (let i = 0; i < counts.initPods; i++) schedule(shape.initPod(i));
  const pods: Pod[] = [];
  for (let i = 0; i < counts.measurePods; i++) pods.push(shape.measurePod(i));
  const out: SchedulingSample[] = [];
  for (const batch of split(pods, batches)) {
    attempts = 0;
    placed = 0;
    const t0 = performance.now();
    for (const p of batch) if (schedule(p)) placed++;
    out.push({ attempts, placed, seconds: (performance.now() - t0) / 1000 });
  }
  return out;
}

function split<T>(items: readonly T[], batches: number): T[][] {
  const out: T[][] = [];
  const per = Math.ceil(items.length / batches);
  for (let i = 0; i < items.length; i += per) out.push(items.slice(i, i + per));
  return out;
}

/** The calls as the async stream `ClusterReplay.run` reads. */
export async function* records(calls: readonly InputCall[]): AsyncGenerator<InputCall> {
  yield* calls;
}

/**
 * A shape's cluster as replay input: its two namespaces and `nodes` nodes at t=0, then `initPods`
 * init pods at t=1 µs.
 */
export function shapeSetupCalls(shape: Shape, nodes: number, initPods: number): InputCall[] {
  const setup: InputCall[] = [];
  for (const ns of ['sched-setup', 'sched-test'])
    setup.push({
      timeUs: 0,
      op: 'create',
      object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } as KObject,
    });
  for (let i = 0; i < nodes; i++) setup.push({ timeUs: 0, op: 'create', object: shape.node(i) as KObject });
  for (let i = 0; i < initPods; i++)
    setup.push({ timeUs: 1, op: 'create', object: shape.initPod(i) as KObject });
  return setup;
}

/**
 * Full replay: nodes and init pods first (untimed, settled), then each batch of measured pods created
 * at one instant and replayed until the cluster settles (one sample per batch).
 */
export async function runFullReplay(
  shape: Shape,
  counts: ShapeCounts,
  seed = 'bench',
  batches = 1,
): Promise<SchedulingSample[]> {
  const replay = new ClusterReplay({
    seed,
    config: presetConfig('default-scheduler'),
    policy: 'default-scheduler',
    trace: `scheduler_perf/${shape.name}`,
  });
  let attempts = 0;
  let placed = 0;
  replay.sim.log.listenEntries((e) => {
    if (e.type === EVENT.BIND) {
      attempts++;
      if (String(e.pod).startsWith('sched-test/')) placed++;
    } else if (e.type === EVENT.FAIL) attempts++;
  });
  await replay.run(records(shapeSetupCalls(shape, counts.nodes, counts.initPods)));
  const pods: Pod[] = [];
  for (let i = 0; i < counts.measurePods; i++) pods.push(shape.measurePod(i));
  const out: SchedulingSample[] = [];
  for (const batch of split(pods, batches)) {
    const at = replay.sim.now() + 1_000_000;
    const measured = batch.map((p): InputCall => ({ timeUs: at, op: 'create', object: p as KObject }));
    attempts = 0;
    placed = 0;
    const t0 = performance.now();
    await replay.run(records(measured));
    out.push({ attempts, placed, seconds: (performance.now() - t0) / 1000 });
  }
  replay.end();
  return out;
}
