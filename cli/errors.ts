import { KreplayError } from '../engine/api/errors.js';

/** Exit codes of the CLI contract: 0 ok, 1 a check failed, 2 bad input or usage. */
export const EXIT_OK = 0;
export const EXIT_CHECK_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

/** Raised by a command whose run completed but whose check failed (exit 1). */
export class CheckFailed extends KreplayError {
  constructor(message: string) {
    super('CHECK_FAILED', message);
  }
}

/** Maps an error to one line on stderr and an exit code; the stack only with `--debug`. */
export function reportError(err: unknown, debug: boolean): number {
  if (debug && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  if (err instanceof CheckFailed) {
    process.stderr.write(`kreplay: ${err.message}\n`);
    return EXIT_CHECK_FAILED;
  }
  if (err instanceof KreplayError) {
    process.stderr.write(`kreplay: ${err.message}\n`);
    return EXIT_BAD_INPUT;
  }
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e === 'object' && typeof e.code === 'string' && e.code.startsWith('E') && 'path' in e) {
    const what =
      e.code === 'ENOENT' ? 'no such file or directory' : e.code === 'EACCES' ? 'permission denied' : e.code;
    process.stderr.write(`kreplay: ${String(e.path)}: ${what}\n`);
    return EXIT_BAD_INPUT;
  }
  process.stderr.write(`kreplay: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
  if (!debug) process.stderr.write('kreplay: re-run with --debug for the stack trace\n');
  return EXIT_CHECK_FAILED + 2;
}

/** Wrong flags or arguments (exit 2). */
export class UsageError extends KreplayError {
  constructor(message: string) {
    super('USAGE', message);
  }
}
