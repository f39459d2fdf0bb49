import type { Config } from '../config/env.js';
import type { Logger } from '../logger.js';
import { startEmbeddedMongo } from '../mongo/embedded/index.js';
import { MongoClient } from 'mongodb';
import { seedDatabase } from '../synthetic/seed.js';
import { migrateDatabase } from '../db/migrate.js';
import { openDeps } from '../workers/deps.js';
import { startWorkers } from '../workers/runtime.js';
import { startBackfill } from '../backfill/start.js';
import { getRunProgress } from '../backfill/progress.js';
import { watchRun } from '../cli/progress.js';
import { collectionStatuses, type CollectionStatus } from '../status/collections.js';
import { formatTable } from '../status/table.js';
import type { RunProgress } from '../backfill/types.js';

export interface DemoRunOptions {
  docs: number;
  seed: number;
  exit: boolean;
  port: number;
  concurrency: number;
}

const say = (line: string) => process.stderr.write(`${line}\n`);

/**
 * The whole product on one machine: an embedded MongoDB seeded with the synthetic marketplace, the
 * Postgres schema, workers and board in this process, one full backfill, and a per-collection summary.
 */
export async function runDemo(config: Config, options: DemoRunOptions, log: Logger): Promise<void> {
  const mongo = await startEmbeddedMongo({ port: 0 });
  const mongoUrl = `${mongo.url}/marketplace`;
  const seeder = new MongoClient(mongoUrl);
  say(`embedded MongoDB at ${mongoUrl}; seeding ${options.docs} documents…`);
  const seeded = await seedDatabase(seeder.db('marketplace'), { docs: options.docs, seed: options.seed });
  await seeder.close();
  say(`seeded in ${seeded.seconds.toFixed(1)} s; migrating ${config.PG_URL.replace(/:[^:@/]*@/, ':***@')}`);
  await migrateDatabase(config.PG_URL);

  const demoConfig: Config = { ...config, MONGO_URL: mongoUrl, PORT: options.port };
  const deps = await openDeps(demoConfig, log);
  const runtime = startWorkers(deps, {
    queues: ['backfill', 'gaps', 'verify'],
    concurrency: options.concurrency,
  });
  const { startBoard } = await import('../board/server.js');
  const board = await startBoard(deps, options.port);

  const { runId } = await startBackfill(deps, { collections: 'all' });
  say(`backfill ${runId} started; board: ${board.url}/admin/queues (user ${config.BOARD_USER})`);
  // The same live progress as `strangler backfill --wait`.
  const progress = await watchRun({ poll: () => getRunProgress(deps.db, runId) });
  process.stdout.write(summary(progress, await collectionStatuses(deps)));

  const shutdown = async () => {
    await runtime.close();
    await board.close();
    await deps.close();
    await mongo.close();
  };
  if (options.exit) {
    await shutdown();
    if (progress.status !== 'completed') process.exitCode = 1;
    return;
  }
  say(`board stays up at ${board.url}/admin/queues; Ctrl-C to stop`);
  await new Promise<void>((resolve) => {
    const stop = () => void shutdown().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** Per collection: source documents, migrated rows, this run's rejects, and how long it took. */
function summary(progress: RunProgress, statuses: readonly CollectionStatus[]): string {
  const byName = new Map(statuses.map((s) => [s.name, s]));
  const rows = progress.collections.map((c) => [
    c.name,
    byName.get(c.name)?.source ?? 0,
    byName.get(c.name)?.migrated ?? 0,
    c.docsRejected,
    c.startedAt && c.finishedAt ? ((c.finishedAt.getTime() - c.startedAt.getTime()) / 1000).toFixed(2) : '-',
  ]);
  const seconds = progress.finishedAt
    ? (progress.finishedAt.getTime() - progress.createdAt.getTime()) / 1000
    : 0;
  return (
    `\nrun ${progress.runId}: ${progress.status}${progress.error ? ` (${progress.error})` : ''}\n` +
    formatTable(['collection', 'source', 'migrated', 'rejected', 'seconds'], rows) +
    `${progress.totals.docsRead} documents in ${seconds.toFixed(1)} s\n`
  );
}
