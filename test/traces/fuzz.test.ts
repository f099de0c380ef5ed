/**
 * Seeded corruption fuzz over real rows: every corrupted row either parses (and then round-trips to an
 * identical row and maps to objects without error) or raises an InputError — never another exception.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import seedrandom from 'seedrandom';
import { InputError } from '../../engine/api/errors.js';
import { splitCsvLine } from '../../traces/input.js';
import {
  openbNodeObject,
  openbPodObject,
  parseOpenbNodeRow,
  parseOpenbPodRow,
  type OpenbPodRow,
} from '../../traces/openb/index.js';
import { readNative } from '../../traces/native/index.js';
import {
  dlrmFields,
  dlrmPodObject,
  dlrmRowOf,
  parseDlrmRow,
  scanDlrmFields,
} from '../../traces/dlrm2025/index.js';
import { collect, tempFile } from './helpers.js';

const ALPHABET = ['-', ',', '"', '|', '.', 'x', '0', '9', ' ', 'e', '+', '\t', 'É', ''];

function corrupt(rng: () => number, text: string): string {
  const pos = Math.floor(rng() * (text.length + 1));
  const ch = ALPHABET[Math.floor(rng() * ALPHABET.length)]!;
  switch (Math.floor(rng() * 4)) {
    case 0:
      return text.slice(0, pos) + ch + text.slice(pos); // insert
    case 1:
      return text.slice(0, pos) + text.slice(pos + 1); // delete
    case 2:
      return text.slice(0, pos) + ch + text.slice(pos + 1); // replace
    default:
      return text.slice(0, pos); // truncate
  }
}

function podLine(r: OpenbPodRow): string {
  const opt = (v: number | undefined) => (v === undefined ? '' : String(v));
  return [
    r.name,
    r.cpuMilli,
    r.memoryMib,
    r.numGpu,
    r.gpuMilli,
    r.gpuSpec.join('|'),
    r.qos,
    r.phase,
    opt(r.creationTime),
    opt(r.deletionTime),
    opt(r.scheduledTime),
  ].join(',');
}

function lines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').slice(1).filter(Boolean);
}

test('openb pod rows: 20,000 seeded corruptions parse consistently or raise InputError', (t) => {
  const rng = seedrandom.alea('openb-pods-fuzz');
  const rows = lines('traces/samples/openb/openb_pod_list_default.csv').slice(0, 500);
  let parsed = 0;
  let rejected = 0;
  for (let i = 0; i < 20_000; i++) {
    const orig = rows[i % rows.length]!;
    let text = corrupt(rng, orig);
    if (rng() < 0.3) text = corrupt(rng, text);
    try {
      const row = parseOpenbPodRow('f.csv', { line: 2, fields: splitCsvLine('f.csv', 2, text) }, 11);
      openbPodObject(row);
      const again = parseOpenbPodRow('f.csv', { line: 2, fields: podLine(row).split(',') }, 11);
      t.deepEqual(again, row, text);
      if (text === orig)
        t.deepEqual(row, parseOpenbPodRow('f.csv', { line: 2, fields: orig.split(',') }, 11));
      parsed++;
    } catch (err) {
      if (!(err instanceof InputError)) t.fail(`${JSON.stringify(text)}: ${String(err)}`);
      else if (err.line !== 2 || err.file !== 'f.csv') t.fail(`${err.message} lacks file:line`);
      rejected++;
    }
  }
  t.true(parsed > 1000 && rejected > 1000, `${parsed} parsed, ${rejected} rejected`);
});

test('openb node rows: seeded corruptions parse or raise InputError', (t) => {
  const rng = seedrandom.alea('openb-nodes-fuzz');
  const rows = lines('traces/samples/openb/openb_node_list_gpu_node.csv');
  let parsed = 0;
  let rejected = 0;
  for (let i = 0; i < 10_000; i++) {
    const text = corrupt(rng, rows[i % rows.length]!);
    try {
      openbNodeObject(parseOpenbNodeRow('n.csv', { line: 7, fields: splitCsvLine('n.csv', 7, text) }));
      parsed++;
    } catch (err) {
      if (!(err instanceof InputError) || err.line !== 7) t.fail(`${JSON.stringify(text)}: ${String(err)}`);
      rejected++;
    }
  }
  // Both outcomes occur: the corruptions reach the validation paths, and none escapes as another error.
  t.is(parsed + rejected, 10_000);
  t.true(parsed > 500 && rejected > 500, `${parsed} parsed, ${rejected} rejected`);
});

test('native lines: seeded corruptions read or raise InputError (streamed)', async (t) => {
  const rng = seedrandom.alea('native-fuzz');
  const rows = lines('test/fixtures/traces/native/trace.ndjson');
  let read = 0;
  let rejected = 0;
  for (let i = 0; i < 300; i++) {
    const text = corrupt(rng, rows[i % 2]!); // the two time-0 lines keep time order valid
    const file = tempFile('t.ndjson', text + '\n');
    try {
      await collect(readNative(file).records);
      read++;
    } catch (err) {
      if (!(err instanceof InputError) || err.line !== 1) t.fail(`${JSON.stringify(text)}: ${String(err)}`);
      rejected++;
    }
  }
  t.is(read + rejected, 300);
  t.true(read > 10 && rejected > 10, `${read} read, ${rejected} rejected`);
});

test('dlrm2025 rows: 20,000 seeded corruptions; the in-place reader takes only rows parseDlrmRow makes the same', (t) => {
  const rng = seedrandom.alea('dlrm2025-fuzz');
  const rows = [
    ...lines('test/fixtures/traces/dlrm2025/disaggregated_DLRM_trace.csv'),
    'Instance_X.y,cn,App-9,0,0,8,8,100,100,0.125,1,0,0.5,1,12.5,,4031.0000000000005',
  ];
  const alphabet = [...ALPHABET, '1', '5', '_', 'A', '-1'];
  let fast = 0;
  let parsed = 0;
  let rejected = 0;
  for (let i = 0; i < 20_000; i++) {
    let text = rows[i % rows.length]!;
    for (let k = 1 + Math.floor(rng() * 2); k > 0; k--) {
      const pos = Math.floor(rng() * (text.length + 1));
      const ch = alphabet[Math.floor(rng() * alphabet.length)]!;
      text = rng() < 0.5 ? text.slice(0, pos) + ch + text.slice(pos + 1) : corrupt(rng, text);
    }
    const f = dlrmFields();
    const scanned = !text.includes('"') && scanDlrmFields(text, 0, text.length, 2, f);
    try {
      const row = parseDlrmRow('f.csv', { line: 2, fields: splitCsvLine('f.csv', 2, text) });
      dlrmPodObject(row);
      if (scanned) {
        t.deepEqual(dlrmRowOf(f.nums, 0, f.name, f.role, f.app), row, text);
        fast++;
      }
      parsed++;
    } catch (err) {
      if (scanned) t.fail(`the in-place reader took ${JSON.stringify(text)}, which fails: ${String(err)}`);
      if (!(err instanceof InputError)) t.fail(`${JSON.stringify(text)}: ${String(err)}`);
      else if (err.line !== 2 || err.file !== 'f.csv') t.fail(`${err.message} lacks file:line`);
      rejected++;
    }
  }
  t.true(fast > 1000 && rejected > 1000, `${fast} in place, ${parsed} parsed, ${rejected} rejected`);
});
