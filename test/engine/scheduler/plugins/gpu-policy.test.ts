import test from 'ava';
import { presetConfig, PRESET_NAMES } from '../../../../engine/scheduler/index.js';
import { gpuAssignment } from '../../../../engine/scheduler/plugins/gpu-share/index.js';
import { scoresOf } from '../helpers.js';
import { gpuNode, gpuPod, gpuProfile, gpuScheduler } from './gpu-helpers.js';

// n1: 64000 m, 4 GPUs; a 500-milli pod (8000 m) on GPU0 → c = 56000, GPUs [500, 1000, 1000, 1000], F = 3500.
// n2: 32000 m, 2 GPUs, idle → c = 32000, GPUs [1000, 1000], F = 2000.
// n3: 16000 m, 8 GPUs; a 2-GPU pod (4000 m) on GPUs 0, 1 → c = 12000, GPUs [0, 0, 1000 × 6], F = 6000.
const NODES = [gpuNode('n1', 64000, 4), gpuNode('n2', 32000, 2), gpuNode('n3', 16000, 8)];
const BOUND = [
  gpuPod('s1', 8000, 1, 500, { node: 'n1', assigned: '0' }),
  gpuPod('w3', 4000, 2, 1000, { node: 'n3', assigned: '0,1' }),
];
// The pod to place: 2000 m, one GPU share of 250.
const POD = gpuPod('p', 2000, 1, 250);

function scores(plugin: string, args?: unknown, pod = POD): Record<string, number> {
  const config = gpuProfile(
    [{ name: 'GpuShare' }, { name: plugin }],
    args === undefined ? [] : [{ name: plugin, args }],
  );
  return scoresOf(gpuScheduler(config, NODES, BOUND).explain(pod), plugin);
}

test('GpuDotProd: ⌊100 · (1 − (ĉ·ĉ_p + F̂·ĝ_p) / 2)⌋, smaller dot product first', (t) => {
  // n1: (56000/128000)(2000/128000) + (3500/8000)(250/8000) = 0.0068359375 + 0.013671875
  //     = 0.0205078125 → ⌊100 · (1 − 0.01025390625)⌋ = ⌊98.97⌋ = 98
  // n2: 0.25 · 0.015625 + 0.25 · 0.03125 = 0.01171875 → ⌊100 · 0.994140625⌋ = 99
  // n3: 0.09375 · 0.015625 + 0.75 · 0.03125 = 0.02490234375 → ⌊100 · 0.987548828125⌋ = 98
  t.deepEqual(scores('GpuDotProd'), { n1: 98, n2: 99, n3: 98 });
});

test('GpuClustering: fill band + same-kind bonus', (t) => {
  // n1: ⌊25 · (8000 − 3500) / 8000⌋ = ⌊14.06⌋ = 14, only share-gpu pods → + 75 = 89
  // n2: ⌊25 · 6000 / 8000⌋ = 18, no GPU pods → + 25 = 43
  // n3: ⌊25 · 2000 / 8000⌋ = 6, only 2-gpu pods, not this kind → + 0 = 6
  t.deepEqual(scores('GpuClustering'), { n1: 89, n2: 43, n3: 6 });
  // A CPU-only pod scores 0 everywhere.
  t.deepEqual(scores('GpuClustering', undefined, gpuPod('c', 2000, 0)), { n1: 0, n2: 0, n3: 0 });
});

test('GpuPacking: used GPUs first, then free GPUs of used nodes, then idle nodes', (t) => {
  // n1: fits on GPU0 (500 free, used): max(100 − ⌊⌊500 · 100 / 1000⌋ / 10⌋, 50) = max(95, 50) = 95
  // n2: idle node, 2 free GPUs: max(33 − 2, 2) = 31
  // n3: takes a wholly free GPU of a used node: max(50 − 1, 33) = 49
  t.deepEqual(scores('GpuPacking'), { n1: 95, n2: 31, n3: 49 });
  t.deepEqual(scores('GpuPacking', undefined, gpuPod('c', 2000, 0)), { n1: 0, n2: 0, n3: 0 });
});

test('GpuBestFit: raw ⌊100 · (1 − ½(c − c_p)/128000 − ½(F − g_p)/8000)⌋, then min-max', (t) => {
  // n1: 1 − ½ · 54000/128000 − ½ · 3250/8000 = 1 − 0.2109375 − 0.203125 = 0.5859375 → 58
  // n2: 1 − ½ · 30000/128000 − ½ · 1750/8000 = 1 − 0.1171875 − 0.109375 = 0.7734375 → 77
  // n3: 1 − ½ · 10000/128000 − ½ · 5750/8000 = 1 − 0.0390625 − 0.359375 = 0.6015625 → 60
  // min-max over [58, 77]: n1 (58 − 58) · 100 / 19 = 0; n2 100; n3 ⌊(60 − 58) · 100 / 19⌋ = ⌊10.5⌋ = 10
  t.deepEqual(scores('GpuBestFit'), { n1: 0, n2: 100, n3: 10 });
});

test('GpuFGD: ⌊100 · sigmoid((frag_before − frag_after) / 1000)⌋ against the given workload', (t) => {
  // Workload: A = (2000 m, 250 × 1) p = ½; B = (1000 m, 1000 × 1) p = ½ (V100 allowed for both).
  const workload = {
    shapes: [
      { cpuMilli: 2000, gpuMilli: 250, numGpu: 1 },
      { cpuMilli: 1000, gpuMilli: 1000, numGpu: 1 },
    ],
  };
  // n1 before [500, 1000, 1000, 1000]: A fits, GPUs < 250 hold 0; B fits, GPUs < 1000 hold 500
  //   → ½ · 0 + ½ · 500 = 250. On GPU0 → [250, 1000, 1000, 1000]: ½ · 0 + ½ · 250 = 125
  //   → ⌊100 · sigmoid(0.125)⌋ = ⌊53.1⌋ = 53 (GPU1 → [500, 750, …]: 625 → sigmoid(−0.375) → 40).
  // n2 before [1000, 1000]: 0. After [750, 1000]: ½ · 750 = 375 → ⌊100 · sigmoid(−0.375)⌋ = 40
  // n3 before [0, 0, 1000 × 6]: 0 (free GPUs are all whole). After [0, 0, 750, …]: 375 → 40
  t.deepEqual(scores('GpuFGD', { workload }), { n1: 53, n2: 40, n3: 40 });
  // gpuAssignment takes the GPU FGD's score chose: GPU0 on n1, GPU0 (the first of equals) on n2.
  const s = gpuScheduler(
    gpuProfile([{ name: 'GpuShare' }, { name: 'GpuFGD' }], [{ name: 'GpuFGD', args: { workload } }]),
    NODES,
    BOUND,
  );
  t.deepEqual(gpuAssignment(s, POD, 'n1'), [0]);
  t.deepEqual(gpuAssignment(s, POD, 'n2'), [0]);
  const r = s.scheduleOne(POD);
  t.is(r.code === 'Success' ? r.nodeName : r.code, 'n1');
});

test('GpuFGD: learned workload (no args) scores from the pods seen so far', (t) => {
  // Seen: s1 (8000 m, 500) and w3 (4000 m, 2 × 1000), then the pod itself (2000 m, 250): ⅓ each.
  // n2 before [1000, 1000], 32000 m: every shape fits, no GPU too small → 0.
  //   After [750, 1000]: s1-shape (500) fits with nothing < 500 → 0; w3-shape (2 × 1000) needs two
  //   whole GPUs, has one → F = 1750; p-shape (250) → 0. ⅓ · 1750 = 583.3 → ⌊100 · sigmoid(−0.583)⌋ = 35
  const got = scores('GpuFGD');
  t.is(got.n2, 35);
  t.is(Object.keys(got).length, 3);
});

test('GpuRandom: one feasible node scores 100, chosen by a per-pod seeded draw', (t) => {
  const a = scores('GpuRandom', { seed: 1 });
  const b = scores('GpuRandom', { seed: 1 });
  t.deepEqual(a, b);
  t.deepEqual(
    Object.values(a).sort((x, y) => x - y),
    [0, 0, 100],
  );
  // Different pods (or seeds) draw independently: over 20 pods every node gets picked.
  const picked = new Set<string>();
  const config = gpuProfile(
    [{ name: 'GpuShare' }, { name: 'GpuRandom' }],
    [{ name: 'GpuRandom', args: { seed: 1 } }],
  );
  const s = gpuScheduler(config, NODES, BOUND);
  for (let i = 0; i < 20; i++) {
    const r = s.scheduleOne(gpuPod(`q${i}`, 2000, 1, 250));
    if (r.code === 'Success') picked.add(r.nodeName);
  }
  t.is(picked.size, 3);
});

test('args are validated with their path', (t) => {
  t.throws(() => scores('GpuFGD', { workload: { shapes: [{ gpuMilli: 1500 }] } }), {
    message: /args\.workload\.shapes\[0\]\.gpuMilli: must be an integer in 1\.\.1000/,
  });
  t.throws(() => scores('GpuPacking', { seed: 1 }), { message: /args\.seed: unknown field/ });
  t.throws(() => scores('GpuFGD', { popularityThreshold: 0 }), { message: /popularityThreshold/ });
});

test('presets: each GPU policy alone decides, over every node, with GpuShare filtering', (t) => {
  for (const [preset, plugin] of [
    ['fgd', 'GpuFGD'],
    ['gpu-packing', 'GpuPacking'],
    ['gpu-clustering', 'GpuClustering'],
    ['gpu-bestfit', 'GpuBestFit'],
    ['gpu-dotprod', 'GpuDotProd'],
    ['gpu-random', 'GpuRandom'],
  ] as const) {
    t.true(PRESET_NAMES.includes(preset), preset);
    const p = presetConfig(preset).profiles[0]!;
    t.deepEqual(p.points.score, [plugin], preset);
    t.is(p.weights.get(plugin), 1000, preset);
    t.is(p.percentageOfNodesToScore, 100, preset);
    t.true(p.points.filter.includes('GpuShare'), preset);
    t.true(p.points.filter.includes('NodeResourcesFit'), preset);
  }
  t.true(presetConfig('default-scheduler').profiles[0]!.points.filter.includes('GpuShare'));
  // Packing picks n1, where the share fits on an already used GPU (95 vs 31 and 49).
  const r = gpuScheduler(presetConfig('gpu-packing'), NODES, BOUND).scheduleOne(POD);
  t.is(r.code === 'Success' ? r.nodeName : r.code, 'n1');
  // Clustering too (89); DotProd prefers n2 (99).
  const d = gpuScheduler(presetConfig('gpu-dotprod'), NODES, BOUND).scheduleOne(POD);
  t.is(d.code === 'Success' ? d.nodeName : d.code, 'n2');
});
