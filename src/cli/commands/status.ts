import type { Command } from 'commander';
import { loadConfig } from '../../config/env.js';
import { createLogger } from '../../logger.js';
import { checkMongo, checkPostgres, checkRedis } from '../preflight.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('per collection: cutover mode, Mongo vs Postgres counts, rejects, open gaps, last backfill')
    .option('--json', 'print one JSON object {"collections":[…]} to stdout')
    .action(async (options: { json?: boolean }) => {
      const config = loadConfig();
      await Promise.all([
        checkPostgres(config.PG_URL),
        checkRedis(config.REDIS_URL),
        checkMongo(config.MONGO_URL),
      ]);
      const { openDeps } = await import('../../workers/deps.js');
      const { collectionStatuses } = await import('../../status/collections.js');
      const deps = await openDeps(config, createLogger(config.LOG_LEVEL, { role: 'cli' }));
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
