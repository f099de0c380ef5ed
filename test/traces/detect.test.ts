import test from 'ava';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../engine/api/errors.js';
import { detectFormat, openTrace } from '../../traces/detect.js';
import { collect, tempDir, tempFile } from './helpers.js';
import type { TraceRecord } from '../../traces/types.js';

const OPENB = 'test/fixtures/traces/openb';

test('openb from headers, native from NDJSON first line', async (t) => {
  t.is(await detectFormat({ nodes: `${OPENB}/nodes.csv`, pods: `${OPENB}/pods.csv` }), 'openb');
  t.is(await detectFormat({ pods: `${OPENB}/pods-multigpu.csv` }), 'openb');
  t.is(await detectFormat({ trace: 'test/fixtures/traces/native/trace.ndjson' }), 'native');
  t.is(await detectFormat({ manifests: ['x.yaml'] }), 'manifests');
});

test('folders: alibaba2018, google2011, google2019 by table names', async (t) => {
  const a = tempDir();
  writeFileSync(join(a, 'machine_meta.csv'), 'm_1,0,1,A,96,100,USING\n');
  t.is(await detectFormat({ trace: a }), 'alibaba2018');
  const g = tempDir();
  mkdirSync(join(g, 'task_events'));
  mkdirSync(join(g, 'machine_events'));
  t.is(await detectFormat({ trace: g }), 'google2011');
  const g19 = tempDir();
  writeFileSync(join(g19, 'instance_events-000000000000.json'), '{}\n');
  t.is(await detectFormat({ trace: g19 }), 'google2019');
});

test('an unknown file asks for --format', async (t) => {
  const file = tempFile('data.csv', 'a,b,c\n1,2,3\n');
  const err = await t.throwsAsync(detectFormat({ trace: file }), { instanceOf: InputError });
  t.is(err!.file, file);
  t.regex(err!.message, /pass --format/);
});

test('an empty file says it is empty, not that its format is unknown', async (t) => {
  const empty = tempFile('pods.csv', '');
  const nodes = tempFile('nodes.csv', 'sn,cpu_milli,memory_mib,gpu,model\nn1,1000,1024,0,\n');
  await t.throwsAsync(detectFormat({ nodes, pods: empty }), {
    instanceOf: InputError,
    message: `${empty}:1: empty file: expected a header line`,
  });
});

test('inputs of two formats: one replay reads one format (--format could not fix it)', async (t) => {
  const trace = 'test/fixtures/traces/native/trace.ndjson';
  await t.throwsAsync(detectFormat({ nodes: `${OPENB}/nodes.csv`, trace }), {
    instanceOf: InputError,
    message: `${trace}: inputs look like different formats (${trace}: native, ${OPENB}/nodes.csv: openb); one replay reads one trace format (nodes from elsewhere can come as --manifests)`,
  });
});

test('a folder as --nodes or --pods says so before any format guess; --trace may be a folder', async (t) => {
  await t.throwsAsync(detectFormat({ nodes: OPENB, pods: `${OPENB}/pods.csv` }), {
    instanceOf: InputError,
    message: `${OPENB}: is a folder, not a file: --nodes takes one file`,
  });
  await t.throwsAsync(detectFormat({ pods: OPENB }), {
    message: `${OPENB}: is a folder, not a file: --pods takes one file`,
  });
  t.is(await detectFormat({ trace: 'test/fixtures/traces/google2011' }), 'google2011');
});

test('an unknown --format is an InputError', async (t) => {
  const err = await t.throwsAsync(detectFormat({ format: 'parquet', trace: 'x' }), {
    instanceOf: InputError,
  });
  t.regex(err!.message, /unknown format "parquet"/);
});

test('wrong --format for the file: the reader names file, line and what is wrong', async (t) => {
  const err = await t.throwsAsync(
    openTrace({ format: 'native', trace: `${OPENB}/pods.csv` }).then((o) => collect(o.records)),
    { instanceOf: InputError },
  );
  t.true(err!.message.startsWith(`${OPENB}/pods.csv:1: not JSON`));
  const err2 = await t.throwsAsync(
    openTrace({ format: 'openb', pods: 'test/fixtures/traces/native/trace.ndjson' }).then((o) =>
      collect(o.records),
    ),
    { instanceOf: InputError },
  );
  t.is(err2!.line, 1);
  t.true(err2!.message.startsWith('test/fixtures/traces/native/trace.ndjson:1: '));
});

test('openTrace: openb nodes then pods, format and loss report', async (t) => {
  const o = await openTrace({ nodes: `${OPENB}/nodes.csv`, pods: `${OPENB}/pods.csv`, mode: 'arrival-only' });
  t.is(o.format, 'openb');
  const recs = await collect(o.records);
  t.deepEqual(
    recs.map((r) => r.object.kind),
    [...Array(4).fill('Node'), ...Array(8).fill('Pod')],
  );
  t.true(o.loss.notes.includes('no owner column: every pod is a bare Pod in namespace default'));
});

test('an openb folder as --trace: its node list and pod list by name; two of one kind ask for --nodes/--pods', async (t) => {
  const dir = tempDir();
  copyFileSync(`${OPENB}/nodes.csv`, join(dir, 'openb_node_list_gpu_node.csv'));
  copyFileSync(`${OPENB}/pods.csv`, join(dir, 'openb_pod_list_default.csv'));
  t.is(await detectFormat({ trace: dir }), 'openb');
  const strip = (recs: TraceRecord[]) => recs.map((r) => ({ ...r, source: r.source?.line }));
  t.deepEqual(
    strip(await collect((await openTrace({ trace: dir })).records)),
    strip(
      await collect((await openTrace({ nodes: `${OPENB}/nodes.csv`, pods: `${OPENB}/pods.csv` })).records),
    ),
  );
  copyFileSync(`${OPENB}/pods.csv`, join(dir, 'openb_pod_list_gpushare40.csv'));
  await t.throwsAsync(openTrace({ trace: dir }), {
    instanceOf: InputError,
    message: `${dir}: holds 2 pod lists (openb_pod_list_default.csv, openb_pod_list_gpushare40.csv): name one with --pods`,
  });
});

test('--manifests then a trace: records a record at a time, none read ahead; those before an error arrive first', async (t) => {
  const dir = tempDir();
  const pod = (i: number, time: number): string =>
    JSON.stringify({
      time,
      op: 'create',
      object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: 'default' }, spec: {} },
    });
  // 600 pods 1 ms apart; the 600th goes back in time (an error at line 600)
  const lines = Array.from({ length: 600 }, (_, i) => pod(i, i < 599 ? i * 1000 : 5));
  writeFileSync(join(dir, 't.ndjson'), lines.join('\n') + '\n');
  writeFileSync(join(dir, 'm.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns1\n');
  const open = (onInvalid: 'fail' | 'skip') =>
    openTrace({ trace: join(dir, 't.ndjson'), manifests: [join(dir, 'm.yaml')], onInvalid });

  // every record before the bad line reaches the consumer, then the error
  let n = 0;
  const err = await t.throwsAsync(async () => {
    for await (const rec of (await open('fail')).records) {
      void rec;
      n++;
    }
  });
  t.is(n, 1 + 599); // the Namespace, then pods 0..598
  t.regex(err!.message, /t\.ndjson:600/);

  // a consumer that stops (a replay at --until) never reaches the bad line, so nothing is skipped
  for (const onInvalid of ['fail', 'skip'] as const) {
    const opened = await open(onInvalid);
    let seen = 0;
    for await (const rec of opened.records) {
      seen++;
      if (rec.timeUs > 100_000) break;
    }
    t.is(seen, 1 + 102); // pods 0..101 (t <= 100 ms) and the first one past it
    t.deepEqual(opened.loss.skipped, {});
  }
});
