import { Command, CommanderError } from 'commander';
import { reportError, EXIT_BAD_INPUT } from './errors.js';
import { COMMANDS } from './commands/index.js';
import { packageVersion } from './package-root.js';

/** Builds the `kreplay` program with every command registered. */
export function buildProgram(): Command {
  const program = new Command('kreplay')
    .description('Replay cluster traces through a model of the Kubernetes control plane on a virtual clock.')
    .version(packageVersion())
    .option('--debug', 'print stack traces of errors')
    .exitOverride()
    // Usage errors are one line, like every other error of the CLI (`--help` shows the usage).
    .configureOutput({
      outputError: (text, write) => write(`kreplay: ${text.replace(/^error: /i, '')}`),
    });
  for (const register of COMMANDS) register(program);
  return program;
}

/**
 * Runs the CLI on `argv` (node-style: program path first) and returns the exit code: 0 ok, 1 a check
 * failed, 2 bad input or usage (one line on stderr, no stack unless `--debug`).
 */
export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    return reportError(err, debug);
  }
}

/**
 * What to do when stdout fails: a reader that stopped early (`kreplay … | head`) closed the pipe, and
 * the CLI then stops quietly with 0 as Unix tools do; any other failure is one line and exit 1.
 */
export function onStdoutError(err: NodeJS.ErrnoException): void {
  if (err.code !== 'EPIPE') process.stderr.write(`kreplay: cannot write to stdout (${err.message})\n`);
  process.exit(err.code === 'EPIPE' ? 0 : 1);
}

/** The `kreplay` binary's entry. */
export async function main(argv: string[]): Promise<void> {
  process.stdout.on('error', onStdoutError);
  process.exitCode = await run(argv);
}
