import type { Command } from 'commander';
import { loadConfig } from '../../config/env.js';
import { connect } from '../connect.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('per collection: cutover mode, Mongo vs Postgres counts, rejects, open gaps, last backfill')
    .option('--json', 'print one JSON object {"collections":[…]} to stdout')
    .action(async (options: { json?: boolean }) => {
      const config = loadConfig();
      const { collectionStatuses } = await import('../../status/collections.js');
      const deps = await connect(config);
      try {
        const collections = await collectionStatuses(deps);
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ collections })}\n`);
        } else {
          const { formatStatusTable } = await import('../../status/format.js');
          process.stdout.write(formatStatusTable(collections));
        }
      } finally {
        await deps.close();
      }
    });
}
