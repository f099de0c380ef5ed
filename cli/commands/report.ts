import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { InputError } from '../../engine/api/errors.js';
import { RUN_REPORT_FILES, foldLogFile, writeRunOutputs } from '../../reports/run.js';

/**
 * `kreplay report <events.ndjson.gz> --out DIR`: rebuilds every report of a run from its saved event
 * log, byte-identical to what the replay wrote (same fold, same writers, the log's trailer for the
 * wall-clock facts). The log is folded completely before anything is written, and the files are
 * written all or none.
 */
export function register(program: Command): void {
  program
    .command('report')
    .argument('<events>', 'an events.ndjson.gz written by replay')
    .requiredOption('--out <dir>', 'folder for the reports (created if missing)')
    .description(`rebuild every report of a run from its saved event log (${RUN_REPORT_FILES.join(', ')})`)
    .addHelpText(
      'after',
      '\nExample:\n  kreplay report reports/demo/runs/default-scheduler--openb_pod_list_default--seed1/events.ndjson.gz --out /tmp/demo-report\n',
    )
    .action(async (path: string, opts: { out: string }) => {
      if (!existsSync(path)) throw new InputError(path, undefined, undefined, 'no such file or directory');
      if (statSync(path).isDirectory())
        throw new InputError(path, undefined, undefined, 'is a directory, not an event log');
      const report = await foldLogFile(path);
      await writeRunOutputs(opts.out, report);
      process.stdout.write(`wrote ${RUN_REPORT_FILES.length} reports to ${opts.out}\n`);
    });
}
