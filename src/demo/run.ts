import type { Config } from '../config/env.js';
import type { Logger } from '../logger.js';
import { startEmbeddedMongo } from '../mongo/embedded/index.js';
import { MongoClient, type Db as MongoDb } from 'mongodb';
import type pg from 'pg';
import { seedDatabase } from '../synthetic/seed.js';
import { migrateDatabase } from '../db/migrate.js';
import { openDeps } from '../workers/deps.js';
import { startWorkers } from '../workers/runtime.js';
import { startBackfill } from '../backfill/start.js';
import { getRunProgress } from '../backfill/progress.js';
import { REGISTRY } from '../collections/registry.js';
import { tableShape } from '../backfill/sql/tableShape.js';
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
  let progress: RunProgress | null = null;
  let lastLine = 0;
  for (;;) {
    progress = await getRunProgress(deps.db, runId);
    if (!progress || progress.status !== 'running') break;
    if (Date.now() - lastLine > 2_000) {
      say(
        `  ${progress.totals.chunksDone}/${progress.totals.chunksPlanned} chunks, ${progress.totals.docsRead} documents read`,
      );
      lastLine = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (progress) printSummary(progress, await sourceCounts(deps.mongo), await migratedCounts(deps.db.$client));

  if (options.exit) {
    await runtime.close();
    await board.close();
    await deps.close();
    await mongo.close();
    if (progress?.status !== 'completed') process.exitCode = 1;
    return;
  }
  say(`board stays up at ${board.url}/admin/queues; Ctrl-C to stop`);
  await new Promise<void>((resolve) => {
    const stop = async () => {
      await runtime.close();
      await board.close();
      await deps.close();
      await mongo.close();
      resolve();
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
  });
}

async function sourceCounts(mongo: MongoDb): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const spec of REGISTRY.specs)
    out.set(spec.collection, await mongo.collection(spec.collection).countDocuments());
  return out;
}

async function migratedCounts(pool: pg.Pool): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const spec of REGISTRY.specs) {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${tableShape(spec.table).quoted}`,
    );
    out.set(spec.collection, rows[0]?.n ?? 0);
  }
  return out;
}

function printSummary(
  progress: RunProgress,
  source: Map<string, number>,
  migrated: Map<string, number>,
): void {
  const header = ['collection', 'source', 'migrated', 'rejected', 'seconds'];
  const rows = progress.collections.map((c) => [
    c.name,
    String(source.get(c.name) ?? 0),
    String(migrated.get(c.name) ?? 0),
    String(c.docsRejected),
    c.startedAt && c.finishedAt ? ((c.finishedAt.getTime() - c.startedAt.getTime()) / 1000).toFixed(2) : '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  process.stdout.write(
    `\nrun ${progress.runId}: ${progress.status}${progress.error ? ` (${progress.error})` : ''}\n`,
  );
  process.stdout.write(`${line(header)}\n${rows.map(line).join('\n')}\n`);
  const seconds = progress.finishedAt
    ? (progress.finishedAt.getTime() - progress.createdAt.getTime()) / 1000
    : 0;
  process.stdout.write(`${progress.totals.docsRead} documents in ${seconds.toFixed(1)} s\n`);
}
