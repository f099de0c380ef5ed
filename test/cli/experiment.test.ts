import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kreplay } from '../helpers/cli.js';

const POD_HEADER =
  'name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time';
const tmp = (): string => mkdtempSync(join(tmpdir(), 'kreplay-fillcli-'));

/** One node with 2 GPUs and two 1-GPU pods: each arrival adds 50% of the cluster's GPUs. */
function tinyCluster(dir: string): { nodes: string; pods: string } {
  const nodes = join(dir, 'nodes.csv');
  const pods = join(dir, 'tiny.csv');
  writeFileSync(nodes, 'sn,cpu_milli,memory_mib,gpu,model\nn1,64000,262144,2,T4\n');
  writeFileSync(
    pods,
    `${POD_HEADER}\np1,1000,1024,1,1000,,LS,Running,0,,0\np2,1000,1024,1,1000,,LS,Running,0,,0\n`,
  );
  return { nodes, pods };
}

const fill = (nodes: string, pods: string, out: string, policies: string, ...more: string[]) =>
  kreplay([
    'experiment',
    'fill',
    '--nodes',
    nodes,
    '--pods',
    pods,
    '--policies',
    policies,
    '--seeds',
    '1,2',
    '--out',
    out,
    ...more,
  ]);

test.serial(
  'a pod list with only its header: one line naming the file, exit 2, nothing written',
  async (t) => {
    const dir = tmp();
    const { nodes } = tinyCluster(dir);
    const pods = join(dir, 'empty.csv');
    writeFileSync(pods, `${POD_HEADER}\n`);
    const out = join(dir, 'out');
    const r = await fill(nodes, pods, out, 'fgd');
    t.is(r.code, 2);
    t.is(r.stdout, '');
    t.is(r.stderr, `kreplay: ${pods}:1: no pods: the file has a header line and no rows\n`);
    t.false(existsSync(out));
  },
);

test.serial(
  'a tiny cluster: a load with no arrival within p ± 1 is an empty cell in the CSVs and n/a in the table, never NaN',
  async (t) => {
    const dir = tmp();
    const { nodes, pods } = tinyCluster(dir);
    const out = join(dir, 'out');
    const r = await fill(nodes, pods, out, 'fgd,bestfit');
    t.is(r.code, 0, r.stderr);
    // Arrivals land at 50% and 100%; 130% is beyond every arrival (a third pod would make 150%).
    t.is(
      r.stdout,
      [
        'unallocated GPU % (median / mean over 2 seeds)',
        'workload                         policy                @100%           @130%',
        'tiny                             FGD             0.00 / 0.00             n/a',
        'tiny                             BestFit         0.00 / 0.00             n/a',
        '',
      ].join('\n'),
    );
    t.is(
      readFileSync(join(out, 'summary.csv'), 'utf8'),
      [
        'workload,policy,seeds,median_unallocated_at_100,mean_unallocated_at_100,median_unallocated_at_130,mean_unallocated_at_130,mean_failed_pods',
        'tiny,fgd,2,0,0,,,0',
        'tiny,bestfit,2,0,0,,,0',
        '',
      ].join('\n'),
    );
    const alloc = readFileSync(join(out, 'alloc.csv'), 'utf8').trim().split('\n');
    const cells = alloc[1]!.split(',');
    t.deepEqual(cells.slice(0, 3), ['tiny', 'fgd', '1']);
    // The value at p is the mean over arrivals at p, else within p ± 1, else empty.
    const filled = cells
      .slice(3)
      .map((v, p) => [p, v] as const)
      .filter(([, v]) => v !== '');
    t.deepEqual(filled, [
      [49, '50'],
      [50, '50'],
      [51, '50'],
      [99, '100'],
      [100, '100'],
      [101, '100'],
    ]);
    t.is(cells.length, 3 + 131);
    for (const f of ['alloc.csv', 'frag.csv', 'summary.csv'])
      t.false(readFileSync(join(out, f), 'utf8').includes('NaN'), f);
  },
);

test.serial(
  "experiment fill accepts compare's preset names, reported by the fill name, each once",
  async (t) => {
    const dir = tmp();
    const { nodes, pods } = tinyCluster(dir);
    const out = join(dir, 'out');
    const r = await fill(nodes, pods, out, 'gpu-bestfit,bestfit,gpu-packing,fgd');
    t.is(r.code, 0, r.stderr);
    t.deepEqual(
      readFileSync(join(out, 'summary.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',').slice(0, 3).join(',')),
      ['tiny,bestfit,2', 'tiny,packing,2', 'tiny,fgd,2'],
    );
    const bad = await fill(nodes, pods, join(dir, 'bad'), 'gpu-tetris');
    t.is(bad.code, 2);
    t.is(
      bad.stderr,
      `kreplay: option '--policies <p,...>' argument 'gpu-tetris' is invalid. unknown policy "gpu-tetris" (want random, dotprod, clustering, packing, bestfit, fgd, or their compare presets gpu-random, gpu-dotprod, gpu-clustering, gpu-packing, gpu-bestfit)\n`,
    );
  },
);

test.serial(
  'a node list without nodes or GPUs, or a pod list without GPU pods: one line naming the file, exit 2, nothing written',
  async (t) => {
    const dir = tmp();
    const { nodes, pods } = tinyCluster(dir);
    const cpuNodes = join(dir, 'cpu-nodes.csv');
    writeFileSync(cpuNodes, 'sn,cpu_milli,memory_mib,gpu,model\nc1,64000,262144,0,\nc2,32000,131072,0,\n');
    const cpuPods = join(dir, 'cpu-pods.csv');
    writeFileSync(
      cpuPods,
      `${POD_HEADER}\nq1,1000,1024,0,0,,LS,Running,0,,0\nq2,2000,2048,0,0,,BE,Running,0,,0\n`,
    );
    const noNodes = join(dir, 'no-nodes.csv');
    writeFileSync(noNodes, 'sn,cpu_milli,memory_mib,gpu,model\n');
    const cases: [string, string, string][] = [
      [noNodes, pods, `kreplay: ${noNodes}:1: no nodes: the file has a header line and no rows\n`],
      [
        cpuNodes,
        pods,
        `kreplay: ${cpuNodes}: no GPU nodes (every row has gpu 0): experiment fill needs GPUs to fill\n`,
      ],
      [
        nodes,
        cpuPods,
        `kreplay: ${cpuPods}: no GPU pods (every row has num_gpu 0): experiment fill needs GPU pods to fill the cluster with\n`,
      ],
    ];
    for (const [n, p, line] of cases) {
      for (const workers of ['1', '2']) {
        const out = join(dir, 'out');
        const r = await fill(n, p, out, 'fgd,bestfit', '--workers', workers);
        t.is(r.code, 2, `${p} --workers ${workers}`);
        t.is(r.stdout, '');
        t.is(r.stderr, line);
        t.false(existsSync(out));
      }
    }
  },
);

test.serial(
  'a cell that fails prints the same line, exit 2, on this thread (--workers 1) as in a pool',
  async (t) => {
    const dir = tmp();
    const { pods } = tinyCluster(dir);
    // The openb reader takes any whole GPU count; the fill cell's cluster model holds at most 255.
    const nodes = join(dir, 'big-nodes.csv');
    writeFileSync(nodes, 'sn,cpu_milli,memory_mib,gpu,model\nn1,64000,262144,300,T4\n');
    for (const workers of ['1', '2']) {
      const out = join(dir, 'out');
      const r = await fill(nodes, pods, out, 'fgd', '--workers', workers);
      t.is(r.code, 2, workers);
      t.is(r.stderr, 'kreplay: fill tiny/fgd/seed 1 failed: node n1: gpu must be an integer in 0..255\n');
      t.false(existsSync(out));
    }
  },
);

test.serial('one seed is "1 seed" in the table heading', async (t) => {
  const dir = tmp();
  const { nodes, pods } = tinyCluster(dir);
  const r = await fill(nodes, pods, join(dir, 'out'), 'fgd', '--seeds', '1');
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.split('\n')[0], 'unallocated GPU % (median / mean over 1 seed)');
});
