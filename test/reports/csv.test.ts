import test from 'ava';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ReportFold } from '../../reports/fold.js';
import { writeRunReports } from '../../reports/csv.js';
import { foldLogFile, writeRunOutputs, RUN_REPORT_FILES } from '../../reports/run.js';
import { InputError } from '../../engine/api/errors.js';
import { sampleLog, writeLogFile } from './helpers.js';

function sampleReport() {
  const f = new ReportFold();
  for (const e of sampleLog().entries) f.consume(e);
  return f.finish({ wallSeconds: 2, eventLogSha256: 'abc' });
}

const tmp = (): string => mkdtempSync(join(tmpdir(), 'kreplay-reports-'));
const read = (dir: string, name: string): string => readFileSync(join(dir, name), 'utf8');

const SUMMARY = `eventLogSha256,events,virtualSeconds,wallSeconds,nodes,podsSubmitted,podsScheduled,podsUnschedulable,podsPreempted,podsRejectedByQuota,podsSucceeded,podsFailed,schedulingAttempts,decisionsPerSecond,invalidSkipped,pendingSeconds.p50,pendingSeconds.p90,pendingSeconds.p99,pendingSeconds.max,utilization.cpu.mean,utilization.cpu.peak,utilization.memory.mean,utilization.memory.peak,utilization.nvidia.com/gpu.mean,utilization.nvidia.com/gpu.peak
abc,31,40.000000,2.000000,2,5,3,1,1,1,1,1,6,3.000000,1,2.000000,20.000000,20.000000,20.000000,0.471875,0.625000,0.240625,0.375000,0.250000,0.500000
`;

// Times are seconds since run.start; pending = first bind − creation (e: never bound, 40 − 20).
const PODS = `namespace,name,ownerKind,ownerName,created,scheduled,node,started,finished,deleted,phase,attempts,pendingSeconds,cpuMilli,memoryMiB,gpu,gpuMilli,gpus,quotaRejections,preemptions,evictions,restarts
default,a,ReplicaSet,rs-a,0.000000,2.000000,n1,2.000000,22.000000,,Succeeded,1,2.000000,2000,4096.000000,1,0,0,0,0,0,0
default,c,Job,j1,0.000000,1.000000,n2,1.000000,6.000000,6.000000,Failed,1,1.000000,3000,2048.000000,0,0,,0,1,0,0
default,b,ReplicaSet,rs-b,5.000000,8.000000,n2,8.000000,,,Running,2,3.000000,3000,2048.000000,0,0,,0,0,0,0
default,e,,,20.000000,,,,,,Pending,2,20.000000,1000,1024.000000,4,0,,0,0,0,0
default,q,,,,,,,,,Rejected,0,,0,0.000000,0,0,,1,0,0,0
`;

// n1: a holds 2000/4000 cpu, 4096/8192 MiB, 1/2 GPU during [2,22): 0.5 × 20 / 40 = 0.25 each.
const NODES = `name,created,deleted,gpuModel,zone,cpuMilli,memoryMiB,gpu,podsBound,alloc.cpu.mean,alloc.cpu.peak,alloc.memory.mean,alloc.memory.peak,alloc.nvidia.com/gpu.mean,alloc.nvidia.com/gpu.peak
n1,0.000000,,V100,,4000,8192,2,1,0.250000,0.500000,0.250000,0.500000,0.250000,0.500000
n2,0.000000,,,z1,4000,8192,0,2,0.693750,0.750000,0.231250,0.250000,0.000000,0.000000
`;

// Bucket [0,10): cpu .375×1 + .625×4 + .25×2 + .625×2 = 4.625 / 10; memory .125 + 1.5 + .5 + .75 = 2.875 / 10;
// GPU .5 × 8 / 10 = .4; at t=10 a and b run. Binds c, a, b; created a, c, b; b#1 failed.
// [10,20): steady .625 / .375 / .5. [30,40): b alone: 3000/8000, 2048/16384, no GPU; e pending.
const TIMESERIES = `start,end,alloc.cpu,alloc.memory,alloc.nvidia.com/gpu,running,pending,bound,created,failedAttempts
0.000000,10.000000,0.462500,0.287500,0.400000,2,0,3,3,1
10.000000,20.000000,0.625000,0.375000,0.500000,2,0,0,0,0
20.000000,30.000000,0.425000,0.175000,0.100000,1,1,0,1,1
30.000000,40.000000,0.375000,0.125000,0.000000,1,1,0,0,1
`;

// Plugins of e#2 sorted by name, whatever order the event listed them in.
const ATTEMPTS = `pod,attempt,time,code,plugin,reason,nodes
default/b,1,5.000000,Unschedulable,NodeResourcesFit,Insufficient cpu,2
default/e,1,20.000000,Unschedulable,NodeResourcesFit,Insufficient nvidia.com/gpu,2
default/e,2,30.000000,Unschedulable,NodeAffinity,node(s) didn't match Pod's node affinity/selector,1
default/e,2,30.000000,Unschedulable,NodeResourcesFit,Insufficient nvidia.com/gpu,1
`;

// a and b by ReplicaSets, c by a Job (their controller ownerReferences), e by none: 3 pods; q refused
// by quota once; no evictions, leader changes or node faults in the sample.
const CONTROLPLANE = `evictions,podsCreatedByControllers,createdByReplicaSet,createdByJob,createdByDaemonSet,createdByStatefulSet,createdByOther,quotaRejections,leaderChangesScheduler,leaderChangesControllerManager,nodeFailures
0,3,2,1,0,0,0,1,0,0,0
`;

test('CSV snapshots of the sample log', async (t) => {
  const dir = tmp();
  await writeRunReports(dir, sampleReport());
  t.is(read(dir, 'summary.csv'), SUMMARY);
  t.is(read(dir, 'pods.csv'), PODS);
  t.is(read(dir, 'nodes.csv'), NODES);
  t.is(read(dir, 'timeseries.csv'), TIMESERIES);
  t.is(read(dir, 'attempts.csv'), ATTEMPTS);
  t.is(read(dir, 'controlplane.csv'), CONTROLPLANE);
  t.deepEqual(readdirSync(dir).sort(), [
    'attempts.csv',
    'controlplane.csv',
    'nodes.csv',
    'pods.csv',
    'summary.csv',
    'timeseries.csv',
  ]);
});

test('cells with commas and quotes are quoted', async (t) => {
  const b = sampleLog();
  b.entries.splice(-1, 0, {
    seq: 0,
    time: 39_000_000,
    type: 'sched.fail',
    pod: 'default/e',
    attempt: 3,
    code: 'Error',
    reasons: {},
    message: 'boom, "quoted"',
  });
  const f = new ReportFold();
  for (const e of b.entries) f.consume(e);
  const dir = tmp();
  await writeRunReports(dir, f.finish({ wallSeconds: 2, eventLogSha256: 'abc' }));
  t.true(read(dir, 'attempts.csv').endsWith('default/e,3,39.000000,Error,,"boom, ""quoted""",0\n'));
});

test('the same log written twice gives byte-identical files', async (t) => {
  const a = tmp();
  const b = tmp();
  await writeRunOutputs(a, sampleReport());
  await writeRunOutputs(b, sampleReport());
  for (const name of RUN_REPORT_FILES) t.is(read(a, name), read(b, name), name);
});

test('a live fold and a fold of the written-then-reread log give byte-identical reports', async (t) => {
  const dir = tmp();
  const path = join(dir, 'events.ndjson.gz');
  const live = new ReportFold();
  const hash = writeLogFile(path, sampleLog().entries, { wallSeconds: 2 }, live.listener);
  const liveReport = live.finish({ wallSeconds: 2, eventLogSha256: hash, events: 31 });
  const reread = await foldLogFile(path);
  t.is(reread.summary.eventLogSha256, hash);
  t.is(reread.summary.events, 31);
  await writeRunOutputs(join(dir, 'live'), liveReport);
  await writeRunOutputs(join(dir, 'reread'), reread);
  for (const name of RUN_REPORT_FILES)
    t.is(read(join(dir, 'live'), name), read(join(dir, 'reread'), name), name);
  t.is(read(join(dir, 'reread'), 'pods.csv'), PODS);
});

test('an unwritable output folder raises InputError and leaves no files', async (t) => {
  const dir = tmp();
  writeFileSync(join(dir, 'file'), 'x');
  const e = await t.throwsAsync(writeRunOutputs(join(dir, 'file', 'out'), sampleReport()), {
    instanceOf: InputError,
  });
  t.regex(e!.message, /file\/out: cannot create the output folder: a parent is not a directory/);
  t.deepEqual(readdirSync(dir), ['file']);
});

test('a failure mid-set removes the files already written', async (t) => {
  const dir = tmp();
  // A folder where the temp file of pods.csv must go: summary.csv's temp is written first, then this fails.
  mkdirSync(join(dir, '.pods.csv.tmp'));
  await t.throwsAsync(writeRunOutputs(dir, sampleReport()), {
    instanceOf: InputError,
    message: /cannot write reports/,
  });
  t.deepEqual(readdirSync(dir), ['.pods.csv.tmp']);
  // A folder in the way of a final name is refused before anything is renamed.
  const dir2 = tmp();
  mkdirSync(join(dir2, 'report.html'));
  await t.throwsAsync(writeRunOutputs(dir2, sampleReport()), {
    message: /report\.html: cannot write reports: is a directory/,
  });
  t.deepEqual(readdirSync(dir2), ['report.html']);
});

test('a log that is not a log raises InputError naming the file', async (t) => {
  const dir = tmp();
  writeFileSync(join(dir, 'bad.ndjson'), 'not json\n');
  await t.throwsAsync(foldLogFile(join(dir, 'bad.ndjson')), {
    instanceOf: InputError,
    message: `${join(dir, 'bad.ndjson')}:1: not an event log line (not valid JSON)`,
  });
  await t.throwsAsync(foldLogFile(join(dir, 'missing.gz')), {
    instanceOf: InputError,
    message: /missing\.gz: no such file/,
  });
});

test('a log whose trailer does not match its chain is refused, not stamped with the trailer hash', async (t) => {
  const dir = tmp();
  const path = join(dir, 'events.ndjson.gz');
  writeLogFile(path, sampleLog().entries, { wallSeconds: 2, events: 31 }, () => {});
  const lines = gunzipSync(readFileSync(path)).toString('utf8').trim().split('\n');
  // The first 10 entries with the whole log's trailer: a log cut short.
  const cut = join(dir, 'cut.ndjson.gz');
  writeFileSync(cut, gzipSync(`${[...lines.slice(0, 10), lines[lines.length - 1]!].join('\n')}\n`));
  await t.throwsAsync(foldLogFile(cut), {
    instanceOf: InputError,
    message: `${cut}:11: the trailer says 31 entries, the chain has 10`,
  });
  // The first 10 entries and no trailer at all: cut short too (the chain of what is there verifies).
  const half = join(dir, 'half.ndjson.gz');
  writeFileSync(half, gzipSync(`${lines.slice(0, 10).join('\n')}\n`));
  await t.throwsAsync(foldLogFile(half), {
    instanceOf: InputError,
    message: `${half}:11: no trailer line: the log was cut short`,
  });
  const empty = join(dir, 'empty.ndjson.gz');
  writeFileSync(empty, gzipSync(''));
  await t.throwsAsync(foldLogFile(empty), { message: `${empty}:1: no trailer line: the log was cut short` });
});
