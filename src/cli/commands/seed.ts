import type { Command } from 'commander';
import { MongoClient } from 'mongodb';
import { loadConfig, redactUrl } from '../../config/env.js';
import { mongoDatabaseName } from '../../workers/deps.js';
import { checkMongo } from '../preflight.js';
import { parseNonNegativeInt, parsePositiveInt } from './options.js';

export function registerSeed(program: Command): void {
  program
    .command('seed')
    .description('write a deterministic synthetic marketplace (with production quirks) into MONGO_URL')
    .requiredOption(
      '--docs <n>',
      'approximate number of documents across collections',
      parsePositiveInt('--docs'),
    )
    .option(
      '--seed <n>',
      'PRNG seed: the same seed writes the same documents',
      parseNonNegativeInt('--seed'),
      42,
    )
    .option('--quirk-rate <r>', 'fraction of documents carrying a production quirk', (v) => Number(v), 0.02)
    .action(async (options: { docs: number; seed: number; quirkRate: number }) => {
      const config = loadConfig();
      await checkMongo(config.MONGO_URL);
      const { seedDatabase } = await import('../../synthetic/seed.js');
      const client = new MongoClient(config.MONGO_URL);
      try {
        const db = client.db(mongoDatabaseName(config.MONGO_URL));
        const result = await seedDatabase(db, {
          docs: options.docs,
          seed: options.seed,
          quirkRate: options.quirkRate,
        });
        const total = Object.values(result.counts).reduce((a, b) => a + b, 0);
        process.stdout.write(
          `seeded ${total} documents (${result.quirks.length} with quirks) into ${redactUrl(config.MONGO_URL)} in ${result.seconds.toFixed(1)} s\n`,
        );
      } finally {
        await client.close();
      }
    });
}
