import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runReplay } from '../../workloads/replay/run-replay.js';
import { parsePolicy } from '../../workloads/replay/policy.js';
import { foldLogFile, writeRunOutputs } from '../../reports/index.js';

test('pods.csv counts container restarts (restartPolicy Always), rebuilt identically from the log', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kreplay-restarts-'));
  const trace = join(dir, 'trace.ndjson');
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } },
    status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } },
  };
  const pod = (name: string, restartPolicy: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', annotations: { 'kreplay.io/duration': '60s' } },
    spec: { restartPolicy, containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: '1' } } }] },
  });
  writeFileSync(
    trace,
    [
      { time: 0, op: 'create', object: node },
      { time: 0, op: 'create', object: pod('always', 'Always') },
      { time: 0, op: 'create', object: pod('never', 'Never') },
      // Deleting the restarting pod at 300 s ends the run.
      {
        time: 300_000_000,
        op: 'delete',
        object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'always', namespace: 'default' } },
      },
    ]
      .map((l) => JSON.stringify(l))
      .join('\n') + '\n',
  );
  const out = join(dir, 'out');
  await runReplay({ inputs: { trace }, policy: parsePolicy('default-scheduler'), seed: '1', outDir: out });
  const rows = readFileSync(join(out, 'pods.csv'), 'utf8').trim().split('\n');
  const header = rows[0]!.split(',');
  const col = (name: string, field: string) =>
    rows.find((r) => r.split(',')[1] === name)!.split(',')[header.indexOf(field)];
  // always: starts at 1 s, exits at 61, 131, 211 s (back-off 10, 20, 40 s) → 3 restarts before the
  // delete at 300 s (it was running again from 251 s). never: Succeeded at 61 s, no restart.
  t.is(col('always', 'restarts'), '3');
  t.is(col('always', 'phase'), 'Running');
  t.is(col('never', 'restarts'), '0');
  t.is(col('never', 'phase'), 'Succeeded');
  // The saved log rebuilds the same pods.csv.
  const again = join(dir, 'again');
  await writeRunOutputs(again, await foldLogFile(join(out, 'events.ndjson.gz')));
  t.is(readFileSync(join(again, 'pods.csv'), 'utf8'), readFileSync(join(out, 'pods.csv'), 'utf8'));
});
