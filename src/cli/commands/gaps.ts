import { InvalidArgumentError, type Command } from 'commander';
import type { Db as MongoDb } from 'mongodb';
import { loadConfig, type Config } from '../../config/env.js';
import { CliError } from '../errors.js';
import { checkPostgres } from '../preflight.js';
import { parsePositiveInt } from './options.js';

type Direction = 'forward' | 'reverse';

interface GapsOptions {
  json?: boolean;
  retryDead?: boolean;
  collection?: string;
  direction?: Direction;
  limit: number;
}

/** Checked by commander before anything connects, so a typo is one usage line. */
function parseDirection(value: string): Direction {
  if (value === 'forward' || value === 'reverse') return value;
  throw new InvalidArgumentError('--direction must be forward or reverse');
}

export function registerGaps(program: Command): void {
  program
    .command('gaps')
    .description('dual-write gaps: open and dead per collection, oldest age, and the gaps themselves')
    .option(
      '--json',
      'print one JSON object {"open","dead","oldestOpenAgeSeconds","byCollection","byDirection":{"forward","reverse"},"gaps",…}',
    )
    .option('--retry-dead', 'reopen dead gaps (attempts reset) so the drain tries them again')
    .option('--collection <name>', 'only this Mongo collection')
    .option(
      '--direction <forward|reverse>',
      'only gaps of this direction (forward: Postgres is behind; reverse: MongoDB is behind)',
      parseDirection,
    )
    .option('--limit <n>', 'list at most N gaps', parsePositiveInt('--limit'), 50)
    .action(async (options: GapsOptions) => {
      // reopenDeadGaps (src/gaps/sql) filters by collection only: refused rather than silently widened.
      if (options.retryDead && options.direction)
        throw new CliError('--retry-dead reopens dead gaps of both directions: leave out --direction', 2);
      const config = loadConfig();
      // Gaps live in Postgres; MongoDB is asked only how many records wait in the fallback store.
      await checkPostgres(config.PG_URL);
      const { createDb } = await import('../../db/client.js');
      const db = createDb({ url: config.PG_URL, max: 2, applicationName: 'strangler-cli' });
      try {
        if (options.retryDead) {
          const { reopenDeadGaps } = await import('../../gaps/sql/reopenDeadGaps.js');
          const reopened = await reopenDeadGaps(db.$client, { collection: options.collection });
          process.stdout.write(
            options.json ? `${JSON.stringify({ reopened })}\n` : `reopened ${reopened} dead gap(s)\n`,
          );
          return;
        }
        const { listGaps, summarizeGaps } = await import('../../status/gaps.js');
        const { collection, direction } = options;
        const [summary, list, pendingInFallback] = await Promise.all([
          summarizeGaps(db, { collection, direction }),
          listGaps(db, { statuses: ['open', 'dead'], collection, direction, limit: options.limit }),
          countFallback(config, options.collection),
        ]);
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ ...summary, pendingInFallback, ...list })}\n`);
          return;
        }
        const { formatTable } = await import('../../status/table.js');
        process.stdout.write(
          formatTable(
            ['COLLECTION', 'DIRECTION', 'OPEN', 'DEAD', 'OLDEST OPEN'],
            summary.byCollection.map((g) => [
              g.collection,
              g.direction,
              g.open,
              g.dead,
              formatAge(g.oldestOpenAgeSeconds),
            ]),
          ),
        );
        if (list.gaps.length > 0) {
          process.stdout.write(
            '\n' +
              formatTable(
                ['ID', 'COLLECTION', 'DIRECTION', '_ID', 'STATUS', 'ATTEMPTS', 'NEXT ATTEMPT', 'LAST ERROR'],
                list.gaps.map((g) => [
                  g.id,
                  g.collection,
                  g.direction,
                  g.idJson ?? g.legacyId,
                  g.status,
                  g.attempts,
                  g.status === 'open' ? g.nextAttemptAt.toISOString() : null,
                  g.lastError,
                ]),
              ),
          );
        }
        // One totals line per direction (the one asked for, with --direction), then the overall one.
        for (const way of direction === undefined ? (['forward', 'reverse'] as const) : [direction]) {
          const totals = summary.byDirection[way];
          process.stderr.write(
            `${way}: ${totals.open} open, ${totals.dead} dead` +
              (totals.oldestOpenAgeSeconds === null
                ? ''
                : `, oldest open ${formatAge(totals.oldestOpenAgeSeconds)}`) +
              '\n',
          );
        }
        process.stderr.write(
          `${summary.open} open, ${summary.dead} dead gap(s)` +
            (summary.oldestOpenAgeSeconds === null
              ? ''
              : `, oldest open ${formatAge(summary.oldestOpenAgeSeconds)}`) +
            `; ${pendingInFallback ?? 'unknown (MongoDB unreachable)'} record(s) waiting in the fallback store` +
            (list.total > list.gaps.length ? `; listed ${list.gaps.length} of ${list.total}` : '') +
            '\n',
        );
      } finally {
        await db.$client.end();
      }
    });
}

/** Best effort: the listing is still worth having when MongoDB does not answer. */
async function countFallback(config: Config, collection: string | undefined): Promise<number | null> {
  const { MongoClient } = await import('mongodb');
  const { mongoDatabaseName } = await import('../../workers/deps.js');
  const { countFallbackRecords } = await import('../../gaps/fallbackStore.js');
  const client = new MongoClient(config.MONGO_URL, { serverSelectionTimeoutMS: 3_000 });
  try {
    await client.connect();
    const mongo: MongoDb = client.db(mongoDatabaseName(config.MONGO_URL));
    return await countFallbackRecords(mongo, collection);
  } catch {
    return null;
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** 42s, 5m07s, 3h02m, 2d04h. */
export function formatAge(seconds: number | null): string | null {
  if (seconds === null) return null;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3_600) return `${Math.floor(seconds / 60)}m${pad(seconds % 60)}s`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3_600)}h${pad(Math.floor((seconds % 3_600) / 60))}m`;
  return `${Math.floor(seconds / 86_400)}d${pad(Math.floor((seconds % 86_400) / 3_600))}h`;
}
