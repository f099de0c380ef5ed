/**
 * The input flags shared by replay, compare and trace (CLI.md): one definition, so every command spells
 * and validates them the same way.
 */
import { Option, type Command } from 'commander';
import { InputError } from '../engine/api/errors.js';
import { TRACE_FORMATS, type OpenTraceOptions } from '../traces/detect.js';

/** The options commander hands back for the shared input flags. */
export interface TraceInputFlags {
  format?: string;
  trace?: string;
  nodes?: string;
  pods?: string;
  manifests?: string[];
  onInvalid?: string;
  mode?: string;
}

/** Adds `--format --trace --nodes --pods --manifests --on-invalid --mode` to a command. */
export function addTraceInputOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--format <fmt>',
        'trace format (auto-detected from file names/headers when unambiguous)',
      ).choices([...TRACE_FORMATS]),
    )
    .option('--trace <path>', 'a trace file or folder (.gz accepted); for google* a folder of its tables')
    .option('--nodes <path>', 'node list (openb, pai2020, ...)')
    .option('--pods <path>', 'pod list (openb, dlrm2025, ...)')
    .option(
      '--manifests <path...>',
      'Kubernetes YAML/JSON files or folders, applied at time 0 (before the trace)',
    )
    .addOption(
      new Option('--on-invalid <mode>', 'what to do with a bad row: fail, or skip and count it')
        .choices(['fail', 'skip'])
        .default('fail'),
    )
    .addOption(
      new Option(
        '--mode <mode>',
        'for traces with times: create/delete at trace times, or every pod at t=0 in file order',
      ).choices(['time-faithful', 'arrival-only']),
    );
}

/** Turns the parsed flags into `openTrace` options (validating what commander's choices cannot). */
export function traceInputsFromOptions(opts: TraceInputFlags): OpenTraceOptions {
  const onInvalid = opts.onInvalid ?? 'fail';
  if (onInvalid !== 'fail' && onInvalid !== 'skip') {
    throw new InputError(
      '--on-invalid',
      undefined,
      undefined,
      `${JSON.stringify(onInvalid)} is not fail or skip`,
      'BAD_OPTION',
    );
  }
  if (opts.mode !== undefined && opts.mode !== 'time-faithful' && opts.mode !== 'arrival-only') {
    throw new InputError(
      '--mode',
      undefined,
      undefined,
      `${JSON.stringify(opts.mode)} is not time-faithful or arrival-only`,
      'BAD_OPTION',
    );
  }
  if (!opts.trace && !opts.nodes && !opts.pods && !(opts.manifests && opts.manifests.length > 0)) {
    throw new InputError(
      'inputs',
      undefined,
      undefined,
      'no input: pass --trace, --nodes/--pods or --manifests',
      'NO_INPUT',
    );
  }
  return {
    ...(opts.format !== undefined ? { format: opts.format } : {}),
    ...(opts.trace !== undefined ? { trace: opts.trace } : {}),
    ...(opts.nodes !== undefined ? { nodes: opts.nodes } : {}),
    ...(opts.pods !== undefined ? { pods: opts.pods } : {}),
    ...(opts.manifests !== undefined ? { manifests: opts.manifests } : {}),
    ...(opts.mode !== undefined ? { mode: opts.mode } : {}),
    onInvalid,
  };
}
