/**
 * Runs the trace commands in-process (a commander program with only this area's commands, since
 * cli/main.ts reads package.json relative to its compiled location) and captures their output.
 * Run directly (`npx tsx test/traces/cli-helper.ts trace stats ...`) it acts as a dev CLI.
 */
import { Command } from 'commander';
import { register as registerTrace } from '../../cli/commands/trace.js';
import { register as registerGenerate } from '../../cli/commands/generate.js';
import { reportError } from '../../cli/errors.js';

/** Result of one in-process CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `kreplay <args>` with stdout/stderr captured; the exit code as cli/main.ts would set it. */
export async function runCli(args: string[]): Promise<CliResult> {
  const program = new Command('kreplay')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  registerTrace(program);
  registerGenerate(program);
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string | Uint8Array) => (
    (stdout += String(s)),
    true
  )) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array) => (
    (stderr += String(s)),
    true
  )) as typeof process.stderr.write;
  let code = 0;
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (e) {
    code =
      (e as { exitCode?: number }).exitCode !== undefined && (e as Error).name === 'CommanderError'
        ? 2
        : reportError(e, false);
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  return { code, stdout, stderr };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const r = await runCli(process.argv.slice(2));
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  process.exitCode = r.code;
}
