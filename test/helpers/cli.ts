/**
 * Runs the real `kreplay` program in-process (cli/main.ts `run`) with stdout and stderr captured,
 * for CLI tests that check output, exit codes and error lines. Tests using it must be serial.
 */
import { run } from '../../cli/main.js';

/** One CLI run's exit code and output. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `kreplay <args>` in this process. */
export async function kreplay(args: string[]): Promise<CliRun> {
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
  try {
    const code = await run(['node', 'kreplay', ...args]);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}
