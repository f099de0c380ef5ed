import test from 'ava';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KObject } from '../../engine/api/types.js';
import { ClusterReplay, type InputCall, type ReplayOptions } from '../../engine/cluster/replay.js';
import type { Fault } from '../../engine/controllers/index.js';
import { LogFileWriter } from '../../engine/sim/log-file.js';
import { presetConfig } from '../../engine/scheduler/index.js';
import { ReportFold } from '../../reports/fold.js';
import { foldLogFile, RUN_REPORT_FILES, writeRunOutputs } from '../../reports/run.js';
import type { RunReport } from '../../reports/types.js';
import { at, MIN, node, quota, S, template } from '../engine/controllers/helpers.js';

const HEADER =
  'evictions,podsCreatedByControllers,createdByReplicaSet,createdByJob,createdByDaemonSet,createdByStatefulSet,createdByOther,quotaRejections,leaderChangesScheduler,leaderChangesControllerManager,nodeFailures';

async function* feed(calls: readonly InputCall[]): AsyncGenerator<InputCall> {
  yield* calls;
}

function replicaSet(name: string, replicas: number): KObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default' },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: template(name) },
  } as KObject;
}

function bare(name: string): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: '100m' } } }] },
  } as KObject;
}

/**
 * Replays `calls` with `faults`, as `kreplay replay --out` does (a live fold beside the log file
 * writer, reports written from the live fold), then rebuilds the reports from the saved log as
 * `kreplay report` does. Returns the live report and both output folders.
 */
async function replayAndRebuild(
  calls: InputCall[],
  faults: Array<[number, Fault]>,
  untilUs: number,
  extra: Partial<ReplayOptions> = {},
): Promise<{ report: RunReport; replayDir: string; rebuiltDir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'kreplay-controlplane-'));
  const r = new ClusterReplay({
    seed: 1,
    config: presetConfig('default-scheduler'),
    policy: 'default-scheduler',
    trace: 'controlplane',
    ...extra,
  });
  const fold = new ReportFold();
  r.sim.log.listen(fold.listener);
  const writer = new LogFileWriter(join(dir, 'events.ndjson.gz'));
  r.sim.log.listen(writer.listener);
  for (const [time, f] of faults) r.controlPlane!.faults.inject(time, f);
  await r.run(feed(calls), untilUs);
  r.end();
  const trailer = { wallSeconds: 1, eventLogSha256: r.sim.log.hash, events: r.sim.log.seq };
  const report = fold.finish(trailer);
  writer.close({ ...trailer });
  const replayDir = join(dir, 'replay');
  const rebuiltDir = join(dir, 'rebuilt');
  await writeRunOutputs(replayDir, report);
  await writeRunOutputs(rebuiltDir, await foldLogFile(join(dir, 'events.ndjson.gz')));
  return { report, replayDir, rebuiltDir };
}

function assertRebuilt(t: import('ava').ExecutionContext, replayDir: string, rebuiltDir: string): void {
  for (const name of RUN_REPORT_FILES)
    t.is(readFileSync(join(rebuiltDir, name), 'utf8'), readFileSync(join(replayDir, name), 'utf8'), name);
}

test('a node failure: k evicted pods of a ReplicaSet are re-created, n + k pods by controllers', async (t) => {
  // n1 alone at first, so all n = 3 replicas land there; n2 joins at 30 s as the refuge. n1 goes down
  // at 60 s, is tainted unreachable at 100 s (grace 40 s), and its k = 3 pods are evicted at 400 s
  // (implicit 300 s toleration); the ReplicaSet re-creates them on n2.
  const { report, replayDir, rebuiltDir } = await replayAndRebuild(
    [at(0, node('n1')), at(0, replicaSet('web', 3)), at(30 * S, node('n2'))],
    [[MIN, { type: 'node-down', node: 'n1' }]],
    10 * MIN,
  );
  t.deepEqual(report.controlPlane, {
    evictions: 3, // k
    podsCreatedByControllers: 6, // n + k = 3 + 3
    createdBy: { ReplicaSet: 6, Job: 0, DaemonSet: 0, StatefulSet: 0, Other: 0 },
    quotaRejections: 0,
    leaderChangesScheduler: 0,
    leaderChangesControllerManager: 0,
    nodeFailures: 1,
  });
  t.is(readFileSync(join(replayDir, 'controlplane.csv'), 'utf8'), `${HEADER}\n3,6,6,0,0,0,0,0,0,0,1\n`);
  t.regex(readFileSync(join(replayDir, 'report.html'), 'utf8'), /<h2>Control plane<\/h2>/);
  assertRebuilt(t, replayDir, rebuiltDir);
});

test('killing the scheduler and controller-manager leaders: one leader change each', async (t) => {
  // Both leaders hold their lease since 0 s and renew every 2 s: last renewal 10 s. Killed at 11 s,
  // each lease expires at 10 + 15 = 25 s and its standby acquires it at its next 2 s retry tick, 26 s:
  // one `ctrl.leader acquired` per lease. A Job of 2 completions arriving at 12 s gets its pods from
  // the new controller-manager after 26 s: 2 pods by a Job.
  const job: KObject = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'batch', namespace: 'default' },
    spec: { completions: 2, parallelism: 2, template: template('batch', { 'kreplay.io/duration': '5s' }) },
  } as KObject;
  const { report, replayDir, rebuiltDir } = await replayAndRebuild(
    [at(0, node('n1')), at(12 * S, job)],
    [
      [11 * S, { type: 'scheduler-kill' }],
      [11 * S, { type: 'controller-manager-kill' }],
    ],
    MIN,
    { schedulerHa: { replicas: 2 } },
  );
  t.like(report.controlPlane, {
    evictions: 0,
    podsCreatedByControllers: 2,
    createdBy: { ReplicaSet: 0, Job: 2, DaemonSet: 0, StatefulSet: 0, Other: 0 },
    leaderChangesScheduler: 1,
    leaderChangesControllerManager: 1,
    nodeFailures: 0,
  });
  t.is(readFileSync(join(replayDir, 'controlplane.csv'), 'utf8'), `${HEADER}\n0,2,0,2,0,0,0,0,1,1,0\n`);
  assertRebuilt(t, replayDir, rebuiltDir);
});

test('quota rejections count every refused create; podsRejectedByQuota only pods', async (t) => {
  // Quota: 2 pods, 0 Deployments. Pods a and b fit, c is refused (1); the Deployment is refused (2).
  const q = quota('q', { pods: '2', 'count/deployments.apps': '0' });
  const dep: KObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: template('web') },
  } as KObject;
  const { report, replayDir, rebuiltDir } = await replayAndRebuild(
    [at(0, node('n1')), at(0, q), at(S, bare('a')), at(S, bare('b')), at(S, bare('c')), at(2 * S, dep)],
    [],
    MIN,
  );
  t.is(report.controlPlane.quotaRejections, 2);
  t.is(report.controlPlane.podsCreatedByControllers, 0);
  t.is(report.summary.podsRejectedByQuota, 1);
  t.is(readFileSync(join(replayDir, 'controlplane.csv'), 'utf8'), `${HEADER}\n0,0,0,0,0,0,0,2,0,0,0\n`);
  assertRebuilt(t, replayDir, rebuiltDir);
});
