import test from 'ava';
import type { KObject } from '../../../engine/api/types.js';
import { ClusterReplay, CONTROLLER_DRAIN_US, type InputCall } from '../../../engine/cluster/replay.js';
import { presetConfig } from '../../../engine/scheduler/index.js';

const node: KObject = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'n1' },
  status: { allocatable: { cpu: '8', memory: '16Gi', pods: '110' } },
};
const cron: KObject = {
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'tick', namespace: 'default' },
  spec: {
    schedule: '0 * * * *',
    jobTemplate: {
      spec: {
        template: {
          metadata: { annotations: { 'kreplay.io/duration': '60s' } },
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: '100m', memory: '10Mi' } } }],
          },
        },
      },
    },
  },
};

async function* calls(list: InputCall[]): AsyncGenerator<InputCall> {
  yield* list;
}

test('without --until, a CronJob cannot keep a run going forever: it ends a day after the last record', async (t) => {
  const r = new ClusterReplay({
    seed: 1,
    config: presetConfig('default-scheduler'),
    policy: 'p',
    trace: 't',
  });
  let jobsCreated = 0;
  r.sim.log.listen((e) => {
    if (e.type === 'api' && e.verb === 'create' && e.kind === 'Job') jobsCreated++;
  });
  await r.run(
    calls([
      { timeUs: 0, op: 'create', object: node },
      { timeUs: 0, op: 'create', object: cron },
    ]),
  );
  t.is(r.sim.now(), CONTROLLER_DRAIN_US);
  // One Job per hour of that day, 00:00 … 23:00 (the 24:00 Job would be created just after the
  // horizon, after the controller's reaction delay).
  t.is(jobsCreated, 24);
});
