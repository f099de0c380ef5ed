import test from 'ava';
import { GpuCluster, exclusiveGpus, gpuFit } from '../../../engine/gpu/index.js';

const node = (name: string, gpu: number, model: string, cpuMilli = 8000, memoryMib = 16384) => ({
  name,
  cpuMilli,
  memoryMib,
  gpu,
  model,
});
const pod = (
  cpuMilli: number,
  numGpu: number,
  gpuMilli: number,
  gpuSpec: string[] = [],
  memoryMib = 1024,
) => ({
  cpuMilli,
  memoryMib,
  numGpu,
  gpuMilli,
  gpuSpec,
});

test('a sharing pod must fit on one GPU; a whole-GPU pod needs wholly free GPUs', (t) => {
  const c = new GpuCluster([node('a', 2, 'T4')]);
  c.bind(0, c.request(pod(1000, 1, 600)), 0b01); // GPU0: 1000 - 600 = 400 free
  t.deepEqual([...c.gpuFree], [400, 1000]);
  t.is(c.gpuFreeTotal[0], 1400);
  t.is(c.fullyFreeGpus[0], 1);
  t.true(gpuFit(c, 0, c.request(pod(1000, 1, 500)))); // GPU1 has 1000 ≥ 500
  t.true(gpuFit(c, 0, c.request(pod(1000, 1, 1000)))); // GPU1 wholly free
  t.false(gpuFit(c, 0, c.request(pod(1000, 2, 1000)))); // only 1 wholly free GPU
  c.bind(0, c.request(pod(1000, 1, 500)), 0b10); // GPU1: 1000 - 500 = 500
  // 1400 milli free in total, but no single GPU has 600: a sharing pod cannot span GPUs.
  t.false(gpuFit(c, 0, c.request(pod(1000, 1, 600))));
  t.true(gpuFit(c, 0, c.request(pod(1000, 1, 500))));
  t.false(gpuFit(c, 0, c.request(pod(1000, 1, 1000))));
  t.is(c.allocatedGpuMilli, 1100);
});

test('GPU model restriction, CPU and memory', (t) => {
  const c = new GpuCluster([node('t4', 2, 'T4'), node('p100', 2, 'P100')]);
  t.false(gpuFit(c, 0, c.request(pod(1000, 1, 500, ['V100M16']))));
  t.true(gpuFit(c, 0, c.request(pod(1000, 1, 500, ['V100M16', 'T4']))));
  t.true(gpuFit(c, 1, c.request(pod(1000, 1, 500, ['P100']))));
  t.false(gpuFit(c, 1, c.request(pod(1000, 1, 500, ['A100'])))); // no node has A100: mask 0
  t.true(gpuFit(c, 0, c.request(pod(8000, 0, 0)))); // CPU-only pods ignore models
  t.false(gpuFit(c, 0, c.request(pod(8001, 0, 0))));
  t.false(gpuFit(c, 0, c.request(pod(1000, 0, 0, [], 16385))));
});

test('exclusive GPUs are the lowest-index wholly free ones', (t) => {
  const c = new GpuCluster([node('a', 4, 'G2')]);
  c.bind(0, c.request(pod(0, 1, 100)), 0b0010);
  t.is(exclusiveGpus(c, 0, 2), 0b0101);
  t.is(exclusiveGpus(c, 0, 3), 0b1101);
  t.is(exclusiveGpus(c, 0, 4), 0);
});

test('bad shapes and masks are refused', (t) => {
  const c = new GpuCluster([node('a', 2, 'T4')]);
  t.throws(() => c.request(pod(0, 2, 500)), { instanceOf: RangeError });
  t.throws(() => c.bind(0, c.request(pod(0, 2, 1000)), 0b01), { instanceOf: RangeError });
});
