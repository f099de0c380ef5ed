import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  LogFileWriter,
  PHASE,
  Simulation,
  readCheckpoint,
  readLog,
  verifyLogFile,
  writeCheckpoint,
  type CheckpointData,
} from '../../../engine/sim/index.js';
import { Store } from '../../../engine/api/store.js';
import type { Pod } from '../../../engine/api/types.js';

/**
 * A toy model: 50 chains of "ticks"; each draws from its stream, logs and schedules the next; a
 * counter component is checkpointed. It exercises queue ties, RNG streams and the log.
 */
function toyModel(seed: number, resume?: CheckpointData): { sim: Simulation; state: { fired: number } } {
  const sim = new Simulation({ seed, ...(resume ? { resume } : {}) });
  const state = { fired: 0 };
  const draw = sim.rng.stream('toy/ticks');
  sim.on('tick', (data, s) => {
    state.fired++;
    const n = data as number;
    const r = draw();
    s.log.append('toy.tick', { n, r: Math.floor(r * 1e6) });
    // One child per tick keeps 50 lines of ticks alive; small integer delays make ties common.
    s.after(Math.floor(draw() * 100), r < 0.5 ? PHASE.SCHEDULER : PHASE.INPUT, 'tick', n + 1);
  });
  sim.register('toy', {
    snapshot: () => ({ ...state }),
    restore: (v) => Object.assign(state, v as { fired: number }),
  });
  if (!resume) for (let i = 0; i < 50; i++) sim.schedule(0, PHASE.INPUT, 'tick', i * 1000);
  return { sim, state };
}

function runEvents(sim: Simulation, n: number): void {
  while (sim.processed < n && sim.step()) {
    /* step */
  }
}

test('the same 100k events twice give the same hash; another seed another hash', (t) => {
  const a = toyModel(1);
  runEvents(a.sim, 100_000);
  const b = toyModel(1);
  runEvents(b.sim, 100_000);
  const c = toyModel(2);
  runEvents(c.sim, 100_000);
  t.is(a.sim.log.seq, 100_000);
  t.is(a.sim.log.hash, b.sim.log.hash);
  t.not(a.sim.log.hash, c.sim.log.hash);
  t.regex(a.sim.log.hash, /^[0-9a-f]{64}$/);
});

test('runUntil handles events up to and including the time, then sets the clock', (t) => {
  const sim = new Simulation({ seed: 1 });
  const seen: number[] = [];
  sim.on('e', (d) => seen.push(d as number));
  sim.schedule(10, 0, 'e', 1);
  sim.schedule(20, 0, 'e', 2);
  sim.schedule(30, 0, 'e', 3);
  t.is(sim.runUntil(20), 2);
  t.deepEqual(seen, [1, 2]);
  t.is(sim.now(), 20);
  t.is(sim.runUntil(25), 0);
  t.is(sim.now(), 25);
  t.throws(() => sim.schedule(24, 0, 'e'), { instanceOf: RangeError });
  t.throws(() => sim.schedule(26.5, 0, 'e'), { instanceOf: RangeError });
});

test('a run resumed from a checkpoint file ends with the same log hash', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kreplay-cp-'));
  const full = toyModel(5);
  full.sim.runUntil(200_000);
  const expectedHash = full.sim.log.hash;
  const expectedSeq = full.sim.log.seq;

  const first = toyModel(5);
  first.sim.runUntil(80_000);
  const cpPath = join(dir, 'cp.json.gz');
  writeCheckpoint(cpPath, first.sim.checkpoint());
  const firstFired = first.state.fired;

  const resumed = toyModel(5, readCheckpoint(cpPath));
  t.is(resumed.state.fired, firstFired);
  t.is(resumed.sim.now(), 80_000);
  resumed.sim.runUntil(200_000);
  t.is(resumed.sim.log.seq, expectedSeq);
  t.is(resumed.sim.log.hash, expectedHash);
  t.is(resumed.state.fired, full.state.fired);
});

test('a checkpoint refuses another seed, and bad files name the path', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kreplay-cp-'));
  const a = toyModel(5);
  a.sim.runUntil(1000);
  const p = join(dir, 'cp.gz');
  writeCheckpoint(p, a.sim.checkpoint());
  t.throws(() => toyModel(6, readCheckpoint(p)), { message: /seed 5, not 6/ });
  writeFileSync(join(dir, 'bad.gz'), 'nope');
  t.throws(() => readCheckpoint(join(dir, 'bad.gz')), { message: /bad\.gz: not a kreplay checkpoint/ });
  t.throws(() => readCheckpoint(join(dir, 'missing.gz')), {
    message: /missing\.gz: no such file or directory/,
  });
});

test('the log file verifies, reads back, and names the first tampered line', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kreplay-log-'));
  const path = join(dir, 'events.ndjson.gz');
  const { sim } = toyModel(3);
  const w = new LogFileWriter(path);
  sim.log.listen(w.listener);
  runEvents(sim, 30_000);
  w.close({ wallSeconds: 1.5 });
  const ok = await verifyLogFile(path);
  t.deepEqual(ok, { ok: true, entries: 30_000, hash: sim.log.hash });

  let n = 0;
  let last = -1;
  let trailer: Record<string, unknown> | undefined;
  for await (const e of readLog(path, (tr) => (trailer = tr))) {
    n++;
    t.true(e.time >= last);
    last = e.time;
    if (n === 1) t.deepEqual(Object.keys(e).sort(), ['n', 'r', 'seq', 'time', 'type']);
  }
  t.is(n, 30_000);
  t.deepEqual(trailer, { wallSeconds: 1.5 });

  const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n');
  lines[1233] = lines[1233]!.replace(/"r":(\d+)/, (_m, d: string) => `"r":${Number(d) + 1}`);
  const bad = join(dir, 'tampered.ndjson.gz');
  writeFileSync(bad, gzipSync(lines.join('\n')));
  t.deepEqual(await verifyLogFile(bad), { ok: false, entries: 1233, line: 1234, reason: 'hash mismatch' });

  const dropped = [...lines];
  dropped.splice(10, 1);
  writeFileSync(bad, gzipSync(dropped.join('\n')));
  t.deepEqual(await verifyLogFile(bad), {
    ok: false,
    entries: 10,
    line: 11,
    reason: 'seq 12 where 11 was expected',
  });

  const truncated = readFileSync(path).subarray(0, 5000);
  writeFileSync(bad, truncated);
  const r = await verifyLogFile(bad);
  t.false(r.ok);

  // Cut at a line boundary (the first 40 entries, no trailer): the chain alone is fine, so only a
  // required trailer catches it; with the original trailer appended, its count disagrees.
  const head = lines.slice(0, 40);
  writeFileSync(bad, gzipSync(`${head.join('\n')}\n`));
  const cut = await verifyLogFile(bad);
  t.true(cut.ok);
  t.is(cut.entries, 40);
  t.deepEqual(await verifyLogFile(bad, { requireTrailer: true }), {
    ok: false,
    entries: 40,
    line: 41,
    reason: 'no trailer line: the log was cut short',
  });
  const trailerLine = lines.find((l) => l.startsWith('{"trailer"'))!;
  const counted = (tr: Record<string, unknown>): string => JSON.stringify({ trailer: tr });
  writeFileSync(bad, gzipSync(`${[...head, counted({ events: 30_000, wallSeconds: 1.5 })].join('\n')}\n`));
  t.deepEqual(await verifyLogFile(bad), {
    ok: false,
    entries: 40,
    line: 41,
    reason: 'the trailer says 30000 entries, the chain has 40',
  });
  writeFileSync(bad, gzipSync(`${[...head, counted({ eventLogSha256: sim.log.hash })].join('\n')}\n`));
  t.deepEqual(await verifyLogFile(bad), {
    ok: false,
    entries: 40,
    line: 41,
    reason: "the trailer's sha256 is not the chain's",
  });
  // Anything after the trailer.
  writeFileSync(bad, gzipSync(`${[...head, trailerLine, lines[40]].join('\n')}\n`));
  t.deepEqual(await verifyLogFile(bad), {
    ok: false,
    entries: 40,
    line: 42,
    reason: 'a line after the trailer',
  });
});

test('a resumed run writes a log that verifies on its own and continues the chain', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kreplay-log-'));
  const first = toyModel(9);
  first.sim.runUntil(5_000);
  const cp = first.sim.checkpoint();
  const resumed = toyModel(9, cp);
  const path = join(dir, 'rest.ndjson.gz');
  const w = new LogFileWriter(path, cp.log);
  resumed.sim.log.listen(w.listener);
  resumed.sim.runUntil(9_000);
  w.close();
  const v = await verifyLogFile(path);
  t.deepEqual(v, { ok: true, entries: resumed.sim.log.seq - cp.log.seq, hash: resumed.sim.log.hash });
});

/**
 * A toy cluster on the store: each "churn" event creates, updates or deletes a Pod (chosen from its
 * stream) and the store logs every mutation; a watcher counts what it sees. Checkpointing it
 * snapshots the store, the queue, the RNG streams and the log chain together.
 */
function storeModel(
  seed: number,
  resume?: CheckpointData,
): { sim: Simulation; store: Store; seen: { n: number } } {
  const sim = new Simulation({ seed, ...(resume ? { resume } : {}) });
  const store = new Store({ clock: sim, sink: sim.log });
  sim.register('store', store);
  const seen = { n: 0 };
  sim.register('watcher', {
    snapshot: () => ({ ...seen }),
    restore: (v) => Object.assign(seen, v as { n: number }),
  });
  store.watch('Pod', undefined, () => seen.n++);
  const draw = sim.rng.stream('churn');
  sim.on('churn', (_d, s) => {
    const pods = store.list<Pod>('Pod');
    const r = draw();
    if (pods.length < 5 || r < 0.4) {
      store.create<Pod>({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { generateName: 'p-', namespace: 'default' },
        spec: { containers: [{ name: 'c', image: 'i' }] },
      });
    } else if (r < 0.7) {
      const p = pods[Math.floor(draw() * pods.length)]!;
      store.update<Pod>({ ...p, metadata: { ...p.metadata, labels: { gen: String(s.now()) } } });
    } else {
      const p = pods[Math.floor(draw() * pods.length)]!;
      store.delete('Pod', p.metadata!.name!, { namespace: 'default' });
    }
    s.after(1 + Math.floor(draw() * 1000), PHASE.INPUT, 'churn');
  });
  if (!resume) sim.schedule(0, PHASE.INPUT, 'churn');
  return { sim, store, seen };
}

test('a store checkpointed with the queue and RNG resumes to the same log hash and objects', (t) => {
  const full = storeModel(11);
  full.sim.runUntil(2_000_000);

  const first = storeModel(11);
  first.sim.runUntil(700_000);
  const dir = mkdtempSync(join(tmpdir(), 'kreplay-cp-'));
  writeCheckpoint(join(dir, 'cp.gz'), first.sim.checkpoint());
  const resumed = storeModel(11, readCheckpoint(join(dir, 'cp.gz')));
  t.is(resumed.store.resourceVersion, first.store.resourceVersion);
  t.is(resumed.store.count('Pod'), first.store.count('Pod'));
  resumed.sim.runUntil(2_000_000);

  t.true(full.sim.log.seq > 2000);
  t.is(resumed.sim.log.hash, full.sim.log.hash);
  t.is(resumed.seen.n, full.seen.n);
  t.deepEqual(
    resumed.store.list('Pod').map((p) => [p.metadata!.name, p.metadata!.uid, p.metadata!.resourceVersion]),
    full.store.list('Pod').map((p) => [p.metadata!.name, p.metadata!.uid, p.metadata!.resourceVersion]),
  );
});

test('pendingOfType counts queued events per type, restored from checkpoints too', (t) => {
  const sim = new Simulation({ seed: 1 });
  sim.on('a', () => {});
  sim.on('b', () => {});
  sim.schedule(5, 0, 'a');
  sim.schedule(6, 0, 'a');
  sim.schedule(7, 0, 'b');
  t.deepEqual([sim.pendingOfType('a'), sim.pendingOfType('b'), sim.pendingOfType('c')], [2, 1, 0]);
  sim.step();
  t.is(sim.pendingOfType('a'), 1);
  const resumed = new Simulation({ seed: 1, resume: sim.checkpoint() });
  t.deepEqual([resumed.pendingOfType('a'), resumed.pendingOfType('b')], [1, 1]);
});
