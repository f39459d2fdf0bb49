import { Command, CommanderError } from 'commander';
import { reportError } from './errors.js';
import { registerCommands } from './commands/index.js';

const program = new Command('strangler')
  .description(
    'Migrate a MongoDB relational core into PostgreSQL without downtime: backfill, dual-write, verify, cut over.',
  )
  .showHelpAfterError()
  .exitOverride();

registerCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // commander already printed help or its own message.
    process.exitCode = error.exitCode;
  } else {
    const { line, exitCode } = reportError(error);
    process.stderr.write(`strangler: ${line}\n`);
    process.exitCode = exitCode;
  }
}
