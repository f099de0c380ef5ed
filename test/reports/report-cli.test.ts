import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Command } from 'commander';
import { register } from '../../cli/commands/report.js';
import { reportError } from '../../cli/errors.js';
import { ReportFold } from '../../reports/fold.js';
import { RUN_REPORT_FILES, writeRunOutputs } from '../../reports/run.js';
import { sampleLog, writeLogFile } from './helpers.js';

/** Runs `kreplay report <args>` in-process; the exit code as cli/main.ts would set it. */
async function runReport(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const program = new Command('kreplay')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  register(program);
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => ((stdout += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((stderr += s), true)) as typeof process.stderr.write;
  let code = 0;
  try {
    await program.parseAsync(['report', ...args], { from: 'user' });
  } catch (e) {
    code = (e as Error).name === 'CommanderError' ? 2 : reportError(e, false);
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  return { code, stdout, stderr };
}

test.serial("kreplay report rebuilds the replay's reports byte for byte", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kreplay-report-cli-'));
  const log = join(dir, 'events.ndjson.gz');
  // What the replay does: a live fold beside the log writer, then the same writer.
  const live = new ReportFold();
  const hash = writeLogFile(log, sampleLog().entries, { wallSeconds: 2 }, live.listener);
  await writeRunOutputs(
    join(dir, 'replay'),
    live.finish({ wallSeconds: 2, eventLogSha256: hash, events: 31 }),
  );

  const r = await runReport([log, '--out', join(dir, 'rebuilt')]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /wrote 7 reports to /);
  for (const name of RUN_REPORT_FILES) {
    t.is(
      readFileSync(join(dir, 'rebuilt', name), 'utf8'),
      readFileSync(join(dir, 'replay', name), 'utf8'),
      name,
    );
  }
  t.true(
    readFileSync(join(dir, 'rebuilt', 'summary.csv'), 'utf8').includes(`${hash},31,40.000000,2.000000,`),
  );
});

test.serial('a log without trailer (cut short) is refused: exit 2, one line, nothing written', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kreplay-report-cli-'));
  const withTrailer = join(dir, 'a.ndjson.gz');
  writeLogFile(withTrailer, sampleLog().entries, { wallSeconds: 2 });
  const lines = gunzipSync(readFileSync(withTrailer)).toString().split('\n');
  const bare = join(dir, 'b.ndjson.gz');
  writeFileSync(bare, gzipSync(lines.filter((l) => !l.startsWith('{"trailer"')).join('\n')));
  const r = await runReport([bare, '--out', join(dir, 'out')]);
  t.is(r.code, 2);
  // 31 entries verify; line 32 is where the trailer should be.
  t.is(r.stderr, `kreplay: ${bare}:32: no trailer line: the log was cut short\n`);
  t.false(existsSync(join(dir, 'out')));
});

test.serial('missing log and unwritable out dir: exit 2, one line, nothing written', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kreplay-report-cli-'));
  const missing = await runReport([join(dir, 'nope.gz'), '--out', join(dir, 'out')]);
  t.is(missing.code, 2);
  t.is(missing.stderr, `kreplay: ${join(dir, 'nope.gz')}: no such file or directory\n`);

  const log = join(dir, 'events.ndjson.gz');
  writeLogFile(log, sampleLog().entries, { wallSeconds: 2 });
  writeFileSync(join(dir, 'plain-file'), 'x');
  const unwritable = await runReport([log, '--out', join(dir, 'plain-file', 'out')]);
  t.is(unwritable.code, 2);
  t.regex(
    unwritable.stderr,
    /^kreplay: .*plain-file\/out: cannot create the output folder: a parent is not a directory\n$/,
  );
  t.deepEqual(readdirSync(dir).sort(), ['events.ndjson.gz', 'plain-file']);

  const noOut = await runReport([log]);
  t.is(noOut.code, 2);
});
