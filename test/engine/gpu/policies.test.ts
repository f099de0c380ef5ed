import test from 'ava';
import {
  FragModel,
  GpuCluster,
  normalizeScores,
  policyContext,
  scoreNode,
  selectGpus,
  typicalPods,
  type GpuPodSpec,
} from '../../../engine/gpu/index.js';

const pod = (cpuMilli: number, numGpu: number, gpuMilli: number): GpuPodSpec => ({
  cpuMilli,
  memoryMib: 0,
  numGpu,
  gpuMilli,
  gpuSpec: [],
});
const fixed = () => 0;

/** Two 4-GPU nodes, 32 cores each. */
function twoNodes(): GpuCluster {
  return new GpuCluster([
    { name: 'a', cpuMilli: 32000, memoryMib: 65536, gpu: 4, model: 'G2' },
    { name: 'b', cpuMilli: 32000, memoryMib: 65536, gpu: 4, model: 'G2' },
  ]);
}

test('dotprod', (t) => {
  const c = twoNodes();
  const ctx = policyContext(c, fixed);
  // ip = (32000/128000)(4000/128000) + (4000/8000)(500/8000) = 0.0078125 + 0.03125 = 0.0390625
  // score = ⌊100 × (1 − 0.0390625 / 2)⌋ = ⌊98.046875⌋ = 98
  t.is(scoreNode('dotprod', ctx, 0, c.request(pod(4000, 1, 500))), 98);
});

test('clustering', (t) => {
  const c = twoNodes();
  const ctx = policyContext(c, fixed);
  const share = c.request(pod(1000, 1, 500));
  // idle node: ⌊25 × (8000 − 4000) / 8000⌋ + 25 = 12 + 25 = 37
  t.is(scoreNode('clustering', ctx, 0, share), 37);
  c.bind(0, share, 0b0001);
  // only share-gpu pods here: ⌊25 × (8000 − 3500) / 8000⌋ + 75 = 14 + 75 = 89
  t.is(scoreNode('clustering', ctx, 0, share), 89);
  // a 1-gpu pod on a node holding other kinds: 14 + 0
  t.is(scoreNode('clustering', ctx, 0, c.request(pod(1000, 1, 1000))), 14);
  t.is(scoreNode('clustering', ctx, 1, c.request(pod(1000, 0, 0))), 0);
});

test('packing', (t) => {
  const c = twoNodes();
  const ctx = policyContext(c, fixed);
  // idle node: max(⌊100/3⌋ − 4, 4) = 29
  t.is(scoreNode('packing', ctx, 0, c.request(pod(1000, 1, 300))), 29);
  c.bind(0, c.request(pod(0, 1, 500)), 0b0001); // GPU0: 500 free
  // shared GPU: 100 − ⌊⌊500 × 100 / 1000⌋ / 10⌋ = 100 − 5 = 95
  t.is(scoreNode('packing', ctx, 0, c.request(pod(1000, 1, 300))), 95);
  // a whole GPU on a used node: max(50 − 1, 33) = 49
  t.is(scoreNode('packing', ctx, 0, c.request(pod(1000, 1, 1000))), 49);
});

test('bestfit and its min-max normalisation', (t) => {
  const c = twoNodes();
  c.bind(1, c.request(pod(24000, 0, 0)), 0);
  const ctx = policyContext(c, fixed);
  const p = c.request(pod(4000, 1, 500));
  // node a: ½·28000/128000 + ½·3500/8000 = 0.109375 + 0.21875 = 0.328125 → ⌊67.1875⌋ = 67
  // node b: ½·4000/128000 + 0.21875 = 0.234375 → ⌊76.5625⌋ = 76
  const scores = Int32Array.of(scoreNode('bestfit', ctx, 0, p), scoreNode('bestfit', ctx, 1, p));
  t.deepEqual([...scores], [67, 76]);
  normalizeScores(scores, 2); // (67 − 67)·100/9 = 0, (76 − 67)·100/9 = 100
  t.deepEqual([...scores], [0, 100]);
});

test('GPU choice: tightest fit, random, whole GPUs', (t) => {
  const c = twoNodes();
  // node a free milli: [500, 300, 1000, 300]
  c.bind(0, c.request(pod(0, 1, 500)), 0b0001);
  c.bind(0, c.request(pod(0, 1, 700)), 0b0010);
  c.bind(0, c.request(pod(0, 1, 700)), 0b1000);
  const ctx = policyContext(c, fixed);
  const share = c.request(pod(0, 1, 250));
  t.is(selectGpus('bestfit', ctx, 0, share), 0b0010); // 300 is the tightest; GPU1 before GPU3
  t.is(selectGpus('packing', ctx, 0, share), 0b0010);
  // random with draws always 0: reservoir keeps the last candidate (GPU3)
  t.is(selectGpus('random', ctx, 0, share), 0b1000);
  t.is(selectGpus('dotprod', ctx, 0, c.request(pod(0, 1, 1000))), 0b0100);
  t.is(selectGpus('fgd', ctx, 1, c.request(pod(0, 2, 1000))), 0b0011);
});

test('fgd: fragmentation of a 2-node example and the GPU it picks', (t) => {
  // Workload: A = (1 CPU, 500 m × 1) twice, B = (1 CPU, 1000 m × 1), C = (2 CPU, no GPU).
  // Counts 2, 1, 1 → sorted A, C (tie with B broken by larger CPU), B; 95% of 4 = 3.8 keeps all.
  const shapes = typicalPods([pod(1000, 1, 500), pod(1000, 1, 500), pod(1000, 1, 1000), pod(2000, 0, 0)]);
  t.deepEqual(
    shapes.map((s) => [s.cpuMilli, s.gpuMilli, s.numGpu, s.p]),
    [
      [1000, 500, 1, 0.5],
      [2000, 0, 0, 0.25],
      [1000, 1000, 1, 0.25],
    ],
  );
  const c = new GpuCluster([
    { name: 'z', cpuMilli: 4000, memoryMib: 65536, gpu: 2, model: 'T4' },
    { name: 'y', cpuMilli: 500, memoryMib: 65536, gpu: 2, model: 'T4' },
  ]);
  c.bind(0, c.request(pod(0, 1, 400)), 0b01); // z: free [600, 1000], 4 CPUs
  const frag = new FragModel(c, shapes);
  // z: total 1600. C: 0.25·1600 = 400. A: 2 GPUs ≥ 500 → Q3, none smaller → 0.
  //    B: GPU1 ≥ 1000 → Q3, GPU0 (600) too small → 0.25·600 = 150. Frag = 550.
  t.is(frag.nodeFrag(c, 0), 550);
  // y: total 2000, 0.5 CPU < 1 CPU for A and B → everything is fragment: 0.25·2000 + 0.5·2000 + 0.25·2000.
  t.is(frag.nodeFrag(c, 1), 2000);
  const ctx = policyContext(c, fixed, frag);
  const a = c.request(pod(1000, 1, 500));
  // On GPU0 → [100, 1000], 3 CPUs, total 1100: C 275 + A 0.5·100 + B 0.25·100 = 350; Δ = 200,
  //   ⌊sigmoid(0.2) × 100⌋ = ⌊54.98⌋ = 54.
  // On GPU1 → [600, 500]: C 275 + A 0 + B (no GPU ≥ 1000) 0.25·1100 = 550; Δ = 0 → 50.
  t.is(scoreNode('fgd', ctx, 0, a), 54);
  t.is(ctx.fgdGpu, 0);
  t.is(selectGpus('fgd', ctx, 0, a), 0b01);
});
