import type { Command } from 'commander';
import { MongoClient } from 'mongodb';
import { loadConfig } from '../../config/env.js';
import { mongoDatabaseName } from '../../workers/deps.js';
import { parseNonNegativeInt } from './options.js';

export function registerMongoEmbedded(program: Command): void {
  program
    .command('mongo-embedded')
    .description(
      'serve an in-memory MongoDB-wire-compatible server (for demos and tests; nothing kept on disk)',
    )
    .option('--port <n>', 'TCP port (0 = any free port)', parseNonNegativeInt('--port'), 27017)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option(
      '--seed-docs <n>',
      'seed N synthetic legacy documents into the MONGO_URL database name',
      parseNonNegativeInt('--seed-docs'),
      0,
    )
    .option('--seed <n>', 'PRNG seed for --seed-docs', parseNonNegativeInt('--seed'), 42)
    .action(async (options: { port: number; host: string; seedDocs: number; seed: number }) => {
      const config = loadConfig();
      // Loaded on use, so `strangler --help` and unrelated commands stay fast.
      const { startEmbeddedMongo } = await import('../../mongo/embedded/index.js');
      const { seedDatabase } = await import('../../synthetic/seed.js');
      const server = await startEmbeddedMongo({ port: options.port, host: options.host });
      const dbName = mongoDatabaseName(config.MONGO_URL);
      if (options.seedDocs > 0) {
        const client = new MongoClient(`${server.url}/${dbName}`);
        try {
          const result = await seedDatabase(client.db(dbName), {
            docs: options.seedDocs,
            seed: options.seed,
          });
          const total = Object.values(result.counts).reduce((a, b) => a + b, 0);
          process.stderr.write(
            `seeded ${total} documents into ${dbName} in ${result.seconds.toFixed(1)} s\n`,
          );
        } finally {
          await client.close();
        }
      }
      // The URL on stdout (one line) lets scripts and the bench capture it.
      process.stdout.write(`${server.url}/${dbName}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => void server.close().then(resolve);
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
    });
}
