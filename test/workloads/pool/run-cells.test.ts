import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError } from '../../../engine/api/errors.js';
import {
  CellFailedError,
  resolveWorkers,
  runCells,
  siblingWorkerUrl,
} from '../../../workloads/pool/run-cells.js';

/** A throwaway worker: squares numbers, throws on 13, kills its thread on 666. */
function workerFile(): URL {
  const dir = mkdtempSync(join(tmpdir(), 'kreplay-pool-'));
  const file = join(dir, 'w.mjs');
  writeFileSync(
    file,
    `export default function (n) {
  if (n === 13) throw new Error('unlucky');
  if (n === 666) process.exit(3);
  return n * n;
}
`,
  );
  return pathToFileURL(file);
}

const local = async (n: number) => {
  if (n === 13) throw new Error('unlucky');
  return n * n;
};

test('results come back in task order for any worker count', async (t) => {
  const url = workerFile();
  const tasks = [5, 1, 4, 2, 3, 9, 7];
  const expected = tasks.map((n) => n * n);
  for (const [workers, isolation] of [
    [1, undefined],
    [2, 'processes'],
    [3, 'processes'],
    [2, 'threads'],
    [3, 'threads'],
  ] as const) {
    const done: number[] = [];
    const r = await runCells({
      tasks,
      workers,
      ...(isolation ? { isolation } : {}),
      workerUrl: url,
      runLocal: local,
      describe: (n) => `cell ${n}`,
      onDone: (d) => done.push(d),
    });
    t.deepEqual(r, expected);
    t.deepEqual(done, [1, 2, 3, 4, 5, 6, 7]);
  }
});

test('a throwing cell fails the run naming the cell, sequential or pooled', async (t) => {
  const url = workerFile();
  for (const [workers, isolation] of [
    [1, 'processes'],
    [2, 'processes'],
    [2, 'threads'],
  ] as const) {
    const err = await t.throwsAsync(() =>
      runCells({
        tasks: [1, 13, 2],
        workers,
        isolation,
        workerUrl: url,
        runLocal: local,
        describe: (n) => `cell ${n}`,
      }),
    );
    t.true(err instanceof CellFailedError);
    t.regex(err!.message, /^cell 13 failed: unlucky$/);
  }
});

test("a cell's own KreplayError is named like any other failure, on this thread as in a pool", async (t) => {
  // A pooled cell's error reaches the parent as its message only; the sequential path says the same.
  const bad = new InputError('t.csv', 7, 'cpu', 'is negative');
  const err = await t.throwsAsync(() =>
    runCells({
      tasks: [1, 13, 2],
      workers: 1,
      workerUrl: workerFile(),
      runLocal: async (n: number) => {
        if (n === 13) throw bad;
        return n;
      },
      describe: (n) => `cell ${n}`,
    }),
  );
  t.true(err instanceof CellFailedError);
  t.is(err!.message, 'cell 13 failed: t.csv:7: cpu: is negative');
  t.is(err!.cause, bad);
});

test('a worker that dies fails the run with an error instead of hanging', async (t) => {
  for (const isolation of ['processes', 'threads'] as const) {
    const err = await t.throwsAsync(() =>
      runCells({
        tasks: [1, 666, 2],
        workers: 2,
        isolation,
        workerUrl: workerFile(),
        runLocal: local,
        describe: (n) => `cell ${n}`,
      }),
    );
    t.regex(err!.message, /^cell 666 failed: /);
  }
  // A child process that dies names how; the cells it never got still run on the other child.
  const done: number[] = [];
  const err = await t.throwsAsync(() =>
    runCells({
      tasks: [666, 2, 3, 4],
      workers: 2,
      workerUrl: workerFile(),
      runLocal: local,
      describe: (n) => `cell ${n}`,
      onDone: (d) => done.push(d),
    }),
  );
  t.is(err!.message, 'cell 666 failed: its worker process exited (code 3)');
  t.deepEqual(done, [1, 2, 3, 4]);
  // With every child dead, the cells never handed out fail too (no hang), in task order.
  const settled: number[] = [];
  const all = await t.throwsAsync(() =>
    runCells({
      tasks: [666, 666, 3],
      workers: 2,
      workerUrl: workerFile(),
      runLocal: local,
      describe: (n) => `cell ${n}`,
      onDone: (d) => settled.push(d),
    }),
  );
  t.is(all!.message, 'cell 666 failed: its worker process exited (code 3)');
  t.deepEqual(settled, [1, 2, 3]);
});

test('worker counts and sibling worker files', (t) => {
  t.is(resolveWorkers(8, 3), 3);
  t.is(resolveWorkers(2, 10), 2);
  t.is(resolveWorkers('auto', 1), 1);
  // auto: one per core, capped by the cells; whole replays (compare) only from 4 cores
  t.is(resolveWorkers('auto', 24, { cores: 2 }), 2);
  t.is(resolveWorkers('auto', 24, { cores: 2, wholeReplays: true }), 1);
  t.is(resolveWorkers('auto', 24, { cores: 3, wholeReplays: true }), 1);
  t.is(resolveWorkers('auto', 24, { cores: 4, wholeReplays: true }), 4);
  t.is(resolveWorkers('auto', 3, { cores: 16, wholeReplays: true }), 3);
  t.is(resolveWorkers(2, 24, { cores: 2, wholeReplays: true }), 2); // a number is forced
  t.is(siblingWorkerUrl('file:///a/b/compare.ts', 'worker').href, 'file:///a/b/worker.ts');
  t.is(siblingWorkerUrl('file:///a/dist/compare.js', 'worker').href, 'file:///a/dist/worker.js');
});

test('child processes that fill every core run single-threaded (no V8 helper threads to compete)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kreplay-pool-'));
  const file = join(dir, 'argv.mjs');
  writeFileSync(
    file,
    `export default function () { return process.execArgv.includes('--single-threaded'); }\n`,
  );
  const run = (workers: number) =>
    runCells({
      tasks: Array.from({ length: workers * 2 }, (_, i) => i),
      workers,
      isolation: 'processes',
      workerUrl: pathToFileURL(file),
      runLocal: async () => false,
      describe: (n) => `cell ${n}`,
    });
  const cores = availableParallelism();
  // As many children as cores (at least 2, to use the pool at all): every cell saw the flag.
  t.deepEqual(
    await run(Math.max(2, cores)),
    Array.from({ length: Math.max(2, cores) * 2 }, () => true),
  );
  // Fewer children than cores (only on a machine with 3 or more): the helper threads have room.
  if (cores > 2) t.deepEqual(await run(2), [false, false, false, false]);
});
