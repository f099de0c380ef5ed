import test from 'ava';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  fillCsvs,
  reportsAt100,
  runFillExperiment,
  writeFillOutputs,
} from '../../../workloads/fill/index.js';
import { parsePolicies, parseSeeds } from '../../../cli/commands/experiment.js';

async function inputs(): Promise<{ dir: string; nodes: string; pods: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'kreplay-fill-'));
  const nodeLines = ['sn,cpu_milli,memory_mib,gpu,model'];
  for (let i = 0; i < 10; i++)
    nodeLines.push(`node-${i},${32000 + 16000 * (i % 2)},131072,${[2, 8][i % 2]},${i % 3 ? 'T4' : 'G2'}`);
  const podLines = [
    'name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time',
  ];
  const milli = [1000, 500, 300, 0, 700, 1000];
  for (let i = 0; i < 40; i++) {
    const m = milli[i % milli.length]!;
    const num = m === 0 ? 0 : i % 13 === 0 ? 2 : 1;
    podLines.push(
      `pod-${i},${2000 + 1000 * (i % 5)},4096,${num},${num > 1 ? 1000 : m},${i % 7 === 0 ? 'T4' : ''},LS,Running,0,,0`,
    );
  }
  const nodes = join(dir, 'nodes.csv');
  const pods = join(dir, 'openb_pod_list_tiny.csv');
  await writeFile(nodes, `${nodeLines.join('\n')}\n`);
  await writeFile(pods, `${podLines.join('\n')}\n`);
  return { dir, nodes, pods };
}

test('1 and 2 worker threads write identical CSVs', async (t) => {
  const { dir, nodes, pods } = await inputs();
  const base = {
    nodesPath: nodes,
    podsPaths: [pods],
    policies: ['random', 'bestfit', 'fgd'] as const,
    seeds: [1, 2, 3],
  };
  const one = await runFillExperiment({ ...base, policies: [...base.policies], workers: 1 });
  const two = await runFillExperiment({ ...base, policies: [...base.policies], workers: 2 });
  t.deepEqual(fillCsvs(one), fillCsvs(two));
  t.is(one.cells.length, 9);
  t.deepEqual(one.cells.map((c) => `${c.workload}/${c.policy}/${c.seed}`).slice(0, 4), [
    'openb_pod_list_tiny/random/1',
    'openb_pod_list_tiny/random/2',
    'openb_pod_list_tiny/random/3',
    'openb_pod_list_tiny/bestfit/1',
  ]);
  await writeFillOutputs(join(dir, 'out'), two);
  const alloc = await readFile(join(dir, 'out', 'alloc.csv'), 'utf8');
  t.true(alloc.startsWith('workload,policy,seed,0,1,2,'));
  t.true(alloc.split('\n')[0]!.endsWith(',129,130'));
  const summary = await readFile(join(dir, 'out', 'summary.csv'), 'utf8');
  t.is(summary.trim().split('\n').length, 4);
});

test('bad input fails with the reader error, not a worker crash', async (t) => {
  const { dir, nodes } = await inputs();
  await t.throwsAsync(
    runFillExperiment({
      nodesPath: nodes,
      podsPaths: [join(dir, 'missing.csv')],
      policies: ['fgd'],
      seeds: [1],
      workers: 2,
    }),
    { code: 'ENOENT' },
  );
});

test('two pod lists of one file name, or one list twice, are refused before any cell runs', async (t) => {
  const { dir, nodes, pods } = await inputs();
  const sub = join(dir, 'sub');
  await mkdir(sub);
  const twin = join(sub, 'openb_pod_list_tiny.csv');
  await writeFile(twin, await readFile(pods, 'utf8'));
  const run = (podsPaths: string[]) =>
    runFillExperiment({ nodesPath: nodes, podsPaths, policies: ['fgd'], seeds: [1], workers: 1 });
  await t.throwsAsync(run([pods, twin]), {
    message: `${twin}: --pods: named "openb_pod_list_tiny" in the reports, as ${pods} is; give the pod lists different file names`,
  });
  await t.throwsAsync(run([pods, pods]), {
    message: `${pods}: --pods: given twice (its cells would count twice in the summary)`,
  });
  // An existing file as the output folder: one worded line, not the raw errno.
  await t.throwsAsync(writeFillOutputs(pods, await run([pods])), {
    message: `${pods}: cannot create the output folder: exists and is not a directory`,
  });
});

test('a pod list with only its header fails before any cell runs, naming the file and line 1', async (t) => {
  const { dir, nodes } = await inputs();
  const empty = join(dir, 'empty.csv');
  await writeFile(
    empty,
    `${(await readFile(join(dir, 'openb_pod_list_tiny.csv'), 'utf8')).split('\n')[0]}\n`,
  );
  await t.throwsAsync(
    runFillExperiment({ nodesPath: nodes, podsPaths: [empty], policies: ['fgd'], seeds: [1], workers: 2 }),
    { code: 'NO_PODS', message: `${empty}:1: no pods: the file has a header line and no rows` },
  );
});

test('a node list without GPUs or a pod list without GPU pods fails before any cell runs, naming the file', async (t) => {
  const { dir, nodes, pods } = await inputs();
  const cpuNodes = join(dir, 'cpu-nodes.csv');
  await writeFile(cpuNodes, 'sn,cpu_milli,memory_mib,gpu,model\nc1,64000,262144,0,\n');
  const cpuPods = join(dir, 'cpu-pods.csv');
  await writeFile(
    cpuPods,
    `${(await readFile(pods, 'utf8')).split('\n')[0]}\nq1,1000,1024,0,0,,LS,Running,0,,0\n`,
  );
  const run = (nodesPath: string, podsPath: string, workers: number) =>
    runFillExperiment({ nodesPath, podsPaths: [podsPath], policies: ['fgd'], seeds: [1, 2], workers });
  for (const workers of [1, 2]) {
    await t.throwsAsync(run(cpuNodes, pods, workers), {
      code: 'NO_GPU_NODES',
      message: `${cpuNodes}: no GPU nodes (every row has gpu 0): experiment fill needs GPUs to fill`,
    });
    await t.throwsAsync(run(nodes, cpuPods, workers), {
      code: 'NO_GPU_PODS',
      message: `${cpuPods}: no GPU pods (every row has num_gpu 0): experiment fill needs GPU pods to fill the cluster with`,
    });
  }
});

test('CLI parsers', (t) => {
  t.deepEqual(parseSeeds('42..45'), [42, 43, 44, 45]);
  t.deepEqual(parseSeeds('7,3'), [7, 3]);
  t.throws(() => parseSeeds('5..1'));
  t.deepEqual(parsePolicies('fgd,BestFit,fgd'), ['fgd', 'bestfit']);
  t.throws(() => parsePolicies('tetris'));
  // compare's preset names are the same policies, under their fill names.
  t.deepEqual(parsePolicies('gpu-random,gpu-dotprod,gpu-clustering,gpu-packing,gpu-bestfit,bestfit,fgd'), [
    'random',
    'dotprod',
    'clustering',
    'packing',
    'bestfit',
    'fgd',
  ]);
  t.throws(() => parsePolicies('gpu-fgd'), { message: /^unknown policy "gpu-fgd"/ });
});

test('summary.csv has the 100% columns only when the run goes past 100% (no repeated header at 100)', async (t) => {
  const { nodes, pods } = await inputs();
  const run = (maxLoad: number) =>
    runFillExperiment({
      nodesPath: nodes,
      podsPaths: [pods],
      policies: ['fgd'],
      seeds: [1],
      workers: 1,
      maxLoad,
    });
  const header = async (maxLoad: number): Promise<string> =>
    fillCsvs(await run(maxLoad)).summary.split('\n')[0]!;
  t.is(
    await header(130),
    'workload,policy,seeds,median_unallocated_at_100,mean_unallocated_at_100,median_unallocated_at_130,mean_unallocated_at_130,mean_failed_pods',
  );
  t.is(
    await header(100),
    'workload,policy,seeds,median_unallocated_at_100,mean_unallocated_at_100,mean_failed_pods',
  );
  t.true(reportsAt100(101));
  t.false(reportsAt100(100));
  t.is(
    await header(50),
    'workload,policy,seeds,median_unallocated_at_50,mean_unallocated_at_50,mean_failed_pods',
  );
});
