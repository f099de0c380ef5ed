import test from 'ava';
import { BorgMapper, mapBorgEvents, type BorgEvent } from '../../../traces/google2011/borg.js';
import type { TraceRecord } from '../../../traces/types.js';

async function* batches(...bs: BorgEvent[][]): AsyncGenerator<BorgEvent[]> {
  yield* bs;
}

const machine = (timeUs: number, machineId: string): BorgEvent => ({
  t: 'machine',
  timeUs,
  op: 'add',
  machineId,
  cpu: 0.5,
  memory: 0.25,
  platform: '',
});

const submit = (timeUs: number, jobId: string, index: number): BorgEvent => ({
  t: 'task',
  timeUs,
  kind: 'submit',
  typeName: 'SUBMIT',
  jobId,
  index,
  schedulingClass: undefined,
  priority: undefined,
  cpu: 0.125,
  memory: 0.0625,
  disk: undefined,
  differentMachines: false,
  constraints: undefined,
  allocCollection: undefined,
});

const summary = (rs: TraceRecord[]): string[] =>
  rs.map((r) => `${r.timeUs} ${r.op} ${r.object.kind}/${r.object.metadata?.name}`);

test('mapBorgEvents: nodes of a time flush before its first pod and at the end; one batch per input batch', async (t) => {
  const mapper = new BorgMapper({ format: 'google2011', priorities: [], freeBelow: 2 });
  const out: TraceRecord[][] = [];
  for await (const b of mapBorgEvents(
    batches([machine(0, '1'), machine(5, '2')], [submit(5, '7', 0)], [machine(9, '3')]),
    mapper,
  ))
    out.push(b);
  t.deepEqual(out.map(summary), [
    // machine 1 flushes when time moves on to 5; machine 2 (time 5) waits for the pod of time 5.
    ['0 create Node/machine-1'],
    ['5 create Node/machine-2', '5 create Pod/job-7-0'],
    // machine 3 is still pending at the end of the input: the last flush emits it at its time.
    ['9 create Node/machine-3'],
  ]);
  // 0.5 × 64,000 m = 32,000 m; 0.25 × 262,144 Mi = 65,536 Mi
  t.deepEqual((out[0]![0]!.object as { status: { capacity: unknown } }).status.capacity, {
    cpu: '32000m',
    memory: '65536Mi',
    pods: '110',
  });
});

test('mapBorgEvents: an input batch that maps to nothing yields no batch', async (t) => {
  const mapper = new BorgMapper({ format: 'google2011', priorities: [], freeBelow: 2 });
  const schedule: BorgEvent = {
    ...(submit(3, '7', 0) as Extract<BorgEvent, { t: 'task' }>),
    kind: 'schedule',
  };
  const out: TraceRecord[][] = [];
  for await (const b of mapBorgEvents(batches([schedule]), mapper)) out.push(b);
  t.deepEqual(out, []);
  t.is(mapper.counts.schedules, 1);
});
