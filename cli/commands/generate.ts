/** `kreplay generate`: placeholder until the generator lands. */
import type { Command } from 'commander';

/** Registers `generate`. */
export function register(_program: Command): void {}
