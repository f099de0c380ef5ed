import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { InputError } from '../../engine/api/errors.js';
import { NOT_A_LOG_LINE, verifyLogFile } from '../../engine/sim/index.js';
import { CheckFailed } from '../errors.js';

/** `kreplay log verify <events.ndjson.gz>`: recomputes the hash chain, exit 1 naming the first bad line. */
export function register(program: Command): void {
  const log = program
    .command('log')
    .description('work with saved event logs')
    .addHelpText(
      'after',
      '\nExample:\n  kreplay log verify reports/demo/runs/default-scheduler--openb_pod_list_default--seed1/events.ndjson.gz\n',
    );
  log
    .command('verify')
    .argument('<events>', 'an events.ndjson.gz written by replay')
    .description('recompute the SHA-256 chain of an event log; exit 1 at the first bad line')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  kreplay log verify reports/demo/runs/default-scheduler--openb_pod_list_default--seed1/events.ndjson.gz\n',
    )
    .action(async (path: string, opts: { json?: boolean }) => {
      if (!existsSync(path)) throw new InputError(path, undefined, undefined, 'no such file or directory');
      // A folder is bad input (exit 2), not a log that failed its check (exit 1).
      if (statSync(path).isDirectory())
        throw new InputError(path, undefined, undefined, 'is a directory, not an event log');
      const r = await verifyLogFile(path, { requireTrailer: true });
      // Not JSON from the first line on: some other file (bad input), not a log that fails its check.
      if (!r.ok && r.entries === 0 && r.line === 1 && r.reason === NOT_A_LOG_LINE)
        throw new InputError(path, 1, undefined, 'is not an event log (its first line is not JSON)');
      if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
      if (!r.ok)
        throw new CheckFailed(`${path}:${r.line}: ${r.reason} (first ${r.entries} entries verified)`);
      if (!opts.json) process.stdout.write(`ok: ${r.entries} entries, sha256 ${r.hash}\n`);
    });
}
