import test from 'ava';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InputError } from '../../engine/api/errors.js';
import { readNative, writeNative, rfc3339ToUs } from '../../traces/native/index.js';
import { readOpenb } from '../../traces/openb/index.js';
import { calls, collect, tempDir, tempFile } from './helpers.js';

const FIX = 'test/fixtures/traces/native';

test('reads µs records as written', async (t) => {
  const recs = await collect(readNative(`${FIX}/trace.ndjson`).records);
  t.deepEqual(
    recs.map((r) => [r.timeUs, r.op, r.object.kind, r.object.metadata?.name]),
    [
      [0, 'create', 'Node', 'openb-node-0000'],
      [0, 'create', 'Pod', 'openb-pod-0000'],
      [427061000000, 'update', 'Pod', 'openb-pod-0000'],
      [12537496000000, 'delete', 'Pod', 'openb-pod-0000'],
    ],
  );
});

test('RFC3339 times are relative to the first one, to the microsecond, offsets honoured', async (t) => {
  t.is(rfc3339ToUs('1970-01-01T00:00:01.5Z'), 1_500_000);
  const src = readNative(`${FIX}/rfc3339.ndjson`);
  const recs = await collect(src.records);
  // 12:00:01.250001+02:00 = 10:00:01.250001Z
  t.deepEqual(
    recs.map((r) => r.timeUs),
    [0, 1_250_001, 1_250_001],
  );
  t.is(src.loss.notes.length, 1);
});

test('writeNative -> readNative round trip, gzipped, via a temp file renamed into place', async (t) => {
  const dir = tempDir();
  const out = join(dir, 'trace.ndjson.gz');
  const orig = await collect(
    readOpenb({ nodes: 'test/fixtures/traces/openb/nodes.csv', pods: 'test/fixtures/traces/openb/pods.csv' })
      .records,
  );
  t.is(await writeNative(orig, out), orig.length);
  t.deepEqual(readdirSync(dirname(out)), ['trace.ndjson.gz']);
  const back = await collect(readNative(out).records);
  t.deepEqual(calls(back), calls(orig));
  // Each record read back names its line of the native file (line 1 = the first node).
  t.deepEqual(back[1]!.source, { file: out, line: 2 });
  const first = gunzipSync(readFileSync(out)).toString().split('\n')[0]!;
  t.true(first.startsWith('{"time":0,"op":"create","object":{"apiVersion":"v1","kind":"Node"'));
});

const bad: [string, string, number, string | undefined][] = [
  ['not JSON', '{"time":0,"op":"create"', 1, undefined],
  ['bad op', '{"time":0,"op":"patch","object":{"kind":"Pod","metadata":{"name":"a"}}}', 1, 'op'],
  ['negative time', '{"time":-1,"op":"create","object":{"kind":"Pod","metadata":{"name":"a"}}}', 1, 'time'],
  ['no kind', '{"time":0,"op":"create","object":{"metadata":{"name":"a"}}}', 1, 'object.kind'],
  ['no name', '{"time":0,"op":"create","object":{"kind":"Pod","metadata":{}}}', 1, 'object.metadata.name'],
  [
    'bad timestamp',
    '{"time":"yesterday","op":"create","object":{"kind":"Pod","metadata":{"name":"a"}}}',
    1,
    'time',
  ],
];
for (const [what, line, n, field] of bad) {
  test(`bad native line (${what}) -> InputError`, async (t) => {
    const file = tempFile('t.ndjson', line + '\n');
    const err = await t.throwsAsync(collect(readNative(file).records), { instanceOf: InputError });
    t.is(err!.line, n);
    t.is(err!.field, field);
  });
}

test('going back in time is an InputError on that line; skip counts it', async (t) => {
  const rec = (time: number, name: string) =>
    JSON.stringify({ time, op: 'create', object: { kind: 'Pod', metadata: { name } } });
  const file = tempFile('t.ndjson', [rec(5, 'a'), rec(3, 'b'), rec(7, 'c')].join('\n'));
  const err = await t.throwsAsync(collect(readNative(file).records), { instanceOf: InputError });
  t.is(err!.message, `${file}:2: time: goes back in time (3 µs after 5 µs)`);
  const src = readNative(file, { onInvalid: 'skip' });
  t.deepEqual(
    (await collect(src.records)).map((r) => r.object.metadata?.name),
    ['a', 'c'],
  );
  t.deepEqual(src.loss.skipped, { 'invalid time': 1 });
});

test('an object the store would reject is an InputError at its line (field named); skip counts it', async (t) => {
  const pod = (name: string, cpu: string) => ({
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu } } }] },
  });
  const lines = [
    { time: 0, op: 'create', object: pod('a', '1') },
    { time: 1, op: 'create', object: pod('b', '-1') },
    { time: 2, op: 'create', object: { kind: 'Widget', metadata: { name: 'w' } } },
    { time: 3, op: 'delete', object: { kind: 'Pod', metadata: { name: 'a', namespace: 'default' } } },
  ].map((r) => JSON.stringify(r));
  const file = tempFile('bad.ndjson', lines.join('\n'));
  const err = await t.throwsAsync(collect(readNative(file).records), { instanceOf: InputError });
  t.is(
    err!.message,
    `${file}:2: object.spec.containers[0].resources.requests.cpu: must be greater than or equal to 0, got "-1"`,
  );
  const src = readNative(file, { onInvalid: 'skip' });
  // A delete names its object by kind and name only: not validated.
  t.deepEqual(
    (await collect(src.records)).map((r) => `${r.op} ${r.object.metadata?.name}`),
    ['create a', 'delete a'],
  );
  t.deepEqual(src.loss.skipped, {
    'invalid object.spec.containers[0].resources.requests.cpu': 1,
    'invalid object.kind': 1,
  });
});

test('writeNative creates missing folders; a file in the way fails naming the trace, not its temp file', async (t) => {
  const dir = tempDir();
  const recs = await collect(readOpenb({ nodes: 'test/fixtures/traces/openb/nodes.csv' }).records);
  const deep = join(dir, 'a', 'b', 'trace.ndjson');
  t.is(await writeNative(recs, deep), 4);
  t.deepEqual(readdirSync(join(dir, 'a', 'b')), ['trace.ndjson']);
  writeFileSync(join(dir, 'file'), 'x');
  const target = join(dir, 'file', 'trace.ndjson.gz');
  await t.throwsAsync(writeNative(recs, target), {
    instanceOf: InputError,
    message: `${target}: cannot create its folder ${join(dir, 'file')}: exists and is not a directory`,
  });
});
