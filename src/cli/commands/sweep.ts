import type { Command } from 'commander';
import { loadConfig } from '../../config/env.js';
import { checkMongo, checkPostgres } from '../preflight.js';
import type { SweepRoundResult } from '../../sweep/round.js';
import { parseCollections, parseNonNegativeInt, parsePositiveInt } from './options.js';

interface SweepCliOptions {
  collections: string;
  json?: boolean;
  overlapMs?: number;
  batchSize?: number;
}

export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .description(
      'one sweep round now: sync into Postgres the documents MongoDB changed since each dual collection’s ' +
        'checkpoint, and mirror into MongoDB the rows Postgres changed since each pg collection’s reverse ' +
        'checkpoint; exits 1 if a collection failed',
    )
    .option('--collections <list>', 'comma-separated Mongo collection names, or all', 'all')
    .option(
      '--json',
      'print one JSON object {"collections":[{"collection","direction":"forward","status","scanned","synced",…}],…,' +
        '"reverse":{"collections":[{"collection","direction":"reverse","status","scanned","mirrored",…}],…}}',
    )
    .option(
      '--overlap-ms <ms>',
      'read this far before the checkpoint (default 60000)',
      parseNonNegativeInt('--overlap-ms'),
    )
    .option(
      '--batch-size <n>',
      'ids synced (mirrored) per transaction (default 1000; reverse 500)',
      parsePositiveInt('--batch-size'),
    )
    .action(async (options: SweepCliOptions) => {
      const config = loadConfig();
      const collections = await parseCollections(options.collections);
      await Promise.all([checkPostgres(config.PG_URL), checkMongo(config.MONGO_URL)]);
      const { MongoClient } = await import('mongodb');
      const { createPool } = await import('../../db/client.js');
      const { mongoDatabaseName } = await import('../../workers/deps.js');
      const { createLogger } = await import('../../logger.js');
      const { sweepBothWays } = await import('../../sweep/round.js');
      const pool = createPool({ url: config.PG_URL, max: 3, applicationName: 'strangler-cli' });
      const client = new MongoClient(config.MONGO_URL, { serverSelectionTimeoutMS: 10_000 });
      try {
        await client.connect();
        const result = await sweepBothWays(
          {
            pool,
            mongo: client.db(mongoDatabaseName(config.MONGO_URL)),
            log: createLogger(config.LOG_LEVEL, { role: 'cli' }),
          },
          { collections, overlapMs: options.overlapMs, batchSize: options.batchSize },
        );
        if (options.json) {
          process.stdout.write(`${JSON.stringify(result)}\n`);
        } else {
          await printSweepRound(result);
        }
        if (result.failed > 0 || result.reverse.failed > 0) process.exitCode = 1;
      } finally {
        await client.close().catch(() => undefined);
        await pool.end();
      }
    });
}

/**
 * `strangler sweep`'s human output: the forward table first, as it always printed (scripts match its
 * header), then the reverse one under its own title; one totals line per direction on stderr.
 */
async function printSweepRound(result: SweepRoundResult): Promise<void> {
  const { formatTable } = await import('../../status/table.js');
  const { stdout, stderr } = process;
  const { reverse } = result;
  stdout.write(
    formatTable(
      ['COLLECTION', 'MODE', 'CLOCK', 'STATUS', 'FROM', 'SCANNED', 'SYNCED', 'REJECTED', 'DEPARTED', 'GAPS'],
      result.collections.map((c) => [
        c.collection,
        c.mode,
        c.clock,
        c.status,
        c.from?.toISOString(),
        c.scanned,
        c.synced,
        c.rejected,
        c.departed,
        c.gaps,
      ]),
    ),
  );
  stdout.write('\nreverse (pg collections: Postgres → MongoDB)\n');
  stdout.write(
    formatTable(
      ['COLLECTION', 'MODE', 'STATUS', 'FROM', 'SCANNED', 'MIRRORED', 'DELETED', 'SKIPPED', 'GAPS'],
      reverse.collections.map((c) => [
        c.collection,
        c.mode,
        c.status,
        c.from?.toISOString(),
        c.scanned,
        c.mirrored,
        c.deleted,
        c.skipped,
        c.gaps,
      ]),
    ),
  );
  for (const c of [...result.collections, ...reverse.collections].filter((s) => s.status === 'failed'))
    stderr.write(`${c.collection} (${c.direction}): ${c.error ?? 'failed'}\n`);
  stderr.write(
    `swept ${result.scanned} document(s) in ${(result.ms / 1000).toFixed(1)} s: ${result.synced} synced, ` +
      `${result.rejected} rejected, ${result.departed} departed, ${result.gaps} gap(s)\n`,
  );
  stderr.write(
    `reverse: swept ${reverse.scanned} row(s) in ${(reverse.ms / 1000).toFixed(1)} s: ${reverse.mirrored} mirrored, ` +
      `${reverse.deleted} deleted, ${reverse.skipped} left (rejected), ${reverse.gaps} reverse gap(s)\n`,
  );
}
