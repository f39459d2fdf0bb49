import type { Command } from 'commander';
import { CliError } from '../errors.js';

/**
 * Commands of DESIGN.md's contract whose machinery is not built yet. They are listed so scripts and
 * operators see the whole surface, and they fail with exit code 3 and a plain reason instead of
 * pretending to work.
 */
const PLANNED = [
  ['verify', 'row counts, checksums and exact money sums, Mongo vs Postgres (not available yet)'],
] as const;

export function registerPlanned(program: Command): void {
  for (const [name, description] of PLANNED) {
    program
      .command(name)
      .description(description)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(() => {
        throw new CliError(`'${name}' is not available in this version yet`, 3);
      });
  }
}
