import test from 'ava';
import type { KObject } from '../../../engine/api/types.js';
import type { LogEntry } from '../../../engine/sim/types.js';
import { ClusterReplay, type InputCall } from '../../../engine/cluster/replay.js';
import { presetConfig } from '../../../engine/scheduler/index.js';

const S = 1_000_000;

const node: KObject = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'n1' },
  status: { allocatable: { cpu: '8', memory: '16Gi', pods: '110' } },
};
const pod = (name: string): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: '100m', memory: '10Mi' } } }] },
});

async function* calls(list: InputCall[]): AsyncGenerator<InputCall> {
  yield* list;
}

async function run(killAtUs: number | undefined): Promise<LogEntry[]> {
  const r = new ClusterReplay({
    seed: 1,
    config: presetConfig('default-scheduler'),
    policy: 'p',
    trace: 't',
    schedulerHa: { replicas: 2 },
  });
  const log: LogEntry[] = [];
  r.sim.log.listen((e) => log.push(e));
  if (killAtUs !== undefined) r.controlPlane!.faults.inject(killAtUs, { type: 'scheduler-kill' });
  await r.run(
    calls([
      { timeUs: 0, op: 'create', object: node },
      { timeUs: 5 * S, op: 'create', object: pod('early') },
      { timeUs: 12 * S, op: 'create', object: pod('late') },
    ]),
  );
  r.end();
  return log;
}

const binds = (log: LogEntry[]) => log.filter((e) => e.type === 'sched.bind').map((e) => [e.pod, e.time]);

test('with scheduler replicas, the leader schedules at once', async (t) => {
  t.deepEqual(binds(await run(undefined)), [
    ['default/early', 5 * S],
    ['default/late', 12 * S],
  ]);
});

test('killing the scheduler leader stalls scheduling until the standby takes the expired lease', async (t) => {
  const log = await run(11 * S);
  // The leader (acquired at 0) renews every 2 s: last renewal at 10 s. Killed at 11 s, its lease
  // expires at 10 + 15 = 25 s; the standby retries every 2 s from 0 and acquires at 26 s. The pod
  // created at 12 s waits 14 s.
  t.deepEqual(binds(log), [
    ['default/early', 5 * S],
    ['default/late', 26 * S],
  ]);
  t.deepEqual(
    log.filter((e) => e.type === 'ctrl.leader' && e.lease === 'kube-scheduler').map((e) => [e.time, e.event]),
    [
      [11 * S, 'lost'],
      [26 * S, 'acquired'],
    ],
  );
});
