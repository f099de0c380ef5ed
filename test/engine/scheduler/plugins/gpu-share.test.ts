import test from 'ava';
import { ClusterReplay, type InputCall } from '../../../../engine/cluster/replay.js';
import type { KObject, Pod } from '../../../../engine/api/types.js';
import { presetConfig, type Scheduler } from '../../../../engine/scheduler/index.js';
import {
  ANN_GPU_ASSIGNED,
  ERR_INSUFFICIENT,
  ERR_MODEL,
  ERR_NO_GPU,
  ERR_NO_SHARE,
  ERR_TOO_FEW,
  gpuAssignment,
  gpuShareState,
} from '../../../../engine/scheduler/plugins/gpu-share/index.js';
import { ERR_REASON_POD } from '../../../../engine/scheduler/plugins/node-affinity/index.js';
import { readOpenb } from '../../../../traces/openb/index.js';
import { makePodInfo } from '../../../../engine/scheduler/framework/index.js';
import { verdicts } from '../helpers.js';
import { gpuNode, gpuPod, gpuProfile, gpuScheduler } from './gpu-helpers.js';

const share = () => gpuProfile([{ name: 'GpuShare' }]);

/** Free milli per GPU of a node, from the shared device model. */
function freeOf(s: Scheduler, node: string): number[] {
  const c = gpuShareState(s.index).cluster;
  const slot = s.index.slotOf(node);
  return Array.from(c.gpuFree.subarray(slot * c.maxGpus, slot * c.maxGpus + c.gpuCount[slot]!));
}

// a: 2 × V100, GPU0 holds a 600-milli pod → [400, 1000]; b: 1 × V100 holding 700 → [300];
// c: CPU-only; d: 4 × T4, GPUs 0 and 1 held whole → [0, 0, 1000, 1000].
function fourNodes(config = share()): Scheduler {
  return gpuScheduler(
    config,
    [gpuNode('a', 32000, 2), gpuNode('b', 32000, 1), gpuNode('c', 32000, 0), gpuNode('d', 32000, 4, 'T4')],
    [
      gpuPod('a0', 1000, 1, 600, { node: 'a', assigned: '0' }),
      gpuPod('b0', 1000, 1, 700, { node: 'b', assigned: '0' }),
      gpuPod('d0', 1000, 2, 1000, { node: 'd', assigned: '0,1' }),
    ],
  );
}

test('filter: a sharing pod must fit on one GPU, a multi-GPU pod needs whole free GPUs', (t) => {
  const noGpu = `UnschedulableAndUnresolvable: ${ERR_NO_GPU}`;
  const cases: { name: string; pod: Pod; want: Record<string, string> }[] = [
    {
      // a: 1000 free on GPU1 ≥ 500; b: 300 < 500 (the node has 300 free in total too); d: GPU2 free.
      name: 'share 500',
      pod: gpuPod('p', 1000, 1, 500),
      want: { a: 'ok', b: `Unschedulable: ${ERR_NO_SHARE}`, c: noGpu, d: 'ok' },
    },
    {
      // a has 400 + 1000 = 1400 milli free in total, but no single GPU with more than 1000.
      name: 'share 300 fits everywhere with a GPU',
      pod: gpuPod('p', 1000, 1, 300),
      want: { a: 'ok', b: 'ok', c: noGpu, d: 'ok' },
    },
    {
      // a: 1 wholly free GPU < 2; b: 1 GPU in all < 2; d: GPUs 2 and 3 are wholly free.
      name: 'two whole GPUs',
      pod: gpuPod('p', 1000, 2),
      want: {
        a: `Unschedulable: ${ERR_INSUFFICIENT}`,
        b: `UnschedulableAndUnresolvable: ${ERR_TOO_FEW}`,
        c: noGpu,
        d: 'ok',
      },
    },
    {
      // a has 1400 milli free in total (what NodeResourcesFit sees), but only one whole GPU.
      name: 'one whole GPU',
      pod: gpuPod('p', 1000, 1),
      want: { a: 'ok', b: `Unschedulable: ${ERR_INSUFFICIENT}`, c: noGpu, d: 'ok' },
    },
    {
      name: 'model restriction: only T4',
      pod: gpuPod('p', 1000, 1, 500, { models: ['T4'] }),
      want: {
        a: `UnschedulableAndUnresolvable: ${ERR_MODEL}`,
        b: `UnschedulableAndUnresolvable: ${ERR_MODEL}`,
        c: noGpu,
        d: 'ok',
      },
    },
    {
      name: 'CPU-only pod: GpuShare skips it',
      pod: gpuPod('p', 1000, 0),
      want: { a: 'ok', b: 'ok', c: 'ok', d: 'ok' },
    },
  ];
  for (const c of cases) t.deepEqual(verdicts(fourNodes().explain(c.pod)), c.want, c.name);
});

test('filter: model restriction through node affinity, before GpuShare', (t) => {
  const s = fourNodes(gpuProfile([{ name: 'NodeAffinity' }, { name: 'GpuShare' }]));
  // NodeAffinity rejects the V100 nodes and the unlabeled CPU node first; the first rejection wins.
  t.deepEqual(verdicts(s.explain(gpuPod('p', 1000, 1, 500, { models: ['T4'] }))), {
    a: `UnschedulableAndUnresolvable: ${ERR_REASON_POD}`,
    b: `UnschedulableAndUnresolvable: ${ERR_REASON_POD}`,
    c: `UnschedulableAndUnresolvable: ${ERR_REASON_POD}`,
    d: 'ok',
  });
});

test('prefilter: an unreadable demand rejects the pod on every node', (t) => {
  const pod = gpuPod('p', 1000, 2, 500);
  const r = fourNodes().scheduleOne(pod);
  t.is(r.code, 'UnschedulableAndUnresolvable');
  t.regex(r.code === 'Success' ? '' : r.message, /a share below 1000 milli needs exactly one GPU/);
});

test('state: incremental on add and remove; annotation, first fit and over-commit', (t) => {
  const s = fourNodes();
  t.deepEqual(freeOf(s, 'a'), [400, 1000]);
  t.deepEqual(freeOf(s, 'd'), [0, 0, 1000, 1000]);
  // No annotation: first fit is the lowest-index GPU with room (GPU0: 400 ≥ 300).
  const p1 = gpuPod('p1', 1000, 1, 300, { node: 'a' });
  s.addPod(p1);
  t.deepEqual(freeOf(s, 'a'), [100, 1000]);
  t.deepEqual(gpuShareState(s.index).devicesOf('default/p1'), [0]);
  // Annotated: that GPU. 1000 − 250 = 750.
  s.addPod(gpuPod('p2', 1000, 1, 250, { node: 'a', assigned: '1' }));
  t.deepEqual(freeOf(s, 'a'), [100, 750]);
  // An annotation naming a full GPU is ignored: first fit (GPU1, 750 ≥ 500).
  s.addPod(gpuPod('p3', 1000, 1, 500, { node: 'a', assigned: '0' }));
  t.deepEqual(freeOf(s, 'a'), [100, 250]);
  s.removePod(p1);
  t.deepEqual(freeOf(s, 'a'), [400, 250]);
  // Over-commit (a profile without GpuShare could do it): the pod holds no device.
  s.addPod(gpuPod('p4', 1000, 1, 900, { node: 'a' }));
  t.deepEqual(freeOf(s, 'a'), [400, 250]);
  t.is(gpuShareState(s.index).unassignedPods, 1);
  s.removePod(gpuPod('p4', 1000, 1, 900, { node: 'a' }));
  t.is(gpuShareState(s.index).unassignedPods, 0);
  // Whole GPUs without annotation: the lowest-index wholly free GPUs.
  s.addPod(gpuPod('w', 1000, 1, 1000, { node: 'd' }));
  t.deepEqual(freeOf(s, 'd'), [0, 0, 0, 1000]);
  // CPU is tracked for the scores: 32000 − 1000 (d0) − 1000 (w).
  t.is(gpuShareState(s.index).cluster.cpuFree[s.index.slotOf('d')], 30000);
});

test('state: a node change rebuilds the model and keeps every pod on its devices', (t) => {
  const s = fourNodes();
  s.addPod(gpuPod('p1', 1000, 1, 300, { node: 'a', assigned: '1' }));
  t.deepEqual(freeOf(s, 'a'), [400, 700]);
  const gen = gpuShareState(s.index).generation;
  // a grows to 3 GPUs; e joins with a new model.
  s.updateNode(gpuNode('a', 32000, 3));
  s.addNode(gpuNode('e', 8000, 1, 'A100'));
  t.deepEqual(freeOf(s, 'a'), [400, 700, 1000]);
  t.deepEqual(freeOf(s, 'e'), [1000]);
  t.is(gpuShareState(s.index).generation, gen + 1);
  // Removed and back: its pods (remembered by the index) return to the same devices.
  s.removeNode('a');
  s.addNode(gpuNode('a', 32000, 3));
  t.deepEqual(freeOf(s, 'a'), [400, 700, 1000]);
  // An unchanged update (e.g. a cordon) does not rebuild.
  const gen2 = gpuShareState(s.index).generation;
  s.updateNode(gpuNode('b', 32000, 1));
  t.is(gpuShareState(s.index).generation, gen2);
});

test('gpuAssignment: first fit without a GPU policy; the policy choice with one', (t) => {
  // n: 3 GPUs, free [1000, 300, 600].
  const nodes = [gpuNode('n', 64000, 3)];
  const bound = [
    gpuPod('x', 1000, 1, 700, { node: 'n', assigned: '1' }),
    gpuPod('y', 1000, 1, 400, { node: 'n', assigned: '2' }),
  ];
  const plain = gpuScheduler(share(), nodes, bound);
  // First fit: GPU0 is the lowest index with ≥ 250 free.
  t.deepEqual(gpuAssignment(plain, gpuPod('p', 1000, 1, 250), 'n'), [0]);
  // Packing's tightest fit: GPU1 (300) is the least free that still fits 250.
  const packing = gpuScheduler(gpuProfile([{ name: 'GpuShare' }, { name: 'GpuPacking' }]), nodes, bound);
  t.deepEqual(gpuAssignment(packing, gpuPod('p', 1000, 1, 250), 'n'), [1]);
  // 500 fits GPU0 (1000) or GPU2 (600): tightest is GPU2.
  t.deepEqual(gpuAssignment(packing, gpuPod('p', 1000, 1, 500), 'n'), [2]);
  // Whole GPUs: the lowest-index wholly free ones, whatever the policy.
  t.deepEqual(gpuAssignment(packing, gpuPod('p', 1000, 1), 'n'), [0]);
  // Does not fit, no GPU demand, unknown node, wrong model: undefined.
  t.is(gpuAssignment(packing, gpuPod('p', 1000, 2), 'n'), undefined);
  t.is(gpuAssignment(packing, gpuPod('p', 1000, 0), 'n'), undefined);
  t.is(gpuAssignment(packing, gpuPod('p', 1000, 1, 100), 'nope'), undefined);
  t.is(gpuAssignment(packing, gpuPod('p', 1000, 1, 100, { models: ['T4'] }), 'n'), undefined);
  // Deterministic, and read before the bind: the state is unchanged by asking.
  t.deepEqual(gpuAssignment(packing, gpuPod('p', 1000, 1, 250), 'n'), [1]);
});

/** The openb sample, nodes first, then the first `pods` pods, all at t = 0 (arrival-only), never ending. */
async function openbSubset(pods: number): Promise<InputCall[]> {
  const src = readOpenb({
    nodes: 'traces/samples/openb/openb_node_list_gpu_node.csv',
    pods: 'traces/samples/openb/openb_pod_list_default.csv',
    mode: 'arrival-only',
  });
  const out: InputCall[] = [];
  let n = 0;
  for await (const r of src.records) {
    if (r.object.kind === 'Pod') {
      if (n++ >= pods) break;
      // Placed and never deleted, as in the fill experiment: drop the trace's run time.
      delete r.object.metadata?.annotations?.['kreplay.io/duration'];
    }
    out.push({ timeUs: r.timeUs, op: r.op, object: r.object });
  }
  return out;
}

async function* feed(records: InputCall[]): AsyncGenerator<InputCall> {
  yield* records;
}

/** Per (node, GPU) milli held, from the pods' devices; throws on a device outside the node. */
function heldPerGpu(
  r: ClusterReplay,
  devicesOf: (p: Pod, key: string) => number[] | undefined,
): Map<string, number> {
  const held = new Map<string, number>();
  for (const p of r.store.list<Pod>('Pod')) {
    const node = p.spec?.nodeName;
    const count = Number(p.metadata?.annotations?.['kreplay.io/gpu-count'] ?? 0);
    if (!node || count === 0) continue;
    const milli = Number(p.metadata!.annotations!['kreplay.io/gpu-milli-per-gpu']);
    const devs = devicesOf(p, `default/${p.metadata!.name}`);
    if (!devs || devs.length !== count)
      throw new Error(`${p.metadata!.name}: devices ${String(devs)}, want ${count}`);
    const gpus = Number(
      r.store.get<KObject & { status?: { allocatable?: Record<string, string> } }>('Node', node)!.status!
        .allocatable!['nvidia.com/gpu'],
    );
    for (const g of devs) {
      if (g >= gpus) throw new Error(`${p.metadata!.name}: GPU ${g} of ${node} (${gpus} GPUs)`);
      held.set(`${node}/${g}`, (held.get(`${node}/${g}`) ?? 0) + milli);
    }
  }
  return held;
}

test('openb sample, arrival-only, fgd preset: placements never over-commit a GPU', async (t) => {
  const records = await openbSubset(400);
  const r = new ClusterReplay({ seed: 42, config: presetConfig('fgd'), policy: 'fgd', trace: 'openb' });
  // The driver change this plugin asks for, emulated here: at bind, record the policy's devices.
  const update = r.store.update.bind(r.store);
  r.store.update = ((obj: Pod) => {
    const old =
      obj.kind === 'Pod' ? r.store.getByKey<Pod>('Pod', `default/${obj.metadata!.name}`) : undefined;
    if (old && !old.spec?.nodeName && obj.spec?.nodeName) {
      const gpus = gpuAssignment(r.scheduler, obj, obj.spec.nodeName);
      if (gpus)
        obj = {
          ...obj,
          metadata: {
            ...obj.metadata,
            annotations: { ...obj.metadata!.annotations, [ANN_GPU_ASSIGNED]: gpus.join(',') },
          },
        };
    }
    return update(obj);
  }) as typeof r.store.update;
  await r.run(feed(records));
  r.end();
  const state = gpuShareState(r.scheduler.index);
  const bound = r.store.list<Pod>('Pod').filter((p) => p.spec?.nodeName);
  t.true(bound.length > 350, `${bound.length} of 400 pods bound`);
  t.is(state.unassignedPods, 0);
  // The annotation the driver wrote is what the model holds.
  for (const p of bound) {
    const ann = p.metadata?.annotations?.[ANN_GPU_ASSIGNED];
    t.is(state.devicesOf(`default/${p.metadata!.name}`)?.join(','), ann, p.metadata!.name);
  }
  const held = heldPerGpu(r, (p) => p.metadata?.annotations?.[ANN_GPU_ASSIGNED]?.split(',').map(Number));
  for (const [gpu, milli] of held) if (milli > 1000) t.fail(`${gpu} holds ${milli} milli`);
  // And the model agrees: free = 1000 − held on every GPU.
  const c = state.cluster;
  for (const [gpu, milli] of held) {
    const [node, g] = gpu.split('/');
    t.is(c.gpuFree[r.scheduler.index.slotOf(node!) * c.maxGpus + Number(g)], 1000 - milli, gpu);
  }
});

test('openb sample without the driver change: first fit keeps the model consistent', async (t) => {
  const records = await openbSubset(200);
  const r = new ClusterReplay({
    seed: 7,
    config: presetConfig('gpu-packing'),
    policy: 'gpu-packing',
    trace: 'openb',
  });
  await r.run(feed(records));
  r.end();
  const state = gpuShareState(r.scheduler.index);
  t.is(state.unassignedPods, 0);
  const held = heldPerGpu(r, (_p, key) => state.devicesOf(key));
  t.true(held.size > 0);
  for (const [gpu, milli] of held) if (milli > 1000) t.fail(`${gpu} holds ${milli} milli`);
});

test('preemption: removing a lower-priority sharing pod frees its GPU for a whole-GPU pod', (t) => {
  // One node, 1 GPU held 300 by a priority-0 pod: a priority-10 pod of one whole GPU preempts it.
  const s = gpuScheduler(
    presetConfig('default-scheduler'),
    [gpuNode('n', 32000, 1)],
    [gpuPod('low', 1000, 1, 300, { node: 'n', assigned: '0' })],
  );
  const high = gpuPod('high', 1000, 1);
  high.spec!.priority = 10;
  const r = s.scheduleOne(high);
  t.is(r.code, 'Unschedulable');
  t.is(r.code === 'Success' ? '' : r.nominatedNodeName, 'n');
  t.deepEqual(r.code === 'Success' ? [] : r.victims?.map((v) => v.metadata?.name), ['low']);
  // The what-if left the device model as it was, the victim on its GPU.
  t.deepEqual(freeOf(s, 'n'), [700]);
  t.deepEqual(gpuShareState(s.index).devicesOf('default/low'), [0]);
});

test('asksForGpu: annotations or a GPU resource ask, anything else is skipped before compiling a demand', (t) => {
  const s = fourNodes();
  const state = gpuShareState(s.index);
  const ask = (pod: Pod): boolean => state.asksForGpu(pod, makePodInfo(s.index, pod).resources);
  const plain: Pod = {
    metadata: { name: 'cpu-only', namespace: 'default' },
    spec: { containers: [{ name: 'c', resources: { requests: { cpu: '1' } } }] },
  };
  t.false(ask(plain));
  // The openb annotations, even a count of 0 (which the demand parser still validates).
  t.true(ask(gpuPod('p', 1000, 1, 500)));
  t.true(ask({ ...plain, metadata: { ...plain.metadata, annotations: { 'kreplay.io/gpu-count': '0' } } }));
  const requesting = (res: string, q: string): Pod => ({
    ...plain,
    spec: { containers: [{ name: 'c', resources: { requests: { cpu: '1', [res]: q } } }] },
  });
  t.true(ask(requesting('nvidia.com/gpu', '1')));
  t.true(ask(requesting('kreplay.io/gpu-milli', '300')));
  t.false(ask(requesting('nvidia.com/gpu', '0')));
});
