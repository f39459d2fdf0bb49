import type { Command } from 'commander';
import { REJECT_REASONS } from '../../collections/spec.js';
import { loadConfig, type Config } from '../../config/env.js';
import { CliError } from '../errors.js';
import { connect } from '../connect.js';
import { checkPostgres } from '../preflight.js';
import { parsePositiveInt } from './options.js';

interface RejectsOptions {
  collection?: string;
  reason?: string;
  limit: number;
  json?: boolean;
  retry?: boolean;
}

export function registerRejects(program: Command): void {
  program
    .command('rejects')
    .description('list documents the backfill could not migrate (open rejects), oldest first')
    .option('--collection <name>', 'only this Mongo collection')
    .option('--reason <code>', 'only this reason (orphan_reference, invalid_money, …)')
    .option('--limit <n>', 'at most N rows', parsePositiveInt('--limit'), 50)
    .option('--json', 'print one JSON object {"total":N,"rejects":[…]} to stdout')
    .option('--retry', 're-read the rejected documents from MongoDB and migrate those that now map')
    .action(async (options: RejectsOptions) => {
      if (options.reason && !(REJECT_REASONS as readonly string[]).includes(options.reason)) {
        throw new CliError(
          `--reason: unknown reason "${options.reason}" (choose from ${REJECT_REASONS.join(', ')})`,
          2,
        );
      }
      const config = loadConfig();
      if (options.retry) return retry(config, options);
      // Rejects live in Postgres alone: no Mongo or Redis needed to read them.
      await checkPostgres(config.PG_URL);
      const { createDb } = await import('../../db/client.js');
      const { listOpenRejects } = await import('../../status/rejects.js');
      const db = createDb({ url: config.PG_URL, max: 2, applicationName: 'strangler-cli' });
      try {
        const { total, rejects } = await listOpenRejects(db, {
          collection: options.collection,
          reason: options.reason,
          limit: options.limit,
        });
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ total, rejects })}\n`);
          return;
        }
        const { formatTable } = await import('../../status/table.js');
        process.stdout.write(
          formatTable(
            ['COLLECTION', '_ID', 'REASON', 'FIELD', 'MESSAGE'],
            rejects.map((r) => [r.collection, r.legacyId, r.reason, r.field, r.message]),
          ),
        );
        process.stderr.write(`${rejects.length} of ${total} open reject(s)\n`);
      } finally {
        await db.$client.end();
      }
    });
}

async function retry(config: Config, options: RejectsOptions): Promise<void> {
  const { retryRejects } = await import('../../backfill/retry.js');
  const deps = await connect(config);
  try {
    const result = await retryRejects(deps, { collection: options.collection, reason: options.reason });
    if (options.json) {
      process.stdout.write(`${JSON.stringify(result)}\n`);
      return;
    }
    process.stdout.write(
      `retried ${result.documents} document(s): ${result.migrated} migrated, ${result.stillRejected} still rejected` +
        (result.missing > 0 ? `, ${result.missing} no longer in MongoDB` : '') +
        '\n',
    );
  } finally {
    await deps.close();
  }
}
