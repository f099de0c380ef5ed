/**
 * Quick throughput check (not a test): `npx tsx bench/scheduler-decisions.ts [nodes] [pods]`.
 * A basic cluster (scheduler_perf "SchedulingBasic" style), default profile, each decision bound.
 */
import { Scheduler, presetConfig } from '../engine/scheduler/index.js';
import { makeNode, makePod } from '../test/helpers/builders.js';

const nodes = Number(process.argv[2] ?? 5000);
const pods = Number(process.argv[3] ?? 20000);
let x = 1;
const s = new Scheduler({
  config: presetConfig('default-scheduler'),
  random: () => ((x = (x * 16807) % 2147483647), x / 2147483647),
});
for (let i = 0; i < nodes; i++) {
  s.addNode(
    makeNode(`node-${i}`)
      .cap({ cpu: '32', memory: '128Gi', pods: 110 })
      .label('topology.kubernetes.io/zone', `z${i % 3}`)
      .build(),
  );
}
const templates = [
  makePod('t').req({ cpu: '500m', memory: '1Gi' }).build(),
  makePod('t').req({ cpu: '1', memory: '2Gi' }).build(),
  makePod('t').container('nginx').build(),
];
const t0 = process.hrtime.bigint();
let ok = 0;
for (let i = 0; i < pods; i++) {
  const tpl = templates[i % templates.length]!;
  const pod = { ...tpl, metadata: { name: `p${i}`, namespace: 'default' } };
  const r = s.scheduleOne(pod);
  if (r.code === 'Success') {
    ok++;
    s.addPod({ ...pod, spec: { ...pod.spec!, nodeName: r.nodeName } });
  }
}
const sec = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(
  `${nodes} nodes, ${pods} pods (${ok} placed): ${(pods / sec).toFixed(0)} decisions/s (${((sec / pods) * 1e6).toFixed(0)} µs each)`,
);
