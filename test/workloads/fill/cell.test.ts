import test from 'ava';
import {
  arrivals,
  roundHalfEven,
  runFillCell,
  summarize,
  type FillPod,
} from '../../../workloads/fill/index.js';
import type { GpuNodeSpec, GpuPolicy } from '../../../engine/gpu/index.js';

const sharePod = (i: number): FillPod => ({
  name: `p-${i}`,
  cpuMilli: 1000,
  memoryMib: 1024,
  numGpu: 1,
  gpuMilli: 600,
  gpuSpec: [],
});

test('roundHalfEven rounds as Python does', (t) => {
  t.deepEqual([0.5, 1.5, 2.5, 3.5, 2.4, 2.6].map(roundHalfEven), [0, 2, 2, 4, 2, 3]);
});

test('a tiny fill run, by hand', (t) => {
  // One node, 2 GPUs (2000 m). Three identical pods of 600 m: 1800 m = 90%; a copy would make 2400 > 2000,
  // so nothing is added, and the order does not matter.
  const nodes: GpuNodeSpec[] = [{ name: 'n', cpuMilli: 8000, memoryMib: 8192, gpu: 2, model: 'T4' }];
  const pods = [0, 1, 2].map(sharePod);
  for (const policy of ['bestfit', 'fgd', 'packing'] as GpuPolicy[]) {
    const r = runFillCell({ workload: 'w', nodes, pods, policy, seed: 1, maxLoad: 100 });
    // pod 1 → GPU0 [400, 1000]; pod 2 → GPU1 [400, 400]; pod 3 fits nowhere.
    // arrived 30%, 60%, 90%; allocated 30%, 60%, 60%.
    t.is(r.failedPods, 1, policy);
    t.is(r.alloc[30], 30);
    t.is(r.alloc[29], 30); // no arrival rounds to 29: mean over 28..30
    t.is(r.alloc[60], 60);
    t.is(r.alloc[90], 60);
    t.true(Number.isNaN(r.alloc[0]!));
    t.true(Number.isNaN(r.alloc[100]!));
    // Frag against the one-shape workload: [400, 1000] → the 400 GPU is too small: 400/2000 = 20%;
    // [400, 400] → no GPU takes 600 m: all 800 m = 40%.
    t.is(r.frag[30], 20);
    t.is(r.frag[60], 40);
    t.is(r.frag[90], 40);
  }
});

function synthetic(): { nodes: GpuNodeSpec[]; pods: FillPod[] } {
  const nodes: GpuNodeSpec[] = [];
  for (let i = 0; i < 12; i++) {
    nodes.push({
      name: `n${i}`,
      cpuMilli: 32000 + 8000 * (i % 3),
      memoryMib: 131072,
      gpu: [2, 4, 8][i % 3]!,
      model: i % 2 ? 'T4' : 'G2',
    });
  }
  const pods: FillPod[] = [];
  const milli = [1000, 500, 250, 1000, 700, 0];
  for (let i = 0; i < 60; i++) {
    const m = milli[i % milli.length]!;
    pods.push({
      name: `p${String(i).padStart(3, '0')}`,
      cpuMilli: 1000 + 500 * (i % 7),
      memoryMib: 2048,
      numGpu: m === 0 ? 0 : i % 17 === 0 ? 2 : 1,
      gpuMilli: m === 0 ? 0 : i % 17 === 0 ? 1000 : m,
      gpuSpec: i % 11 === 0 ? ['T4'] : [],
    });
  }
  return { nodes, pods };
}

test('same seed, same rows; copies stop below the target', (t) => {
  const { nodes, pods } = synthetic();
  for (const policy of ['random', 'dotprod', 'clustering', 'packing', 'bestfit', 'fgd'] as GpuPolicy[]) {
    const a = runFillCell({ workload: 'w', nodes, pods, policy, seed: 42, maxLoad: 130 });
    const b = runFillCell({ workload: 'w', nodes, pods, policy, seed: 42, maxLoad: 130 });
    t.deepEqual(a, b, policy);
    t.is(a.alloc.length, 131);
  }
  const seq = arrivals(pods, 56_000, 130, 42);
  const total = seq.reduce((s, p) => s + p.numGpu * p.gpuMilli, 0);
  t.true(total <= 0.13 * 560_000 && total > 0.13 * 560_000 - 2000);
  t.deepEqual(seq, arrivals(pods, 56_000, 130, 42));
  t.notDeepEqual(seq, arrivals(pods, 56_000, 130, 43));
  // The artifact's order: the list itself first, shuffled, then the copies in the order drawn.
  const head = seq.slice(0, pods.length);
  t.deepEqual(head.map((p) => p.name).sort(), pods.map((p) => p.name).sort());
  t.notDeepEqual(
    head.map((p) => p.name),
    pods.map((p) => p.name),
  );
  t.true(seq.length > pods.length);
  t.true(seq.slice(pods.length).every((p) => p.name.includes('-tuned-')));
});

test('summary: median and mean of unallocated GPU %', (t) => {
  const cell = (seed: number, a100: number, a130: number) => ({
    workload: 'w',
    policy: 'fgd' as const,
    seed,
    alloc: Array.from({ length: 131 }, (_, i) => (i === 100 ? a100 : i === 130 ? a130 : 0)),
    frag: [],
    arrivedPods: 1,
    failedPods: seed,
  });
  const [row] = summarize([cell(1, 90, 92), cell(2, 96, 97), cell(3, 95, 95)], 130);
  // unallocated at 100: 10, 4, 5 → median 5, mean 6.33; at 130: 8, 3, 5 → median 5, mean 5.33
  t.deepEqual(row, {
    workload: 'w',
    policy: 'fgd',
    seeds: 3,
    medianUnallocatedAt100: 5,
    meanUnallocatedAt100: 6.33,
    medianUnallocatedAtMax: 5,
    meanUnallocatedAtMax: 5.33,
    meanFailedPods: 2,
  });
});

test('summary: a load some seed has no value at is NaN (median and mean alike), never a subset of seeds', (t) => {
  const cell = (seed: number, a130: number) => ({
    workload: 'w',
    policy: 'fgd' as const,
    seed,
    alloc: Array.from({ length: 131 }, (_, i) => (i === 130 ? a130 : 90)),
    frag: [],
    arrivedPods: 1,
    failedPods: 0,
  });
  // Seed 3 has no arrival within 130 ± 1. Unallocated 8, 5, NaN: a plain sort gave [5, 8, NaN] and
  // a median of 8, as if over the three seeds.
  const [row] = summarize([cell(1, 92), cell(2, 95), cell(3, NaN)], 130);
  t.is(row!.medianUnallocatedAt100, 10);
  t.is(row!.meanUnallocatedAt100, 10);
  t.true(Number.isNaN(row!.medianUnallocatedAtMax));
  t.true(Number.isNaN(row!.meanUnallocatedAtMax));
});

test('a cell without pods is refused (every value would be empty)', (t) => {
  const nodes: GpuNodeSpec[] = [{ name: 'n', cpuMilli: 8000, memoryMib: 8192, gpu: 2, model: 'T4' }];
  t.throws(() => runFillCell({ workload: 'w', nodes, pods: [], policy: 'fgd', seed: 1, maxLoad: 100 }), {
    instanceOf: RangeError,
    message: 'the pod list has no pods',
  });
});
