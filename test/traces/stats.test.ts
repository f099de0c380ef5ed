import test from 'ava';
import type { KObject } from '../../engine/api/types.js';
import { traceStats } from '../../traces/stats.js';
import type { TraceRecord } from '../../traces/types.js';

const node = (name: string, cpu: string, memory: string): KObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  status: { allocatable: { cpu, memory, pods: '110' } },
});
const pod = (name: string, cpu: string): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu, memory: '1Gi' } } }] },
});
async function* from(records: TraceRecord[]): AsyncGenerator<TraceRecord> {
  yield* records;
}
const loss = { format: 't', notes: [], skipped: {} };

test('traceStats: totals of nodes and pods, pods that fit nowhere', async (t) => {
  const s = await traceStats(
    't',
    from([
      { timeUs: 0, op: 'create', object: node('n1', '4', '8Gi') },
      { timeUs: 0, op: 'create', object: node('n2', '2', '8Gi') },
      { timeUs: 5, op: 'create', object: pod('a', '1') },
      { timeUs: 9, op: 'create', object: pod('big', '8') }, // more cpu than any node has
    ]),
    loss,
  );
  t.deepEqual(
    [s.records, s.nodes, s.cpuMilli, s.memoryMib, s.pods, s.podsFitNoNode],
    [4, 2, 6000, 16384, 2, 1],
  );
  t.deepEqual(s.timeSpan, { firstUs: 0, lastUs: 9, seconds: 0.000009 });
});

test('traceStats: a quantity that cannot be counted is reported at the record line', async (t) => {
  const huge = node('n1', '4', '9007199254740Mi');
  await t.throwsAsync(
    traceStats(
      't',
      from([{ timeUs: 0, op: 'create', object: huge, source: { file: 'nodes.csv', line: 7 } }]),
      loss,
    ),
    {
      message:
        'nodes.csv:7: status.allocatable.memory: quantity "9007199254740Mi" is too large to count exactly',
    },
  );
  // Without a source the field error stands alone, as before.
  await t.throwsAsync(traceStats('t', from([{ timeUs: 0, op: 'create', object: huge }]), loss), {
    message: 'status.allocatable.memory: quantity "9007199254740Mi" is too large to count exactly',
  });
});

test('traceStats: pods that controllers create from templates count too (a chart that cannot fit says so)', async (t) => {
  const template = (cpu: string) => ({
    metadata: { labels: { app: 'a' } },
    spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu, memory: '1Gi' } } }] },
  });
  const workload = (kind: string, name: string, spec: Record<string, unknown>): KObject =>
    ({ apiVersion: 'apps/v1', kind, metadata: { name, namespace: 'default' }, spec }) as KObject;
  const s = await traceStats(
    't',
    from([
      { timeUs: 0, op: 'create', object: node('n1', '4', '8Gi') },
      // 3 replicas of 8 cpu: no node holds one
      {
        timeUs: 0,
        op: 'create',
        object: workload('Deployment', 'd', { replicas: 3, template: template('8') }),
      },
      // replicas unset: 1
      { timeUs: 0, op: 'create', object: workload('StatefulSet', 's', { template: template('1') }) },
      // completions 4 (parallelism 2)
      {
        timeUs: 0,
        op: 'create',
        object: workload('Job', 'j', { completions: 4, parallelism: 2, template: template('1') }),
      },
      // parallelism 0: the trace creates its pods (alibaba2018, google2011): none from the controller
      {
        timeUs: 0,
        op: 'create',
        object: workload('Job', 'idle', { parallelism: 0, template: template('1') }),
      },
      { timeUs: 0, op: 'create', object: workload('DaemonSet', 'ds', { template: template('1') }) },
      { timeUs: 1, op: 'create', object: pod('p', '1') },
    ]),
    loss,
  );
  t.is(s.pods, 1);
  t.is(s.podsFromControllers, 3 + 1 + 4);
  t.deepEqual(s.podsByKind, { cpuOnly: 9, gpuSharing: 0, oneGpu: 0, multiGpu: 0 });
  t.is(s.requested.cpuMilli, 3 * 8000 + 1000 + 4 * 1000 + 1000);
  t.is(s.requested.memoryMib, 9 * 1024);
  t.is(s.podsFitNoNode, 3);
});
