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
  status: { allocatable: { cpu: '2', memory: '4Gi', pods: '110' } },
};
const pod = (name: string, cpu: string, priority: number): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: {
    priority,
    containers: [{ name: 'c', image: 'i', resources: { requests: { cpu, memory: '10Mi' } } }],
  },
});

async function* calls(list: InputCall[]): AsyncGenerator<InputCall> {
  yield* list;
}

test('room freed by preemption is kept for the preemptor: nominated pods count in Filter', async (t) => {
  const r = new ClusterReplay({
    seed: 1,
    config: presetConfig('default-scheduler'),
    policy: 'p',
    trace: 't',
  });
  const log: LogEntry[] = [];
  r.sim.log.listen((e) => log.push(e));
  await r.run(
    calls([
      { timeUs: 0, op: 'create', object: node },
      { timeUs: 0, op: 'create', object: pod('low', '1500m', 0) },
      // high cannot fit next to low (1.5 + 1.5 > 2): it preempts low and is nominated to n1, then
      // waits out its 1 s backoff.
      { timeUs: 10 * S, op: 'create', object: pod('high', '1500m', 1000) },
      // mid arrives in that second. n1 is empty in the cache, but high's nomination (priority 1000 ≥
      // 0) reserves 1.5 of its 2 cpu: mid (1 cpu) must not take it.
      { timeUs: 10 * S + 500_000, op: 'create', object: pod('mid', '1', 0) },
    ]),
  );
  r.end();
  t.deepEqual(
    log.filter((e) => e.type === 'sched.preempt').map((e) => [e.pod, e.node, e.victims]),
    [['default/high', 'n1', ['default/low']]],
  );
  t.deepEqual(
    log.filter((e) => e.type === 'sched.bind').map((e) => [e.pod, e.time]),
    [
      ['default/low', 0],
      // first attempt failed at 10 s → backoff 1 s
      ['default/high', 11 * S],
    ],
  );
  const midFails = log.filter((e) => e.type === 'sched.fail' && e.pod === 'default/mid');
  t.true(midFails.length >= 1);
  t.deepEqual(midFails[0]!.reasons, { NodeResourcesFit: { 'Insufficient cpu': 1 } });
});
