/** `kreplay generate`: seeded synthetic traces in a real trace format (docs/generator.md). */
import { Option, type Command } from 'commander';
import { InputError } from '../../engine/api/errors.js';
import { parseSeed } from '../options.js';
import {
  generate,
  GENERATE_DEFAULTS,
  GENERATOR_FORMATS,
  type GeneratorFormat,
} from '../../traces/generator/index.js';

function count(flag: string, min: number, whole = false) {
  return (v: string): number => {
    const n = Number(v);
    if (!(whole ? /^\d+$/ : /^\d+(\.\d+)?$/).test(v) || !Number.isFinite(n) || n < min) {
      throw new InputError(
        flag,
        undefined,
        undefined,
        `${JSON.stringify(v)} is not a ${whole ? 'whole ' : ''}number >= ${min}`,
        'BAD_OPTION',
      );
    }
    return n;
  };
}

/** Registers `generate`. */
export function register(program: Command): void {
  program
    .command('generate')
    .description('write a seeded synthetic trace in a real trace format')
    .addOption(
      new Option('--format <fmt>', 'output format').choices([...GENERATOR_FORMATS]).makeOptionMandatory(),
    )
    .option(
      '--nodes <n>',
      'number of nodes (google*: machines)',
      count('--nodes', 1, true),
      GENERATE_DEFAULTS.nodes,
    )
    .option('--pods <m>', 'number of pods (google*: tasks)', count('--pods', 0, true), GENERATE_DEFAULTS.pods)
    .option('--days <d>', 'span of pod arrivals in days', count('--days', 0), GENERATE_DEFAULTS.days)
    .option('--seed <s>', 'random seed', String(GENERATE_DEFAULTS.seed))
    .requiredOption(
      '--out <path>',
      'output: a folder (openb, google2011, google2019) or a file (native, .gz to compress)',
    )
    .addHelpText(
      'after',
      '\nExample:\n  kreplay generate --format openb --nodes 1000 --pods 100000 --days 7 --seed 42 --out gen/\n  kreplay generate --format google2011 --nodes 12500 --pods 3400000 --days 29 --out g11/',
    )
    .action(
      async (opts: {
        format: GeneratorFormat;
        nodes: number;
        pods: number;
        days: number;
        seed: string;
        out: string;
      }) => {
        const seed = parseSeed(opts.seed);
        const files = await generate(opts.format, opts.out, {
          nodes: opts.nodes,
          pods: opts.pods,
          days: opts.days,
          seed,
        });
        process.stdout.write(`wrote ${files.join(', ')}\n`);
      },
    );
}
