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
    .showHelpAfterError();
  for (const register of COMMANDS) register(program);
  return program;
}

/** CLI entry: runs argv, maps errors to exit codes (2 for bad input/usage, one line, no stack). */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
      return;
    }
    process.exitCode = reportError(err, debug);
  }
}
