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
