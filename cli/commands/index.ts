import type { Command } from 'commander';
import { register as compare } from './compare.js';
import { register as demo } from './demo.js';
import { register as experiment } from './experiment.js';
import { register as log } from './log.js';
import { register as replay } from './replay.js';
import { register as report } from './report.js';
import { register as trace } from './trace.js';
import { register as generate } from './generate.js';
import { register as explain } from './explain.js';
import { register as bench } from './bench.js';
import { register as worker } from './worker.js';

/** A command module registers itself (name, flags, help with an example, action) on the program. */
export type RegisterCommand = (program: Command) => void;

/** Every command of the CLI, in help order. Add a module's `register` here. */
export const COMMANDS: RegisterCommand[] = [
  replay,
  compare,
  demo,
  trace,
  generate,
  log,
  report,
  experiment,
  explain,
  bench,
  worker,
];
