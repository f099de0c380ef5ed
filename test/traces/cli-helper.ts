/**
 * The trace tests' CLI runner: the real `kreplay` program in-process (see test/helpers/cli.ts).
 * Run directly (`npx tsx test/traces/cli-helper.ts trace stats ...`) it acts as a dev CLI.
 */
import { kreplay, type CliRun } from '../helpers/cli.js';

/** Result of one in-process CLI run. */
export type CliResult = CliRun;

/** Runs `kreplay <args>` with stdout/stderr captured; the exit code as the binary would set it. */
export function runCli(args: string[]): Promise<CliResult> {
  return kreplay(args);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const r = await runCli(process.argv.slice(2));
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  process.exitCode = r.code;
}
